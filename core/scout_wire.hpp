// SCOUT6 wire formats (SPEC.md §3): DOq, RAq and DOr as whole IPv6
// packets, and the ICMPv6 Parameter Problem a node without SCOUT6 sends
// back for a DOq.
//
// Every message is a bare IPv6 packet: the 40-byte IPv6 header, one
// extension header (Destination Options for DOq and DOr, Hop-by-Hop for
// RAq) and Next Header 59. The serializers write the IPv6 header too,
// because the sending socket is IPPROTO_RAW and takes the packet as is.
// Nothing here touches sockets or clocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/bytes.hpp"
#include "core/ip6.hpp"
#include "core/result.hpp"

namespace scout6::core {

// The three code points SCOUT6 uses. The defaults are the paper's values;
// SPEC §3 explains why all three are configurable.
struct CodePoints {
    std::uint8_t doq_option = 196;          // 0xC4: "discard and send ICMP"
    std::uint8_t dor_option = 66;           // 0x42: "discard silently"
    std::uint16_t router_alert_value = 42;  // RFC 2711 value in the RAq
};

// DOr capability mask bits (SPEC §3, DOr offset 44). Other bits are
// reserved: sent as zero, ignored on receipt.
// Code points the protocol can work with (RFC 8200 §4.2): a DOq option
// whose high bits are 11 (a node without SCOUT6 answers Parameter
// Problem), a DOr option whose high bits are 01 (dropped silently), and
// two different types. Pad1 (0) and PadN (1) fail the first two tests.
constexpr bool valid_code_points(const CodePoints& cp) {
    return (cp.doq_option >> 6) == 3 && (cp.dor_option >> 6) == 1 &&
           cp.doq_option != cp.dor_option;
}

inline constexpr std::uint32_t kCapIkev1 = 0x1;
inline constexpr std::uint32_t kCapIkev2 = 0x2;
inline constexpr std::uint32_t kCapKink = 0x4;
inline constexpr std::uint32_t kCapExperimental = 0x80000000u;
inline constexpr std::uint32_t kCapKnownBits =
    kCapIkev1 | kCapIkev2 | kCapKink | kCapExperimental;

// Whole-packet sizes, IPv6 header included (SPEC §3).
inline constexpr std::size_t kIpv6HeaderBytes = 40;  // RFC 8200 §3
inline constexpr std::size_t kDoqBytes = 48;
inline constexpr std::size_t kRaqBytes = 48;
inline constexpr std::size_t kDorBytes = 64;

// Writes a DOq from src to dst into `out`. Returns the number of bytes
// written (kDoqBytes), or kNoSpace when `out` is too small (then the
// content of `out` is unspecified).
[[nodiscard]] Result<std::size_t> serialize_doq(const CodePoints& cp,
                                                const Ip6Addr& src,
                                                const Ip6Addr& dst,
                                                std::uint8_t hop_limit,
                                                MutableBytes out);

// Writes an RAq carrying cp.router_alert_value; as serialize_doq.
[[nodiscard]] Result<std::size_t> serialize_raq(const CodePoints& cp,
                                                const Ip6Addr& src,
                                                const Ip6Addr& dst,
                                                std::uint8_t hop_limit,
                                                MutableBytes out);

// Writes a DOr with capability `mask` answering a query for `queried`.
// Reserved mask bits are written as given (callers send zero there).
[[nodiscard]] Result<std::size_t> serialize_dor(
    const CodePoints& cp, const Ip6Addr& src, const Ip6Addr& dst,
    std::uint8_t hop_limit, std::uint32_t mask, const Ip6Addr& queried,
    MutableBytes out);

// One parsed SCOUT6 message. `mask` and `queried` are meaningful for kDor
// only (zero / unspecified otherwise).
struct ScoutMessage {
    enum class Kind { kDoq, kRaq, kDor };
    Kind kind = Kind::kDoq;
    Ip6Addr src;
    Ip6Addr dst;
    std::uint8_t hop_limit = 0;
    std::uint32_t mask = 0;  // reserved bits already cleared
    Ip6Addr queried;

    friend bool operator==(const ScoutMessage&, const ScoutMessage&) = default;
};

const char* to_string(ScoutMessage::Kind kind);

// Parses one whole IPv6 packet (header included) as DOq, RAq or DOr.
// Strict: version 6, the payload length field must equal the bytes after
// the header, exact sizes, header and option fields as in SPEC §3.
// Errors (each with its own detail string):
//   kTruncated   - fewer bytes than a header or length field declares;
//   kMalformed   - complete but not a well-formed SCOUT6 message;
//   kUnsupported - a valid packet that is not ours: other next header,
//                  other destination option, other router alert value.
// The result holds copies; `ipv6_packet` need not outlive the call.
[[nodiscard]] Result<ScoutMessage> parse_scout_packet(const CodePoints& cp,
                                                      Bytes ipv6_packet);

// An ICMPv6 Parameter Problem (code 2, pointer 42) quoting one of our
// DOqs: the queried node lacks SCOUT6 (SPEC §4 Initiator step 3).
struct ParamProblem {
    Ip6Addr reporter;     // source of the ICMPv6 message
    Ip6Addr initiator;    // source of the quoted DOq
    Ip6Addr destination;  // destination of the quoted DOq

    friend bool operator==(const ParamProblem&, const ParamProblem&) = default;
};

// Parses `icmp`, which starts at the ICMPv6 header as a raw IPPROTO_ICMPV6
// socket delivers it (the kernel has already checked the checksum).
// Requires type 4, code 2, pointer 42 and a quoted packet of at least 44
// bytes that is an IPv6 packet with Next Header 60 and cp.doq_option at
// offset 42. Other ICMPv6 messages: kUnsupported; a bad quote: kMalformed;
// short input: kTruncated.
[[nodiscard]] Result<ParamProblem> parse_param_problem(const CodePoints& cp,
                                                       const Ip6Addr& reporter,
                                                       Bytes icmp);

// The destination node's answer to a DOq (SPEC §4 "Destination node"):
// a DOr from doq.dst to doq.src, queried = doq.dst, mask = IKEv2, when
// doq.dst is an address this node serves; nullopt otherwise. hop_limit is
// left 0 for the caller to fill in.
std::optional<ScoutMessage> answer_doq(const ScoutMessage& doq, bool served);

// A router's answer to an RAq for a directly-linked destination (SPEC §4
// "Router"): a DOr from router_address to raq.src, queried = raq.dst,
// mask = IKEv2. hop_limit is left 0 for the caller to fill in.
ScoutMessage answer_raq(const ScoutMessage& raq, const Ip6Addr& router_address);

}  // namespace scout6::core
