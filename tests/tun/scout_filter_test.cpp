#include "tun/scout_filter.hpp"

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <optional>
#include <vector>

using namespace scout6;
using tun::BpfInsn;

namespace {

// A classic BPF interpreter for the instructions a filter may use here,
// with the kernel's rules: a load past the end of the packet returns 0
// (reject), jumps are relative to the next instruction, and running off
// the end is invalid. nullopt for anything it does not know.
std::optional<std::uint32_t> run_bpf(const std::vector<BpfInsn>& prog,
                                     const std::vector<std::uint8_t>& pkt) {
    std::uint32_t a = 0;
    for (std::size_t pc = 0; pc < prog.size(); ++pc) {
        const BpfInsn& i = prog[pc];
        switch (i.code) {
            case tun::kBpfLdAbsB:
                if (i.k >= pkt.size()) return 0u;
                a = pkt[i.k];
                break;
            case tun::kBpfLdAbsH:
                if (i.k + 2 > pkt.size()) return 0u;
                a = (std::uint32_t{pkt[i.k]} << 8) | pkt[i.k + 1];
                break;
            case tun::kBpfAndK:
                a &= i.k;
                break;
            case tun::kBpfJeqK:
                pc += (a == i.k) ? i.jt : i.jf;
                if (pc + 1 >= prog.size()) return std::nullopt;
                break;
            case tun::kBpfRetK:
                return i.k;
            default:
                return std::nullopt;
        }
    }
    return std::nullopt;
}

std::vector<std::uint8_t> ipv6_header(std::uint8_t next_header,
                                      std::uint16_t payload_len) {
    return {
        0x60,
        0x00,
        0x00,
        0x00,  // version 6, traffic class 0, flow 0
        static_cast<std::uint8_t>(payload_len >> 8),
        static_cast<std::uint8_t>(payload_len),  // payload length
        next_header,                             // next header
        64,                                      // hop limit
        0xfd,
        0,
        0,
        0x10,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        1,  // src fd00:10::1
        0xfd,
        0,
        0,
        0x10,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        2,  // dst fd00:10::2
    };
}

// SPEC §3 DOq, 48 bytes.
std::vector<std::uint8_t> doq(std::uint8_t option = 196) {
    auto p = ipv6_header(60, 8);
    std::vector<std::uint8_t> ext = {
        59,               // next header: none
        0,                // hdr ext len: 8 bytes
        option,           // option type
        4,                // opt data len
        0,      0, 0, 0,  // data
    };
    p.insert(p.end(), ext.begin(), ext.end());
    return p;
}

// SPEC §3 DOr, 64 bytes.
std::vector<std::uint8_t> dor(std::uint8_t option = 66) {
    auto p = ipv6_header(60, 24);
    std::vector<std::uint8_t> ext = {
        59,               // next header: none
        2,                // hdr ext len: 24 bytes
        option,           // option type
        20,               // opt data len
        0,      0, 0, 2,  // capability mask: IKEv2
    };
    p.insert(p.end(), ext.begin(), ext.end());
    for (int i = 0; i < 16; ++i) p.push_back(i == 0 ? 0xfd : 0);  // queried
    return p;
}

bool accepts(const std::vector<BpfInsn>& prog,
             const std::vector<std::uint8_t>& pkt) {
    auto verdict = run_bpf(prog, pkt);
    BOOST_REQUIRE_MESSAGE(verdict.has_value(), "filter program invalid");
    return *verdict != 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tun_scout_filter)

BOOST_AUTO_TEST_CASE(golden_packets_have_spec_sizes) {
    BOOST_TEST(doq().size() == 48u);
    BOOST_TEST(dor().size() == 64u);
}

BOOST_AUTO_TEST_CASE(accepts_doq_and_dor_whole) {
    auto prog = tun::build_scout_filter(196, 66);
    BOOST_TEST(accepts(prog, doq()));
    BOOST_TEST(accepts(prog, dor()));
    BOOST_TEST(*run_bpf(prog, doq()) >= 48u);  // keeps the whole packet
}

BOOST_AUTO_TEST_CASE(follows_configured_option_types) {
    auto prog = tun::build_scout_filter(0xde, 0x5e);
    BOOST_TEST(accepts(prog, doq(0xde)));
    BOOST_TEST(accepts(prog, dor(0x5e)));
    BOOST_TEST(!accepts(prog, doq(196)));
    BOOST_TEST(!accepts(prog, dor(66)));
}

BOOST_AUTO_TEST_CASE(rejects_other_destination_options) {
    auto prog = tun::build_scout_filter(196, 66);
    BOOST_TEST(!accepts(prog, doq(0xc5)));
    // DOq option type with the DOr length and the other way round.
    auto doq_len20 = doq();
    doq_len20[43] = 20;
    BOOST_TEST(!accepts(prog, doq_len20));
    auto dor_len4 = dor();
    dor_len4[43] = 4;
    BOOST_TEST(!accepts(prog, dor_len4));
}

BOOST_AUTO_TEST_CASE(rejects_other_next_headers_and_versions) {
    auto prog = tun::build_scout_filter(196, 66);
    auto udp = doq();
    udp[6] = 17;
    BOOST_TEST(!accepts(prog, udp));
    auto hop_by_hop = doq();
    hop_by_hop[6] = 0;
    BOOST_TEST(!accepts(prog, hop_by_hop));
    auto v4 = doq();
    v4[0] = 0x45;
    BOOST_TEST(!accepts(prog, v4));
}

BOOST_AUTO_TEST_CASE(rejects_every_truncation) {
    auto prog = tun::build_scout_filter(196, 66);
    for (const auto& golden : {doq(), dor()}) {
        for (std::size_t len = 0; len < 44; ++len) {
            std::vector<std::uint8_t> cut(golden.begin(), golden.begin() + len);
            BOOST_TEST(!accepts(prog, cut), "len " << len);
        }
    }
}

BOOST_AUTO_TEST_CASE(mutations_never_break_the_program) {
    auto prog = tun::build_scout_filter(196, 66);
    for (const auto& golden : {doq(), dor()}) {
        for (std::size_t byte = 0; byte < golden.size(); ++byte) {
            for (int bit = 0; bit < 8; ++bit) {
                auto m = golden;
                m[byte] ^= static_cast<std::uint8_t>(1u << bit);
                // Only the version nibble (high bits of byte 0), the next
                // header (6) and the option type and length (42, 43) are
                // checked; any single flip there rejects.
                bool expect = byte != 6 && byte != 42 && byte != 43;
                if (byte == 0) expect = bit < 4;
                BOOST_TEST(accepts(prog, m) == expect,
                           "byte " << byte << " bit " << bit);
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
