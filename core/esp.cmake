# ESP data path: SAs, anti-replay window, port 4500 demultiplexing. Knows
# nothing of IKE: it is keyed by whoever negotiated the SA.
add_library(scout6_esp STATIC
    ${CMAKE_CURRENT_LIST_DIR}/esp_sa.cpp
    ${CMAKE_CURRENT_LIST_DIR}/udp_encap.cpp)
target_link_libraries(scout6_esp PUBLIC scout6_base OpenSSL::Crypto)
