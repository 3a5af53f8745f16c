// libFuzzer target: SCOUT6 wire codecs (core/scout_wire.hpp).
//
// Input: one mode byte, then the packet. Mode bit 0 set: the next four
// bytes are the code points (DOq option, DOr option, router alert value),
// so odd configurations get exercised too; clear: the defaults. The same
// bytes go to parse_scout_packet() and parse_param_problem().
//
// Checked beyond "no crash": a parser never reports kInternal, a parsed
// message has its exact wire size, and serializing a parsed message and
// parsing it again gives the same message (also for the DOr a node would
// answer with).
#include <array>
#include <cstddef>
#include <cstdint>

#include "core/scout_wire.hpp"
#include "tests/fuzz/fuzz_util.hpp"

using namespace scout6;

namespace {

constexpr std::size_t kCodePointBytes = 4;

std::size_t wire_size(core::ScoutMessage::Kind kind) {
    switch (kind) {
        case core::ScoutMessage::Kind::kDoq:
            return core::kDoqBytes;
        case core::ScoutMessage::Kind::kRaq:
            return core::kRaqBytes;
        case core::ScoutMessage::Kind::kDor:
            return core::kDorBytes;
    }
    return 0;
}

core::Result<std::size_t> serialize(const core::CodePoints& cp,
                                    const core::ScoutMessage& m,
                                    core::MutableBytes out) {
    switch (m.kind) {
        case core::ScoutMessage::Kind::kDoq:
            return core::serialize_doq(cp, m.src, m.dst, m.hop_limit, out);
        case core::ScoutMessage::Kind::kRaq:
            return core::serialize_raq(cp, m.src, m.dst, m.hop_limit, out);
        case core::ScoutMessage::Kind::kDor:
            return core::serialize_dor(cp, m.src, m.dst, m.hop_limit, m.mask,
                                       m.queried, out);
    }
    return core::fail(core::Errc::kInternal, "fuzz: unknown kind");
}

// serialize(m) must parse back to m.
void check_round_trip(const core::CodePoints& cp, const core::ScoutMessage& m) {
    std::array<std::uint8_t, core::kDorBytes> buf{};
    auto n = serialize(cp, m, buf);
    if (!n) fuzz::invariant_failed("scout: a parsed message did not serialize");
    if (*n != wire_size(m.kind))
        fuzz::invariant_failed("scout: serialized size differs from kind");
    auto again = core::parse_scout_packet(cp, core::Bytes(buf.data(), *n));
    if (!again) fuzz::invariant_failed("scout: own serialization rejected");
    if (!(*again == m)) fuzz::invariant_failed("scout: round trip changed it");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet_logs();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
    if (size < 1) return 0;
    fuzz::BugCheck bug_check;
    core::Bytes input(data + 1, size - 1);
    core::CodePoints cp;
    if ((data[0] & 1) != 0) {
        if (input.size() < kCodePointBytes) return 0;
        cp.doq_option = input[0];
        cp.dor_option = input[1];
        cp.router_alert_value =
            static_cast<std::uint16_t>(input[2] << 8 | input[3]);
        input = input.subspan(kCodePointBytes);
        // The config loader refuses any other (Pad1 as a DOr type, say,
        // which cannot round-trip); so does the fuzzer.
        if (!core::valid_code_points(cp)) return 0;
    }

    auto msg = core::parse_scout_packet(cp, input);
    if (msg) {
        if (input.size() != wire_size(msg->kind))
            fuzz::invariant_failed("scout: accepted a packet of wrong size");
        if ((msg->mask & ~core::kCapKnownBits) != 0)
            fuzz::invariant_failed("scout: reserved mask bits not cleared");
        check_round_trip(cp, *msg);
        if (msg->kind == core::ScoutMessage::Kind::kDoq) {
            if (auto dor = core::answer_doq(*msg, true))
                check_round_trip(cp, *dor);
        } else if (msg->kind == core::ScoutMessage::Kind::kRaq) {
            check_round_trip(cp, core::answer_raq(*msg, msg->dst));
        }
    } else if (msg.error().code == core::Errc::kInternal) {
        fuzz::invariant_failed("scout: parse_scout_packet said kInternal");
    }

    core::Ip6Addr reporter;
    auto pp = core::parse_param_problem(cp, reporter, input);
    if (!pp && pp.error().code == core::Errc::kInternal)
        fuzz::invariant_failed("scout: parse_param_problem said kInternal");
    return 0;
}
