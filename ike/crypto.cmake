# IKEv2 crypto suite: AES-GCM-16 SK payloads, PRF_HMAC_SHA2_256, X25519,
# the RFC 7296 key schedule, PSK AUTH and NAT detection hashes.
add_library(scout6_ike_crypto STATIC
    ${CMAKE_CURRENT_LIST_DIR}/crypto_suite.cpp
    ${CMAKE_CURRENT_LIST_DIR}/crypto_sk_cipher.cpp)
target_link_libraries(scout6_ike_crypto PUBLIC scout6_base OpenSSL::Crypto
                      PkgConfig::SODIUM)
