// The fixed worlds the stateful fuzz targets run in, shared with the seed
// generator (seed_gen.cpp). Everything is deterministic (FakeClock,
// SeededRandom with fixed seeds), so a message the generator recorded
// between two real engines or nodes is byte-for-byte what the fuzzed
// engine or node expects when the recording is replayed: the seeds reach
// deep states (IKE_AUTH decrypts, ESP opens) and the fuzzer mutates from
// there. Change a value here and the generated seeds follow.
#pragma once

#include <cstdint>
#include <cstring>

#include "cli/node.hpp"
#include "core/ip6.hpp"
#include "core/secret.hpp"
#include "ike/engine.hpp"

namespace scout6::fuzz {

inline core::Ip6Addr fixed_addr(const char* text) {
    auto a = core::Ip6Addr::parse(text);
    return a ? *a : core::Ip6Addr{};
}

inline core::SecretBytes fixed_psk() {
    static const char kPsk[] = "fuzz-site-wide-psk-0123456789";
    return core::SecretBytes(core::Bytes(
        reinterpret_cast<const std::uint8_t*>(kPsk), std::strlen(kPsk)));
}

// ---- ike_engine_fuzz ----
//
// Input: role byte (even: responder, odd: initiator that has sent
// IKE_SA_INIT), then frames (fuzz_util.hpp) with these ops:
inline constexpr std::uint8_t kEngineOpPeer500 = 0;   // peer:500 -> us:500
inline constexpr std::uint8_t kEngineOpPeer4500 = 1;  // peer:4500 -> us:4500
inline constexpr std::uint8_t kEngineOpTimer = 2;     // see fuzz_advance()
inline constexpr std::uint8_t kEngineOpStranger = 3;  // other address, :500
inline constexpr std::uint8_t kEngineOps = 4;

inline constexpr std::uint64_t kEngineInitiatorSeed = 11;
inline constexpr std::uint64_t kEngineResponderSeed = 22;

inline core::Ip6Addr engine_initiator_addr() {
    return fixed_addr("fd00:a::1");
}
inline core::Ip6Addr engine_responder_addr() {
    return fixed_addr("fd00:b::2");
}
inline core::Ip6Addr engine_stranger_addr() {
    return fixed_addr("fd00:c::3");
}

inline ike::IkeConfig engine_config() {
    ike::IkeConfig c;
    c.psk = fixed_psk();
    c.max_sas = 64;
    c.max_half_open = 16;
    return c;
}

inline ike::InitiateRequest engine_request() {
    ike::InitiateRequest r;
    r.local = engine_initiator_addr();
    r.remote = engine_responder_addr();
    r.ts_local = core::Ip6Prefix{r.local, 128};
    r.ts_remote = core::Ip6Prefix{r.remote, 128};
    return r;
}

// ---- node_fuzz ----
//
// Input: frames with these ops, all delivered to the Node at node_self():
inline constexpr std::uint8_t kNodeOpTun = 0;       // on_tun_packet
inline constexpr std::uint8_t kNodeOpUdp500 = 1;    // peer:500 -> self:500
inline constexpr std::uint8_t kNodeOpUdp4500 = 2;   // peer:4500 -> self:4500
inline constexpr std::uint8_t kNodeOpScout = 3;     // on_scout_packet
inline constexpr std::uint8_t kNodeOpIcmp = 4;      // on_icmp_error(stranger)
inline constexpr std::uint8_t kNodeOpTimer = 5;     // see fuzz_advance()
inline constexpr std::uint8_t kNodeOpStranger = 6;  // stranger:4500 -> :4500
inline constexpr std::uint8_t kNodeOps = 7;

inline constexpr std::uint64_t kNodeSelfSeed = 33;
inline constexpr std::uint64_t kNodePeerSeed = 44;

inline core::Ip6Addr node_self() {
    return fixed_addr("fd00:a::10");
}
// Runs scout6 in the generator.
inline core::Ip6Addr node_peer() {
    return fixed_addr("fd00:b::20");
}
// Runs no scout6: answers a DOq with ICMPv6 Parameter Problem.
inline core::Ip6Addr node_stranger() {
    return fixed_addr("fd00:b::30");
}

inline cli::NodeOptions node_options(const core::Ip6Addr& self) {
    cli::NodeOptions o;
    o.served = {self};
    o.scopes = {core::Ip6Prefix{fixed_addr("fd00::"), 16}};
    o.pass_unsecurable = false;  // node_fuzz checks that nothing leaks
    o.ike.psk = fixed_psk();
    o.hold_per_flow = 8;
    o.hold_total = 64;
    o.max_flows = 256;
    o.ike.max_sas = 64;
    o.ike.max_half_open = 16;
    o.discovery.max_pending = 64;
    return o;
}

// Timer frames: an empty body jumps to the next deadline (if any); one to
// four bytes are a big-endian number of milliseconds to advance. Then the
// target calls on_timer().
inline void fuzz_advance(core::FakeClock& clock,
                         std::optional<core::TimePoint> deadline,
                         core::Bytes data) {
    if (data.empty()) {
        if (deadline && *deadline > clock.now())
            clock.advance(*deadline - clock.now());
        return;
    }
    std::uint32_t ms = 0;
    for (std::size_t i = 0; i < data.size() && i < 4; ++i)
        ms = ms << 8 | data[i];
    clock.advance(std::chrono::milliseconds(ms));
}

}  // namespace scout6::fuzz
