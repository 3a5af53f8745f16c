# IKEv2 protocol (RFC 7296): wire codecs, the IKE SA state, the exchanges
# and the engine the daemon drives. Pure logic: no sockets, no event loop;
# datagrams and timers come in and go out through IkeHost.
add_library(scout6_ike STATIC
    ${CMAKE_CURRENT_LIST_DIR}/wire/types.cpp
    ${CMAKE_CURRENT_LIST_DIR}/wire/payloads.cpp
    ${CMAKE_CURRENT_LIST_DIR}/wire/message.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ike_sa.cpp
    ${CMAKE_CURRENT_LIST_DIR}/engine.cpp
    ${CMAKE_CURRENT_LIST_DIR}/exchange/proposals.cpp
    ${CMAKE_CURRENT_LIST_DIR}/exchange/ike_sa_init.cpp
    ${CMAKE_CURRENT_LIST_DIR}/exchange/ike_auth.cpp
    ${CMAKE_CURRENT_LIST_DIR}/exchange/informational.cpp)
target_link_libraries(scout6_ike PUBLIC scout6_ike_crypto scout6_base)
