# scout6_tun: the OS layer. Portable parts (validation, nft text, BPF
# program, fakes) plus the Linux backends in *_linux.cpp.
find_package(nlohmann_json REQUIRED)

add_library(scout6_tun STATIC
    tun_device.cpp
    fake_tun.cpp
    net_config.cpp
    scout_filter.cpp
    command_runner_linux.cpp
    tun_device_linux.cpp
    sysctl_linux.cpp
    net_config_linux.cpp
    sockets_linux.cpp
    scout_tap_linux.cpp)
target_link_libraries(scout6_tun PUBLIC scout6_base
                      PRIVATE nlohmann_json::nlohmann_json)
