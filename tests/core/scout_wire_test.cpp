#include "core/scout_wire.hpp"

#include <array>
#include <boost/test/unit_test.hpp>
#include <ostream>
#include <set>
#include <string>
#include <vector>

// Printers for Boost.Test failure messages; internal to this file.
namespace scout6::core {
[[maybe_unused]] static std::ostream& operator<<(std::ostream& os,
                                                 const Ip6Addr& a) {
    return os << a.to_string();
}
[[maybe_unused]] static std::ostream& operator<<(std::ostream& os, Errc c) {
    return os << to_string(c);
}
}  // namespace scout6::core

using namespace scout6::core;

namespace {

using Packet = std::vector<std::uint8_t>;

Ip6Addr addr(const char* text) {
    return Ip6Addr::parse(text).value();
}

// clang-format off
// fd00::1 and fd00::2 as they appear on the wire.
#define FD00_1 0xfd, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01
#define FD00_2 0xfd, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x02

// SPEC §3 DOq from fd00::1 to fd00::2, hop limit 64.
Packet golden_doq() {
    return {
        0x60, 0x00, 0x00, 0x00,  // version 6, traffic class 0, flow 0
        0x00, 0x08,              // payload length 8
        0x3c,                    // next header 60 (destination options)
        0x40,                    // hop limit 64
        FD00_1,                  // source: initiator
        FD00_2,                  // destination: queried node
        0x3b,                    // inner next header 59 (none)
        0x00,                    // hdr ext len 0: 8 bytes
        0xc4,                    // option type 196
        0x04,                    // opt data len 4
        0x00, 0x00, 0x00, 0x00,  // data, not significant
    };
}

// SPEC §3 RAq from fd00::1 to fd00::2, hop limit 64.
Packet golden_raq() {
    return {
        0x60, 0x00, 0x00, 0x00,  // version 6, traffic class 0, flow 0
        0x00, 0x08,              // payload length 8
        0x00,                    // next header 0 (hop-by-hop)
        0x40,                    // hop limit 64
        FD00_1,                  // source: initiator
        FD00_2,                  // destination: queried node
        0x3b,                    // inner next header 59
        0x00,                    // hdr ext len 0
        0x05,                    // option type 5: router alert
        0x02,                    // opt data len 2
        0x00, 0x2a,              // router alert value 42
        0x01, 0x00,              // PadN, length 0
    };
}

// SPEC §3 DOr from fd00::2 to fd00::1 (host mode), hop limit 64.
Packet golden_dor() {
    return {
        0x60, 0x00, 0x00, 0x00,  // version 6, traffic class 0, flow 0
        0x00, 0x18,              // payload length 24
        0x3c,                    // next header 60
        0x40,                    // hop limit 64
        FD00_2,                  // source: responder
        FD00_1,                  // destination: initiator
        0x3b,                    // inner next header 59
        0x02,                    // hdr ext len 2: 24 bytes
        0x42,                    // option type 66
        0x14,                    // opt data len 20
        0x00, 0x00, 0x00, 0x02,  // capability mask: IKEv2
        FD00_2,                  // queried address
    };
}
// clang-format on

// ICMPv6 Parameter Problem quoting golden_doq(), reported by fd00::2.
Packet golden_param_problem() {
    Packet p = {
        0x04,                    // type 4: parameter problem
        0x02,                    // code 2: unrecognized option
        0x12, 0x34,              // checksum (checked by the kernel)
        0x00, 0x00, 0x00, 0x2a,  // pointer 42: the DOq option type
    };
    const Packet doq = golden_doq();
    p.insert(p.end(), doq.begin(), doq.end());
    return p;
}

void set_payload_length(Packet& p, std::size_t n) {
    p[4] = static_cast<std::uint8_t>(n >> 8);
    p[5] = static_cast<std::uint8_t>(n);
}

struct Rejection {
    const char* name;
    Packet packet;
    Errc code;
};

Result<ScoutMessage> parse(const Packet& p, const CodePoints& cp = {}) {
    return parse_scout_packet(cp, Bytes(p));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(core_scout_wire)

BOOST_AUTO_TEST_CASE(serializes_doq_byte_for_byte) {
    std::array<std::uint8_t, 64> out{};
    auto n = serialize_doq({}, addr("fd00::1"), addr("fd00::2"), 64, out);
    BOOST_REQUIRE(n.has_value());
    BOOST_TEST(*n == kDoqBytes);
    const Packet want = golden_doq();
    BOOST_TEST(Packet(out.begin(), out.begin() + *n) == want,
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(serializes_raq_byte_for_byte) {
    std::array<std::uint8_t, 48> out{};
    auto n = serialize_raq({}, addr("fd00::1"), addr("fd00::2"), 64, out);
    BOOST_REQUIRE(n.has_value());
    BOOST_TEST(*n == kRaqBytes);
    const Packet want = golden_raq();
    BOOST_TEST(Packet(out.begin(), out.end()) == want,
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(serializes_dor_byte_for_byte) {
    std::array<std::uint8_t, 64> out{};
    auto n = serialize_dor({}, addr("fd00::2"), addr("fd00::1"), 64, kCapIkev2,
                           addr("fd00::2"), out);
    BOOST_REQUIRE(n.has_value());
    BOOST_TEST(*n == kDorBytes);
    const Packet want = golden_dor();
    BOOST_TEST(Packet(out.begin(), out.end()) == want,
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(serializers_refuse_short_buffers) {
    std::array<std::uint8_t, 63> out{};
    const Ip6Addr a = addr("fd00::1");
    auto doq = serialize_doq({}, a, a, 1, MutableBytes(out).first(47));
    auto raq = serialize_raq({}, a, a, 1, MutableBytes(out).first(47));
    auto dor = serialize_dor({}, a, a, 1, 0, a, out);
    BOOST_REQUIRE(!doq.has_value());
    BOOST_REQUIRE(!raq.has_value());
    BOOST_REQUIRE(!dor.has_value());
    BOOST_TEST(doq.error().code == Errc::kNoSpace);
    BOOST_TEST(raq.error().code == Errc::kNoSpace);
    BOOST_TEST(dor.error().code == Errc::kNoSpace);
}

BOOST_AUTO_TEST_CASE(parses_golden_messages) {
    auto doq = parse(golden_doq());
    BOOST_REQUIRE(doq.has_value());
    BOOST_TEST(to_string(doq->kind) == std::string("doq"));
    BOOST_TEST(doq->src == addr("fd00::1"));
    BOOST_TEST(doq->dst == addr("fd00::2"));
    BOOST_TEST(doq->hop_limit == 64);

    auto raq = parse(golden_raq());
    BOOST_REQUIRE(raq.has_value());
    BOOST_TEST(to_string(raq->kind) == std::string("raq"));
    BOOST_TEST(raq->dst == addr("fd00::2"));

    auto dor = parse(golden_dor());
    BOOST_REQUIRE(dor.has_value());
    BOOST_TEST(to_string(dor->kind) == std::string("dor"));
    BOOST_TEST(dor->src == addr("fd00::2"));
    BOOST_TEST(dor->dst == addr("fd00::1"));
    BOOST_TEST(dor->mask == kCapIkev2);
    BOOST_TEST(dor->queried == addr("fd00::2"));
}

BOOST_AUTO_TEST_CASE(round_trips_with_custom_code_points) {
    const CodePoints cp{253, 254, 7};
    const Ip6Addr s = addr("fd00:1::a");
    const Ip6Addr d = addr("fd00:2::b");
    const Ip6Addr q = addr("fd00:2::c");
    std::array<std::uint8_t, 64> out{};

    auto n = serialize_doq(cp, s, d, 9, out);
    BOOST_REQUIRE(n.has_value());
    auto m = parse_scout_packet(cp, Bytes(out).first(*n));
    BOOST_REQUIRE(m.has_value());
    BOOST_TEST((m->kind == ScoutMessage::Kind::kDoq && m->src == s &&
                m->dst == d && m->hop_limit == 9));

    n = serialize_raq(cp, s, d, 10, out);
    BOOST_REQUIRE(n.has_value());
    m = parse_scout_packet(cp, Bytes(out).first(*n));
    BOOST_REQUIRE(m.has_value());
    BOOST_TEST((m->kind == ScoutMessage::Kind::kRaq && m->hop_limit == 10));
    // The default code points do not recognise these messages.
    BOOST_TEST(parse_scout_packet({}, Bytes(out).first(*n)).error().code ==
               Errc::kUnsupported);

    const std::uint32_t mask = kCapIkev1 | kCapIkev2 | kCapExperimental;
    n = serialize_dor(cp, d, s, 11, mask, q, out);
    BOOST_REQUIRE(n.has_value());
    m = parse_scout_packet(cp, Bytes(out).first(*n));
    BOOST_REQUIRE(m.has_value());
    BOOST_TEST((m->kind == ScoutMessage::Kind::kDor && m->src == d &&
                m->dst == s && m->queried == q));
    BOOST_TEST(m->mask == mask);
}

BOOST_AUTO_TEST_CASE(every_truncation_is_truncated) {
    for (const Packet& golden : {golden_doq(), golden_raq(), golden_dor()}) {
        for (std::size_t n = 0; n < golden.size(); ++n) {
            // Length field left as is: it claims more than is present.
            const Packet cut(golden.begin(), golden.begin() + n);
            auto r = parse(cut);
            BOOST_REQUIRE(!r.has_value());
            BOOST_TEST(r.error().code == Errc::kTruncated, "length " << n);

            // Length field patched to match: the extension header itself
            // is then short.
            if (n < kIpv6HeaderBytes) continue;
            Packet patched = cut;
            set_payload_length(patched, n - kIpv6HeaderBytes);
            auto p = parse(patched);
            BOOST_REQUIRE(!p.has_value());
            BOOST_TEST(p.error().code == Errc::kTruncated, "patched " << n);
        }
    }
}

BOOST_AUTO_TEST_CASE(rejects_each_malformation_with_its_own_detail) {
    std::vector<Rejection> cases;
    auto add = [&](const char* name, Packet p, Errc code) {
        cases.push_back({name, std::move(p), code});
    };
    Packet p;

    p = golden_doq();
    p[0] = 0x40;
    add("version 4", p, Errc::kMalformed);
    p = golden_doq();
    p.push_back(0);
    add("trailing byte", p, Errc::kMalformed);
    p = golden_doq();
    p[6] = 17;
    add("udp next header", p, Errc::kUnsupported);
    p = golden_doq();
    p[40] = 6;
    add("inner next header tcp", p, Errc::kMalformed);
    p = golden_doq();
    p[41] = 1;
    add("doq hdr ext len 1", p, Errc::kMalformed);
    p = golden_doq();
    p[43] = 5;
    add("doq opt len 5", p, Errc::kMalformed);
    p = golden_doq();
    p[42] = 0xc5;
    add("other destination option", p, Errc::kUnsupported);
    p = golden_doq();
    p.insert(p.end(), 8, 0);
    set_payload_length(p, 16);
    add("bytes after extension header", p, Errc::kMalformed);
    p = golden_raq();
    p[42] = 0xc2;
    add("hop-by-hop option not router alert", p, Errc::kUnsupported);
    p = golden_raq();
    p[43] = 3;
    add("router alert length 3", p, Errc::kMalformed);
    p = golden_raq();
    p[45] = 43;
    add("router alert value 43", p, Errc::kUnsupported);
    p = golden_raq();
    p[41] = 1;
    add("raq hdr ext len 1", p, Errc::kMalformed);
    p = golden_raq();
    p[46] = 1;
    p[47] = 1;
    add("padding claims a byte", p, Errc::kMalformed);
    p = golden_dor();
    p[41] = 0;
    add("dor hdr ext len 0", p, Errc::kMalformed);
    p = golden_dor();
    p[43] = 19;
    add("dor opt len 19", p, Errc::kMalformed);

    std::set<std::string> details;
    for (const auto& c : cases) {
        auto r = parse(c.packet);
        BOOST_REQUIRE_MESSAGE(!r.has_value(), c.name);
        BOOST_TEST((r.error().code == c.code), c.name);
        details.insert(r.error().detail);
    }
    BOOST_TEST(details.size() == cases.size());
}

BOOST_AUTO_TEST_CASE(ignores_doq_data_reserved_bits_and_pad1) {
    Packet doq = golden_doq();
    doq[44] = 0xde;
    doq[47] = 0xad;
    BOOST_TEST(parse(doq).has_value());

    Packet dor = golden_dor();
    dor[44] = 0x7f;  // reserved bits 24..30
    dor[46] = 0x01;  // reserved bit 8
    dor[47] = 0xfa;  // reserved bits 3..7 plus IKEv2
    auto m = parse(dor);
    BOOST_REQUIRE(m.has_value());
    BOOST_TEST(m->mask == kCapIkev2);

    Packet raq = golden_raq();
    raq[46] = 0;  // two Pad1 instead of PadN
    raq[47] = 0;
    BOOST_TEST(parse(raq).has_value());

    // Pad1 then the type byte of a PadN whose length falls outside.
    raq[47] = 1;
    auto bad = parse(raq);
    BOOST_REQUIRE(!bad.has_value());
    BOOST_TEST(bad.error().code == Errc::kMalformed);
}

BOOST_AUTO_TEST_CASE(accepts_any_traffic_class_and_flow_label) {
    Packet doq = golden_doq();
    doq[0] = 0x6f;
    doq[1] = 0xff;
    doq[3] = 0x01;
    BOOST_TEST(parse(doq).has_value());
}

// Bit flips, byte overwrites and truncations over every golden packet:
// never a crash, and anything accepted re-serializes to the same bytes
// outside the fields the parser is told to ignore.
BOOST_AUTO_TEST_CASE(mutations_never_crash_and_accepted_ones_are_canonical) {
    const CodePoints cp;
    std::size_t accepted = 0;
    auto check = [&](const Packet& p) {
        auto m = parse_scout_packet(cp, Bytes(p));
        if (!m.has_value()) {
            BOOST_TEST(m.error().detail != nullptr);
            return;
        }
        ++accepted;
        std::array<std::uint8_t, 64> out{};
        Result<std::size_t> n = fail(Errc::kInternal, "unset");
        switch (m->kind) {
            case ScoutMessage::Kind::kDoq:
                n = serialize_doq(cp, m->src, m->dst, m->hop_limit, out);
                break;
            case ScoutMessage::Kind::kRaq:
                n = serialize_raq(cp, m->src, m->dst, m->hop_limit, out);
                break;
            case ScoutMessage::Kind::kDor:
                n = serialize_dor(cp, m->src, m->dst, m->hop_limit, m->mask,
                                  m->queried, out);
                break;
        }
        BOOST_REQUIRE(n.has_value());
        BOOST_REQUIRE(*n == p.size());
        BOOST_TEST((p[0] >> 4) == (out[0] >> 4));
        for (std::size_t i = 4; i < 44; ++i)
            BOOST_TEST(p[i] == out[i], "offset " << i);
        if (m->kind == ScoutMessage::Kind::kDor) {
            for (std::size_t i = 48; i < 64; ++i)
                BOOST_TEST(p[i] == out[i], "offset " << i);
        }
    };

    for (const Packet& golden : {golden_doq(), golden_raq(), golden_dor()}) {
        for (std::size_t i = 0; i < golden.size(); ++i) {
            for (int bit = 0; bit < 8; ++bit) {
                Packet p = golden;
                p[i] = static_cast<std::uint8_t>(p[i] ^ (1u << bit));
                check(p);
            }
            for (std::uint8_t v : {std::uint8_t{0x00}, std::uint8_t{0xff}}) {
                Packet p = golden;
                p[i] = v;
                check(p);
            }
            check(Packet(golden.begin(), golden.begin() + i));
        }
    }
    // Address and hop limit flips are all legitimate packets.
    BOOST_TEST(accepted > 3 * 33 * 8u);
}

BOOST_AUTO_TEST_CASE(parses_param_problem_quoting_our_doq) {
    const Ip6Addr reporter = addr("fd00::2");
    auto pp = parse_param_problem({}, reporter, golden_param_problem());
    BOOST_REQUIRE(pp.has_value());
    BOOST_TEST(pp->reporter == reporter);
    BOOST_TEST(pp->initiator == addr("fd00::1"));
    BOOST_TEST(pp->destination == addr("fd00::2"));

    // The quote may be cut to the 44 bytes that name our option.
    const Packet full = golden_param_problem();
    const Packet cut(full.begin(), full.begin() + 8 + 44);
    BOOST_TEST(parse_param_problem({}, reporter, cut).has_value());
}

BOOST_AUTO_TEST_CASE(rejects_other_icmp_and_bad_quotes) {
    const Ip6Addr reporter = addr("fd00::2");
    struct Case {
        std::size_t offset;
        std::uint8_t value;
        Errc code;
    };
    const Case cases[] = {
        {0, 1, Errc::kUnsupported},          // destination unreachable
        {1, 1, Errc::kUnsupported},          // code 1: next header
        {7, 40, Errc::kUnsupported},         // pointer 40
        {8 + 0, 0x40, Errc::kMalformed},     // quote is IPv4
        {8 + 6, 0, Errc::kUnsupported},      // quote is hop-by-hop
        {8 + 42, 0xc5, Errc::kUnsupported},  // someone else's option
    };
    std::set<std::string> details;
    for (const Case& c : cases) {
        Packet p = golden_param_problem();
        p[c.offset] = c.value;
        auto r = parse_param_problem({}, reporter, p);
        BOOST_REQUIRE_MESSAGE(!r.has_value(), "offset " << c.offset);
        BOOST_TEST((r.error().code == c.code), "offset " << c.offset);
        details.insert(r.error().detail);
    }
    BOOST_TEST(details.size() == std::size(cases));

    const Packet full = golden_param_problem();
    for (std::size_t n = 0; n < 8 + 44; ++n) {
        auto r = parse_param_problem({}, reporter,
                                     Packet(full.begin(), full.begin() + n));
        BOOST_REQUIRE(!r.has_value());
        BOOST_TEST(r.error().code == Errc::kTruncated, "length " << n);
    }
}

BOOST_AUTO_TEST_CASE(param_problem_mutations_never_crash) {
    const Packet golden = golden_param_problem();
    const Ip6Addr reporter = addr("fd00::2");
    std::size_t accepted = 0;
    for (std::size_t i = 0; i < golden.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            Packet p = golden;
            p[i] = static_cast<std::uint8_t>(p[i] ^ (1u << bit));
            auto r = parse_param_problem({}, reporter, p);
            if (!r.has_value()) continue;
            ++accepted;
            // Whatever is accepted still names the quoted addresses.
            BOOST_TEST(r->initiator == Ip6Addr::from_bytes(&p[8 + 8]));
            BOOST_TEST(r->destination == Ip6Addr::from_bytes(&p[8 + 24]));
        }
    }
    BOOST_TEST(accepted > 0u);
}

BOOST_AUTO_TEST_CASE(destination_answers_served_doq_only) {
    auto doq = parse(golden_doq()).value();
    BOOST_TEST(!answer_doq(doq, false).has_value());
    auto dor = answer_doq(doq, true);
    BOOST_REQUIRE(dor.has_value());
    BOOST_TEST((dor->kind == ScoutMessage::Kind::kDor));
    BOOST_TEST(dor->src == doq.dst);
    BOOST_TEST(dor->dst == doq.src);
    BOOST_TEST(dor->queried == doq.dst);
    BOOST_TEST(dor->mask == kCapIkev2);

    // Serialized with the golden hop limit, it is the golden DOr.
    std::array<std::uint8_t, 64> out{};
    auto n =
        serialize_dor({}, dor->src, dor->dst, 64, dor->mask, dor->queried, out);
    BOOST_REQUIRE(n.has_value());
    BOOST_TEST(Packet(out.begin(), out.end()) == golden_dor(),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(router_answers_raq_in_router_mode) {
    auto raq = parse(golden_raq()).value();
    const Ip6Addr router = addr("fd00:99::1");
    const ScoutMessage dor = answer_raq(raq, router);
    BOOST_TEST((dor.kind == ScoutMessage::Kind::kDor));
    BOOST_TEST(dor.src == router);
    BOOST_TEST(dor.dst == raq.src);
    BOOST_TEST(dor.queried == raq.dst);
    BOOST_TEST(dor.mask == kCapIkev2);
    BOOST_TEST(dor.src != dor.queried);  // router mode as SPEC §3 reads it
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(core_scout_code_points)

BOOST_AUTO_TEST_CASE(only_workable_code_points_are_valid) {
    BOOST_TEST(valid_code_points(CodePoints{}));  // the paper's 196 and 66
    BOOST_TEST(valid_code_points(CodePoints{0xde, 0x5e, 7}));
    BOOST_TEST(!valid_code_points(CodePoints{0, 0, 42}));        // Pad1
    BOOST_TEST(!valid_code_points(CodePoints{196, 1, 42}));      // PadN as DOr
    BOOST_TEST(!valid_code_points(CodePoints{0x42, 0xc4, 42}));  // swapped
    BOOST_TEST(!valid_code_points(CodePoints{0x84, 66, 42}));    // DOq bits 10
}

BOOST_AUTO_TEST_SUITE_END()
