# Unit tests for the SCOUT6 discovery layer (core/scout_wire, discovery,
# hold_queue), all on fake clocks and fake sinks.
scout6_add_test(scout_tests core/scout_main_test.cpp core/scout_wire_test.cpp
                core/scout_discovery_test.cpp core/scout_hold_queue_test.cpp)
target_link_libraries(scout_tests PRIVATE scout6_scout)
