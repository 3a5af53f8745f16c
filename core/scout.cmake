# SCOUT6 discovery: wire codecs, the initiator state machine and the
# queue of packets held while a destination is probed. Pure logic: no
# sockets, no event loop (SPEC.md §3, §4).
add_library(scout6_scout STATIC scout_wire.cpp discovery.cpp hold_queue.cpp)
target_link_libraries(scout6_scout PUBLIC scout6_base)
