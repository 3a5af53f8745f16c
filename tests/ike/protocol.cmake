# Unit tests for the IKEv2 protocol: wire codecs (golden bytes, truncation,
# mutation) and two in-process engines over a fake network and clock.
scout6_add_test(ike_tests ike/protocol_main_test.cpp ike/wire_payloads_test.cpp
                ike/wire_message_test.cpp ike/engine_exchange_test.cpp
                ike/engine_mutation_test.cpp)
target_link_libraries(ike_tests PRIVATE scout6_ike)
