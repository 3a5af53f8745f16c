# tests/cli: configuration loader and control socket.
find_package(nlohmann_json REQUIRED)
scout6_add_test(cli_tests cli/main_test.cpp cli/config_test.cpp
                cli/control_test.cpp)
target_link_libraries(cli_tests PRIVATE scout6_cli_lib)
target_compile_definitions(cli_tests PRIVATE
    SCOUT6_EXAMPLE_CONFIG="${PROJECT_SOURCE_DIR}/docs/scout6.example.toml")
