# IKEv2 crypto suite: known-answer vectors and property tests.
scout6_add_test(ike_crypto_tests
    ike/crypto_main_test.cpp
    ike/crypto_prf_test.cpp
    ike/crypto_x25519_test.cpp
    ike/crypto_sk_cipher_test.cpp
    ike/crypto_auth_test.cpp)
target_link_libraries(ike_crypto_tests PRIVATE scout6_ike_crypto)
