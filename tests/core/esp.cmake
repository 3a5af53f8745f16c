scout6_add_test(esp_tests
    core/esp_main_test.cpp
    core/esp_sa_test.cpp
    core/esp_vectors_test.cpp
    core/esp_replay_window_test.cpp
    core/esp_udp_encap_test.cpp)
target_link_libraries(esp_tests PRIVATE scout6_esp)
