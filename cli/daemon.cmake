# The scout6 executable: node (pure), daemon (libuv + tun/), main (CLI11).
find_package(CLI11 REQUIRED)

add_library(scout6_node STATIC ${CMAKE_CURRENT_SOURCE_DIR}/node.cpp)
target_link_libraries(scout6_node PUBLIC scout6_scout scout6_esp scout6_ike)

add_executable(scout6 ${CMAKE_CURRENT_SOURCE_DIR}/main.cpp
                      ${CMAKE_CURRENT_SOURCE_DIR}/daemon.cpp)
target_link_libraries(scout6 PRIVATE scout6_node scout6_cli_lib scout6_tun
                      CLI11::CLI11 PkgConfig::UV)
install(TARGETS scout6 RUNTIME DESTINATION sbin)
