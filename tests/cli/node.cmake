# tests/cli: two Nodes over a fake network (discovery + IKEv2 + ESP).
if(TARGET scout6_node)
    scout6_add_test(node_tests cli/node_main_test.cpp cli/node_test.cpp)
    target_link_libraries(node_tests PRIVATE scout6_node)
endif()
