# tun_tests: no root, fakes only. tun_root_tests: needs root; builds its
# own network namespaces (s6t-<pid>-<n>) and removes them on exit.
scout6_add_test(tun_tests tun/main_test.cpp tun/net_config_test.cpp
                tun/scout_filter_test.cpp tun/fake_tun_test.cpp
                tun/command_runner_test.cpp)
target_link_libraries(tun_tests PRIVATE scout6_tun)

scout6_add_test(tun_root_tests tun/root_main_test.cpp tun/tun_root_test.cpp
                tun/sockets_root_test.cpp tun/net_config_root_test.cpp)
target_link_libraries(tun_root_tests PRIVATE scout6_tun)
