// SCOUT6 codecs. Stages of parse_scout_packet, in order:
//   1. IPv6 header (RFC 8200 §3): version, payload length against the
//      bytes present, next header selects DOq/DOr (60) or RAq (0);
//   2. extension header and first option: decide whether the packet is
//      ours at all (kUnsupported if not);
//   3. strict field checks against SPEC §3 (kMalformed / kTruncated);
//   4. option data into a ScoutMessage.
#include "core/scout_wire.hpp"

#include "core/log.hpp"

namespace scout6::core {

namespace {

// RFC 8200 §3 and §4: next header values and the 8-octet unit of the
// Hdr Ext Len field.
constexpr std::uint8_t kIpVersion6 = 6;
constexpr std::uint8_t kNextHeaderHopByHop = 0;
constexpr std::uint8_t kNextHeaderDestOpts = 60;
constexpr std::uint8_t kNextHeaderNone = 59;
constexpr std::size_t kExtUnitBytes = 8;

// RFC 8200 §4.2 padding options and RFC 2711 §2.1 Router Alert.
constexpr std::uint8_t kOptPad1 = 0;
constexpr std::uint8_t kOptPadN = 1;
constexpr std::uint8_t kOptRouterAlert = 5;

// SPEC §3: Hdr Ext Len and Opt Data Len of each message.
constexpr std::uint8_t kDoqHdrExtLen = 0;
constexpr std::uint8_t kDoqOptDataLen = 4;
constexpr std::uint8_t kRaqHdrExtLen = 0;
constexpr std::uint8_t kRaqOptDataLen = 2;
constexpr std::uint8_t kDorHdrExtLen = 2;
constexpr std::uint8_t kDorOptDataLen = 20;

// RFC 4443 §3.4: Parameter Problem, code 2 "unrecognized IPv6 option";
// the pointer names the option type byte of the DOq (SPEC §3, offset 42).
constexpr std::size_t kIcmpHeaderBytes = 8;
constexpr std::uint8_t kIcmpParamProblem = 4;
constexpr std::uint8_t kIcmpCodeUnrecognizedOption = 2;
constexpr std::uint32_t kDoqOptionTypeOffset = 42;
constexpr std::size_t kMinQuotedBytes = 44;
constexpr std::size_t kIpv6NextHeaderOffset = 6;

constexpr std::size_t payload_bytes(std::uint8_t hdr_ext_len) {
    return (static_cast<std::size_t>(hdr_ext_len) + 1) * kExtUnitBytes;
}

void write_ipv6_header(ByteWriter& w, std::size_t payload_len,
                       std::uint8_t next_header, std::uint8_t hop_limit,
                       const Ip6Addr& src, const Ip6Addr& dst) {
    // Traffic class and flow label zero: SCOUT6 messages are not part of
    // any flow (SPEC §3).
    w.write_u32(static_cast<std::uint32_t>(kIpVersion6) << 28);
    w.write_u16(static_cast<std::uint16_t>(payload_len));
    w.write_u8(next_header);
    w.write_u8(hop_limit);
    w.write_bytes(src.bytes);
    w.write_bytes(dst.bytes);
}

Result<std::size_t> finish(const ByteWriter& w, std::size_t expected) {
    if (!w.ok()) return fail(Errc::kNoSpace, "scout: output buffer too small");
    if (w.size() != expected) {
        SCOUT6_BUG("scout-001", "serialized size {} != {}", w.size(), expected);
        return fail(Errc::kInternal, "scout: serialized size mismatch");
    }
    return w.size();
}

bool read_addr(ByteReader& r, Ip6Addr& out) {
    return r.copy_bytes(out.bytes);
}

// The four bytes every SCOUT6 extension header starts with.
struct ExtStart {
    std::uint8_t next_header = 0;
    std::uint8_t hdr_ext_len = 0;
    std::uint8_t opt_type = 0;
    std::uint8_t opt_len = 0;
};

// Checks the extension header length against what SPEC §3 requires and
// against the payload, which the caller has already matched to the bytes
// present.
Status check_ext_size(const ExtStart& ext, std::size_t payload_len,
                      std::uint8_t want_hdr_ext_len, const char* bad_hel) {
    if (ext.next_header != kNextHeaderNone)
        return fail(Errc::kMalformed, "scout: inner next header not 59");
    if (ext.hdr_ext_len != want_hdr_ext_len)
        return fail(Errc::kMalformed, bad_hel);
    if (payload_len < payload_bytes(want_hdr_ext_len))
        return fail(Errc::kTruncated,
                    "scout: payload shorter than extension header");
    if (payload_len > payload_bytes(want_hdr_ext_len))
        return fail(Errc::kMalformed, "scout: bytes after extension header");
    return {};
}

Result<ScoutMessage> parse_dest_opts(const CodePoints& cp, ByteReader& r,
                                     const ExtStart& ext,
                                     std::size_t payload_len,
                                     ScoutMessage msg) {
    if (ext.opt_type == cp.doq_option) {
        if (auto s = check_ext_size(ext, payload_len, kDoqHdrExtLen,
                                    "scout: doq hdr ext len not 0");
            !s)
            return tl::unexpected(s.error());
        if (ext.opt_len != kDoqOptDataLen)
            return fail(Errc::kMalformed, "scout: doq option length not 4");
        // The data is not significant (SPEC §3): skip it unread.
        if (!r.skip(kDoqOptDataLen))
            return fail(Errc::kTruncated, "scout: doq data truncated");
        msg.kind = ScoutMessage::Kind::kDoq;
        return msg;
    }
    if (ext.opt_type == cp.dor_option) {
        if (auto s = check_ext_size(ext, payload_len, kDorHdrExtLen,
                                    "scout: dor hdr ext len not 2");
            !s)
            return tl::unexpected(s.error());
        if (ext.opt_len != kDorOptDataLen)
            return fail(Errc::kMalformed, "scout: dor option length not 20");
        std::uint32_t mask = 0;
        r.read_u32(mask);
        read_addr(r, msg.queried);
        if (!r.ok()) return fail(Errc::kTruncated, "scout: dor data truncated");
        msg.kind = ScoutMessage::Kind::kDor;
        // Reserved bits: ignore on receipt (SPEC §3).
        msg.mask = mask & kCapKnownBits;
        return msg;
    }
    return fail(Errc::kUnsupported, "scout: destination option not doq/dor");
}

Result<ScoutMessage> parse_hop_by_hop(const CodePoints& cp, ByteReader& r,
                                      const ExtStart& ext,
                                      std::size_t payload_len,
                                      ScoutMessage msg) {
    // Other hop-by-hop packets (MLD, other router alert users) reach the
    // same socket; they are not ours rather than broken.
    if (ext.opt_type != kOptRouterAlert)
        return fail(Errc::kUnsupported, "scout: hop-by-hop option not ra");
    if (ext.opt_len != kRaqOptDataLen)
        return fail(Errc::kMalformed, "scout: router alert length not 2");
    std::uint16_t value = 0;
    if (!r.read_u16(value))
        return fail(Errc::kTruncated, "scout: router alert value truncated");
    if (value != cp.router_alert_value)
        return fail(Errc::kUnsupported, "scout: router alert value not ours");
    if (auto s = check_ext_size(ext, payload_len, kRaqHdrExtLen,
                                "scout: raq hdr ext len not 0");
        !s)
        return tl::unexpected(s.error());

    // The two bytes left are padding: PadN of length 0 as SPEC §3 sends
    // it, or two Pad1, which RFC 8200 §4.2 makes equivalent.
    std::uint8_t pad0 = 0;
    std::uint8_t pad1 = 0;
    r.read_u8(pad0);
    r.read_u8(pad1);
    if (!r.ok()) return fail(Errc::kTruncated, "scout: raq padding truncated");
    const bool padn = pad0 == kOptPadN && pad1 == 0;
    const bool pad1s = pad0 == kOptPad1 && pad1 == kOptPad1;
    if (!padn && !pad1s)
        return fail(Errc::kMalformed, "scout: raq padding not padn/pad1");
    msg.kind = ScoutMessage::Kind::kRaq;
    return msg;
}

}  // namespace

const char* to_string(ScoutMessage::Kind kind) {
    switch (kind) {
        case ScoutMessage::Kind::kDoq:
            return "doq";
        case ScoutMessage::Kind::kRaq:
            return "raq";
        case ScoutMessage::Kind::kDor:
            return "dor";
    }
    return "unknown";
}

Result<std::size_t> serialize_doq(const CodePoints& cp, const Ip6Addr& src,
                                  const Ip6Addr& dst, std::uint8_t hop_limit,
                                  MutableBytes out) {
    ByteWriter w(out);
    write_ipv6_header(w, payload_bytes(kDoqHdrExtLen), kNextHeaderDestOpts,
                      hop_limit, src, dst);
    w.write_u8(kNextHeaderNone);
    w.write_u8(kDoqHdrExtLen);
    w.write_u8(cp.doq_option);
    w.write_u8(kDoqOptDataLen);
    w.write_zeros(kDoqOptDataLen);
    return finish(w, kDoqBytes);
}

Result<std::size_t> serialize_raq(const CodePoints& cp, const Ip6Addr& src,
                                  const Ip6Addr& dst, std::uint8_t hop_limit,
                                  MutableBytes out) {
    ByteWriter w(out);
    write_ipv6_header(w, payload_bytes(kRaqHdrExtLen), kNextHeaderHopByHop,
                      hop_limit, src, dst);
    w.write_u8(kNextHeaderNone);
    w.write_u8(kRaqHdrExtLen);
    w.write_u8(kOptRouterAlert);
    w.write_u8(kRaqOptDataLen);
    w.write_u16(cp.router_alert_value);
    w.write_u8(kOptPadN);
    w.write_u8(0);
    return finish(w, kRaqBytes);
}

Result<std::size_t> serialize_dor(const CodePoints& cp, const Ip6Addr& src,
                                  const Ip6Addr& dst, std::uint8_t hop_limit,
                                  std::uint32_t mask, const Ip6Addr& queried,
                                  MutableBytes out) {
    ByteWriter w(out);
    write_ipv6_header(w, payload_bytes(kDorHdrExtLen), kNextHeaderDestOpts,
                      hop_limit, src, dst);
    w.write_u8(kNextHeaderNone);
    w.write_u8(kDorHdrExtLen);
    w.write_u8(cp.dor_option);
    w.write_u8(kDorOptDataLen);
    w.write_u32(mask);
    w.write_bytes(queried.bytes);
    return finish(w, kDorBytes);
}

Result<ScoutMessage> parse_scout_packet(const CodePoints& cp,
                                        Bytes ipv6_packet) {
    ByteReader r(ipv6_packet);
    std::uint32_t first_word = 0;
    std::uint16_t payload_len = 0;
    std::uint8_t next_header = 0;
    ScoutMessage msg;
    r.read_u32(first_word);
    r.read_u16(payload_len);
    r.read_u8(next_header);
    r.read_u8(msg.hop_limit);
    read_addr(r, msg.src);
    read_addr(r, msg.dst);
    if (!r.ok()) return fail(Errc::kTruncated, "scout: ipv6 header truncated");
    if ((first_word >> 28) != kIpVersion6)
        return fail(Errc::kMalformed, "scout: ip version not 6");
    if (payload_len > r.remaining())
        return fail(Errc::kTruncated, "scout: payload shorter than length");
    if (payload_len < r.remaining())
        return fail(Errc::kMalformed, "scout: bytes after ipv6 payload");
    if (next_header != kNextHeaderDestOpts &&
        next_header != kNextHeaderHopByHop)
        return fail(Errc::kUnsupported, "scout: next header not 0 or 60");

    ExtStart ext;
    r.read_u8(ext.next_header);
    r.read_u8(ext.hdr_ext_len);
    r.read_u8(ext.opt_type);
    r.read_u8(ext.opt_len);
    if (!r.ok())
        return fail(Errc::kTruncated, "scout: extension header truncated");

    if (next_header == kNextHeaderDestOpts)
        return parse_dest_opts(cp, r, ext, payload_len, msg);
    return parse_hop_by_hop(cp, r, ext, payload_len, msg);
}

Result<ParamProblem> parse_param_problem(const CodePoints& cp,
                                         const Ip6Addr& reporter, Bytes icmp) {
    ByteReader r(icmp);
    std::uint8_t type = 0;
    std::uint8_t code = 0;
    std::uint16_t checksum = 0;
    std::uint32_t pointer = 0;
    r.read_u8(type);
    r.read_u8(code);
    r.read_u16(checksum);
    r.read_u32(pointer);
    if (!r.ok())
        return fail(Errc::kTruncated, "param problem: icmpv6 header short");
    if (type != kIcmpParamProblem)
        return fail(Errc::kUnsupported, "param problem: icmpv6 type not 4");
    if (code != kIcmpCodeUnrecognizedOption)
        return fail(Errc::kUnsupported, "param problem: code not 2");
    if (pointer != kDoqOptionTypeOffset)
        return fail(Errc::kUnsupported, "param problem: pointer not 42");

    // RFC 4443 §3.4 quotes as much of the invoking packet as fits; we need
    // the IPv6 header and the option type and length of the DOq.
    const Bytes quote = icmp.subspan(kIcmpHeaderBytes);
    if (quote.size() < kMinQuotedBytes)
        return fail(Errc::kTruncated, "param problem: quote under 44 bytes");
    if ((quote[0] >> 4) != kIpVersion6)
        return fail(Errc::kMalformed, "param problem: quote not ipv6");
    if (quote[kIpv6NextHeaderOffset] != kNextHeaderDestOpts)
        return fail(Errc::kUnsupported, "param problem: quote not dest opts");
    if (quote[kDoqOptionTypeOffset] != cp.doq_option)
        return fail(Errc::kUnsupported, "param problem: quote not a doq");

    ParamProblem pp;
    pp.reporter = reporter;
    ByteReader q(quote);
    q.skip(8);  // RFC 8200 §3: version .. hop limit
    read_addr(q, pp.initiator);
    read_addr(q, pp.destination);
    if (!q.ok()) {
        SCOUT6_BUG("scout-002", "quote reader failed after size check");
        return fail(Errc::kInternal, "param problem: quote read failed");
    }
    return pp;
}

std::optional<ScoutMessage> answer_doq(const ScoutMessage& doq, bool served) {
    if (!served) return std::nullopt;
    ScoutMessage dor;
    dor.kind = ScoutMessage::Kind::kDor;
    dor.src = doq.dst;
    dor.dst = doq.src;
    dor.queried = doq.dst;
    dor.mask = kCapIkev2;
    return dor;
}

ScoutMessage answer_raq(const ScoutMessage& raq,
                        const Ip6Addr& router_address) {
    ScoutMessage dor;
    dor.kind = ScoutMessage::Kind::kDor;
    dor.src = router_address;
    dor.dst = raq.src;
    dor.queried = raq.dst;
    dor.mask = kCapIkev2;
    return dor;
}

}  // namespace scout6::core
