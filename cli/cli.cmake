# cli/cli.cmake: the configuration loader and the control socket.
#
# toml++ is compiled header-only with TOML_EXCEPTIONS=0 (parse_result, no
# throw). The distribution's libtomlplusplus.so is built with exceptions
# and pkg-config asks for it (-DTOML_HEADER_ONLY=0), so this target takes
# only the include path from pkg-config and not PkgConfig::TOMLPP's flags.
find_package(nlohmann_json REQUIRED)

add_library(scout6_cli_lib STATIC
    ${CMAKE_CURRENT_SOURCE_DIR}/config.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/control.cpp)
target_include_directories(scout6_cli_lib SYSTEM PRIVATE ${TOMLPP_INCLUDE_DIRS})
target_compile_definitions(scout6_cli_lib PUBLIC TOML_HEADER_ONLY=1
                           TOML_EXCEPTIONS=0)
target_link_libraries(scout6_cli_lib PUBLIC scout6_base PkgConfig::UV
                      PRIVATE nlohmann_json::nlohmann_json)

if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/main.cpp)
    include(${CMAKE_CURRENT_SOURCE_DIR}/daemon.cmake OPTIONAL)
endif()
