// EspOutboundSa / EspInboundSa behaviour: round trips, wire layout, every
// failure path with its Errc and counter, and the order of the checks.
#include "core/esp_sa.hpp"

#include <array>
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <map>
#include <ostream>
#include <random>
#include <string>
#include <vector>

using namespace scout6::core;

// Lets Boost.Test print an Errc when a comparison fails.
namespace scout6::core {
inline std::ostream& operator<<(std::ostream& os, Errc code) {
    return os << to_string(code);
}
}  // namespace scout6::core

namespace {

constexpr std::uint32_t kSpi = 0xc0ffee01;

std::vector<std::uint8_t> test_keymat(std::uint8_t seed = 0x10) {
    std::vector<std::uint8_t> k(kEspKeymatBytes);
    for (std::size_t i = 0; i < k.size(); ++i)
        k[i] = static_cast<std::uint8_t>(seed + i * 7);
    return k;
}

std::vector<std::uint8_t> test_payload(std::size_t n) {
    std::vector<std::uint8_t> p(n);
    for (std::size_t i = 0; i < n; ++i)
        p[i] = static_cast<std::uint8_t>(0x60 + i * 13);
    return p;
}

struct Pair {
    EspOutboundSa out;
    EspInboundSa in;
};

Pair make_pair_sa() {
    auto out = EspOutboundSa::create(kSpi, test_keymat());
    auto in = EspInboundSa::create(kSpi, test_keymat());
    BOOST_TEST_REQUIRE(out.has_value());
    BOOST_TEST_REQUIRE(in.has_value());
    return Pair{std::move(*out), std::move(*in)};
}

std::vector<std::uint8_t> seal_one(EspOutboundSa& sa, std::size_t n) {
    auto payload = test_payload(n);
    std::vector<std::uint8_t> out(esp_sealed_size(n));
    auto sealed = sa.seal(kNextHeaderIpv6, payload, out);
    BOOST_TEST_REQUIRE(sealed.has_value());
    BOOST_TEST_REQUIRE(*sealed == out.size());
    return out;
}

// A packet sealed at a chosen sequence number.
std::vector<std::uint8_t> seal_at(EspOutboundSa& sa, std::uint32_t seq) {
    sa.set_sequence_for_test(seq - 1);
    return seal_one(sa, 20);
}

std::uint32_t be32(const std::vector<std::uint8_t>& p, std::size_t at) {
    return std::uint32_t{p[at]} << 24 | std::uint32_t{p[at + 1]} << 16 |
           std::uint32_t{p[at + 2]} << 8 | p[at + 3];
}

// Builds an authentic packet around an arbitrary plaintext (payload,
// padding and trailer chosen by the test) with a raw EspAead, so that the
// trailer checks can be reached behind a valid ICV.
std::vector<std::uint8_t> seal_raw(std::uint32_t seq,
                                   const std::vector<std::uint8_t>& plain) {
    auto aead = EspAead::create(EspAead::Direction::kSeal, test_keymat());
    BOOST_TEST_REQUIRE(aead.has_value());
    std::vector<std::uint8_t> pkt(kEspPayloadOffset + plain.size() +
                                  kEspIcvBytes);
    ByteWriter w(pkt);
    w.write_u32(kSpi);
    w.write_u32(seq);
    w.write_u64(seq);
    w.write_bytes(plain);
    BOOST_TEST_REQUIRE(w.ok());
    MutableBytes all(pkt);
    auto sealed = aead->seal(seq, all.first(kEspHeaderBytes),
                             all.subspan(kEspPayloadOffset, plain.size()),
                             all.last(kEspIcvBytes));
    BOOST_TEST_REQUIRE(sealed.has_value());
    return pkt;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(core_esp_sa)

BOOST_AUTO_TEST_CASE(round_trips_every_small_size_and_mtu_sizes) {
    auto sa = make_pair_sa();
    std::vector<std::size_t> sizes;
    for (std::size_t n = 0; n <= 70; ++n) sizes.push_back(n);
    sizes.insert(sizes.end(), {1024, 1280, 1400, 1500});
    for (std::size_t n : sizes) {
        auto pkt = seal_one(sa.out, n);
        BOOST_TEST((pkt.size() - kEspPayloadOffset - kEspIcvBytes) %
                       kEspAlignBytes ==
                   0u);
        BOOST_TEST(pkt.size() <= n + kEspMaxOverhead);
        auto opened = sa.in.open(pkt);
        BOOST_TEST_REQUIRE(opened.has_value(), "size " << n);
        BOOST_TEST(opened->next_header == kNextHeaderIpv6);
        auto expected = test_payload(n);
        BOOST_TEST(std::vector<std::uint8_t>(opened->payload.begin(),
                                             opened->payload.end()) == expected,
                   boost::test_tools::per_element());
        // The payload view points into the packet buffer (in place).
        BOOST_TEST((n == 0 ||
                    opened->payload.data() == pkt.data() + kEspPayloadOffset));
    }
    BOOST_TEST(sa.out.stats().packets == sizes.size());
    BOOST_TEST(sa.in.stats().packets == sizes.size());
    BOOST_TEST(sa.in.stats().bytes == sa.out.stats().bytes);
}

BOOST_AUTO_TEST_CASE(header_carries_spi_counting_seq_and_seq_as_iv) {
    auto sa = make_pair_sa();
    for (std::uint32_t want = 1; want <= 3; ++want) {
        auto pkt = seal_one(sa.out, 10);
        BOOST_TEST(be32(pkt, 0) == kSpi);
        BOOST_TEST(be32(pkt, 4) == want);
        BOOST_TEST(be32(pkt, 8) == 0u);  // IV high half
        BOOST_TEST(be32(pkt, 12) == want);
        BOOST_TEST(sa.out.last_sequence() == want);
        auto opened = sa.in.open(pkt);
        BOOST_TEST_REQUIRE(opened.has_value());
        BOOST_TEST(opened->seq == want);
    }
}

BOOST_AUTO_TEST_CASE(padding_is_one_two_three_up_to_four_byte_boundary) {
    // Decrypting with a raw EspAead shows the plaintext seal() built.
    auto sa = make_pair_sa();
    auto reader = EspAead::create(EspAead::Direction::kOpen, test_keymat());
    BOOST_TEST_REQUIRE(reader.has_value());
    for (std::size_t n = 0; n < 8; ++n) {
        auto pkt = seal_one(sa.out, n);
        MutableBytes all(pkt);
        auto text = all.subspan(kEspPayloadOffset,
                                pkt.size() - kEspPayloadOffset - kEspIcvBytes);
        auto opened = reader->open(be32(pkt, 12), all.first(kEspHeaderBytes),
                                   text, all.last(kEspIcvBytes));
        BOOST_TEST_REQUIRE(opened.has_value());
        std::size_t pad = (4 - (n + 2) % 4) % 4;
        BOOST_TEST(text.size() == n + pad + 2);
        for (std::size_t i = 0; i < pad; ++i) BOOST_TEST(text[n + i] == i + 1);
        BOOST_TEST(text[n + pad] == pad);
        BOOST_TEST(text[n + pad + 1] == kNextHeaderIpv6);
    }
}

BOOST_AUTO_TEST_CASE(seals_in_place_from_payload_offset) {
    auto sa = make_pair_sa();
    auto payload = test_payload(100);
    std::vector<std::uint8_t> buf(esp_sealed_size(payload.size()));
    std::copy(payload.begin(), payload.end(), buf.begin() + kEspPayloadOffset);
    Bytes in_place(buf.data() + kEspPayloadOffset, payload.size());
    auto sealed = sa.out.seal(kNextHeaderIpv6, in_place, buf);
    BOOST_TEST_REQUIRE(sealed.has_value());
    auto opened = sa.in.open(buf);
    BOOST_TEST_REQUIRE(opened.has_value());
    BOOST_TEST(std::vector<std::uint8_t>(opened->payload.begin(),
                                         opened->payload.end()) == payload,
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(refuses_small_output_without_using_a_sequence_number) {
    auto sa = make_pair_sa();
    auto payload = test_payload(30);
    std::vector<std::uint8_t> out(esp_sealed_size(30) - 1);
    auto sealed = sa.out.seal(kNextHeaderIpv6, payload, out);
    BOOST_TEST_REQUIRE(!sealed.has_value());
    BOOST_TEST(sealed.error().code == Errc::kNoSpace);
    BOOST_TEST(sa.out.last_sequence() == 0u);
}

BOOST_AUTO_TEST_CASE(rejects_keymat_of_wrong_length) {
    auto short_key = test_keymat();
    short_key.pop_back();
    auto out = EspOutboundSa::create(kSpi, short_key);
    BOOST_TEST_REQUIRE(!out.has_value());
    BOOST_TEST(out.error().code == Errc::kMalformed);
    auto long_key = test_keymat();
    long_key.push_back(0);
    auto in = EspInboundSa::create(kSpi, long_key);
    BOOST_TEST_REQUIRE(!in.has_value());
    BOOST_TEST(in.error().code == Errc::kMalformed);
}

BOOST_AUTO_TEST_CASE(every_single_byte_tamper_fails) {
    auto sa = make_pair_sa();
    auto good = seal_one(sa.out, 61);
    std::uint64_t expected_auth = 0;
    for (std::size_t at = 0; at < good.size(); ++at) {
        for (std::uint8_t mask :
             {std::uint8_t{0x01}, std::uint8_t{0x80}, std::uint8_t{0xff}}) {
            auto pkt = good;
            pkt[at] ^= mask;
            auto opened = sa.in.open(pkt);
            BOOST_TEST_REQUIRE(!opened.has_value(), "byte " << at);
            if (at < 4) {  // the SPI names another SA
                BOOST_TEST(opened.error().code == Errc::kNotFound);
            } else if (be32(pkt, 4) == 0) {  // sequence 0 is never valid
                BOOST_TEST(opened.error().code == Errc::kReplay);
            } else {
                BOOST_TEST(opened.error().code == Errc::kAuthFailed,
                           "byte " << at << " mask " << int(mask));
                ++expected_auth;
            }
        }
    }
    BOOST_TEST(sa.in.stats().auth_failures == expected_auth);
    BOOST_TEST(sa.in.stats().spi_mismatches == 4u * 3u);
    // None of the forgeries moved the window: the original still opens.
    BOOST_TEST(sa.in.open(good).has_value());
}

BOOST_AUTO_TEST_CASE(other_key_fails_auth) {
    auto out = EspOutboundSa::create(kSpi, test_keymat(0x10));
    auto in = EspInboundSa::create(kSpi, test_keymat(0x11));
    BOOST_TEST_REQUIRE(out.has_value());
    BOOST_TEST_REQUIRE(in.has_value());
    auto pkt = seal_one(*out, 40);
    auto opened = in->open(pkt);
    BOOST_TEST_REQUIRE(!opened.has_value());
    BOOST_TEST(opened.error().code == Errc::kAuthFailed);
}

BOOST_AUTO_TEST_CASE(truncation_at_every_length_is_rejected) {
    auto sa = make_pair_sa();
    auto good = seal_one(sa.out, 37);
    for (std::size_t n = 0; n < good.size(); ++n) {
        std::vector<std::uint8_t> cut(good.begin(), good.begin() + n);
        auto opened = sa.in.open(cut);
        BOOST_TEST_REQUIRE(!opened.has_value(), "length " << n);
        Errc want =
            n < kEspMinPacketBytes ? Errc::kTruncated : Errc::kAuthFailed;
        BOOST_TEST((opened.error().code == want), "length " << n);
    }
    BOOST_TEST(sa.in.stats().truncated == kEspMinPacketBytes);
    BOOST_TEST(sa.in.open(good).has_value());
}

BOOST_AUTO_TEST_CASE(duplicate_is_a_replay_after_the_first) {
    auto sa = make_pair_sa();
    auto pkt = seal_one(sa.out, 20);
    auto copy = pkt;
    BOOST_TEST(sa.in.open(pkt).has_value());
    auto again = sa.in.open(copy);
    BOOST_TEST_REQUIRE(!again.has_value());
    BOOST_TEST(again.error().code == Errc::kReplay);
    BOOST_TEST(sa.in.stats().replays == 1u);
}

BOOST_AUTO_TEST_CASE(reordered_inside_window_accepted_once) {
    auto sa = make_pair_sa();
    auto p1 = seal_one(sa.out, 20);
    auto p2 = seal_one(sa.out, 20);
    auto p3 = seal_one(sa.out, 20);
    BOOST_TEST(sa.in.open(p3).has_value());
    BOOST_TEST(sa.in.open(p1).has_value());
    BOOST_TEST(sa.in.open(p2).has_value());
    auto again = sa.in.open(p1);
    BOOST_TEST_REQUIRE(!again.has_value());
    BOOST_TEST(again.error().code == Errc::kReplay);
}

BOOST_AUTO_TEST_CASE(far_ahead_jump_makes_old_packets_stale) {
    auto sa = make_pair_sa();
    auto old = seal_at(sa.out, 2);
    auto ahead = seal_at(sa.out, 1'000'000);
    BOOST_TEST(sa.in.open(ahead).has_value());
    auto late = sa.in.open(old);
    BOOST_TEST_REQUIRE(!late.has_value());
    BOOST_TEST(late.error().code == Errc::kReplay);
}

BOOST_AUTO_TEST_CASE(window_edge_is_exact) {
    auto sa = make_pair_sa();
    constexpr std::uint32_t kTop = 5000;
    constexpr std::uint32_t kOldest = kTop - ReplayWindow::kWindowBits + 1;
    auto edge = seal_at(sa.out, kOldest);
    auto outside = seal_at(sa.out, kOldest - 1);
    auto top = seal_at(sa.out, kTop);
    BOOST_TEST(sa.in.open(top).has_value());
    BOOST_TEST(sa.in.open(edge).has_value());
    auto stale = sa.in.open(outside);
    BOOST_TEST_REQUIRE(!stale.has_value());
    BOOST_TEST(stale.error().code == Errc::kReplay);
}

BOOST_AUTO_TEST_CASE(sequence_zero_is_refused_before_decrypting) {
    auto sa = make_pair_sa();
    auto pkt = seal_raw(0, {0xaa, 0xbb, 1, 2, 2, kNextHeaderIpv6});
    auto opened = sa.in.open(pkt);
    BOOST_TEST_REQUIRE(!opened.has_value());
    BOOST_TEST(opened.error().code == Errc::kReplay);
    BOOST_TEST(sa.in.stats().auth_failures == 0u);
}

BOOST_AUTO_TEST_CASE(bad_padding_behind_valid_icv_is_malformed) {
    auto sa = make_pair_sa();
    // Payload aa bb cc, then padding 1 2 4 (should be 1 2 3).
    auto pkt = seal_raw(7, {0xaa, 0xbb, 0xcc, 1, 2, 4, 3, kNextHeaderIpv6});
    auto copy = pkt;
    auto opened = sa.in.open(pkt);
    BOOST_TEST_REQUIRE(!opened.has_value());
    BOOST_TEST(opened.error().code == Errc::kMalformed);
    BOOST_TEST(sa.in.stats().malformed == 1u);
    BOOST_TEST(sa.in.stats().auth_failures == 0u);
    // It was authentic, so its sequence number is used up (§3.4.3).
    BOOST_TEST(sa.in.replay_window().top() == 7u);
    auto again = sa.in.open(copy);
    BOOST_TEST_REQUIRE(!again.has_value());
    BOOST_TEST(again.error().code == Errc::kReplay);
}

BOOST_AUTO_TEST_CASE(pad_length_beyond_plaintext_is_malformed) {
    auto sa = make_pair_sa();
    auto pkt = seal_raw(3, {0xaa, 0xbb, 3, kNextHeaderIpv6});
    auto opened = sa.in.open(pkt);
    BOOST_TEST_REQUIRE(!opened.has_value());
    BOOST_TEST(opened.error().code == Errc::kMalformed);
}

BOOST_AUTO_TEST_CASE(well_formed_raw_packet_opens) {
    // The control for the two cases above: same builder, right padding.
    auto sa = make_pair_sa();
    auto pkt = seal_raw(9, {0xaa, 0xbb, 0xcc, 1, 2, 3, 3, kNextHeaderNone});
    auto opened = sa.in.open(pkt);
    BOOST_TEST_REQUIRE(opened.has_value());
    BOOST_TEST(opened->payload.size() == 3u);
    BOOST_TEST(opened->next_header == kNextHeaderNone);
    BOOST_TEST(opened->seq == 9u);
}

BOOST_AUTO_TEST_CASE(wrong_spi_is_not_found) {
    auto out = EspOutboundSa::create(kSpi + 1, test_keymat());
    BOOST_TEST_REQUIRE(out.has_value());
    auto in = EspInboundSa::create(kSpi, test_keymat());
    BOOST_TEST_REQUIRE(in.has_value());
    auto pkt = seal_one(*out, 8);
    auto opened = in->open(pkt);
    BOOST_TEST_REQUIRE(!opened.has_value());
    BOOST_TEST(opened.error().code == Errc::kNotFound);
}

BOOST_AUTO_TEST_CASE(sequence_exhaustion_refuses_before_wrap) {
    auto sa = make_pair_sa();
    sa.out.set_sequence_for_test(UINT32_MAX - 1);
    auto last = seal_one(sa.out, 16);
    BOOST_TEST(be32(last, 4) == UINT32_MAX);
    BOOST_TEST(sa.in.open(last).has_value());

    auto payload = test_payload(16);
    std::vector<std::uint8_t> out(esp_sealed_size(16));
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto refused = sa.out.seal(kNextHeaderIpv6, payload, out);
        BOOST_TEST_REQUIRE(!refused.has_value());
        BOOST_TEST(refused.error().code == Errc::kBadState);
        BOOST_TEST(std::string(refused.error().detail).find("exhausted") !=
                   std::string::npos);
    }
    BOOST_TEST(sa.out.stats().seq_exhausted == 2u);
    BOOST_TEST(sa.out.last_sequence() == UINT32_MAX);
}

BOOST_AUTO_TEST_CASE(moved_sa_keeps_working) {
    auto sa = make_pair_sa();
    auto first = seal_one(sa.out, 12);
    EspOutboundSa out = std::move(sa.out);
    EspInboundSa in = std::move(sa.in);
    auto second = seal_one(out, 12);
    BOOST_TEST(be32(second, 4) == 2u);
    BOOST_TEST(in.open(first).has_value());
    BOOST_TEST(in.open(second).has_value());
}

BOOST_AUTO_TEST_CASE(random_mutations_never_open_or_crash) {
    auto sa = make_pair_sa();
    std::mt19937 rng(4303);
    std::vector<std::vector<std::uint8_t>> goldens = {
        seal_one(sa.out, 0), seal_one(sa.out, 1), seal_one(sa.out, 64),
        seal_one(sa.out, 1400)};
    for (const auto& golden : goldens) {
        for (int round = 0; round < 300; ++round) {
            auto pkt = golden;
            int flips = 1 + static_cast<int>(rng() % 3);
            for (int f = 0; f < flips; ++f) {
                std::size_t at = rng() % pkt.size();
                std::uint8_t mask = static_cast<std::uint8_t>(1 + rng() % 255);
                pkt[at] ^= mask;
            }
            if (rng() % 4 == 0) pkt.resize(rng() % pkt.size());
            BOOST_TEST_REQUIRE(!sa.in.open(pkt).has_value());
        }
    }
    // All goldens are still fresh: no mutation consumed a number.
    for (auto golden : goldens) BOOST_TEST(sa.in.open(golden).has_value());
}

BOOST_AUTO_TEST_CASE(stats_list_every_counter_by_name) {
    auto sa = make_pair_sa();
    auto pkt = seal_one(sa.out, 10);
    auto dup = pkt;
    BOOST_TEST(sa.in.open(pkt).has_value());
    BOOST_TEST(!sa.in.open(dup).has_value());
    std::map<std::string, std::uint64_t> seen;
    sa.in.stats().for_each(
        [&](const char* name, std::uint64_t value) { seen[name] = value; });
    BOOST_TEST(seen.size() == 9u);
    BOOST_TEST(seen["packets"] == 1u);
    BOOST_TEST(seen["bytes"] == 10u);
    BOOST_TEST(seen["replays"] == 1u);
    BOOST_TEST(seen["auth_failures"] == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
