// Golden encodings of the payloads scout6 sends (RFC 7296 §3), parse
// results, truncation at every offset and serialize -> parse round trips.
#include <array>
#include <boost/test/unit_test.hpp>
#include <vector>

#include "ike/exchange/proposals.hpp"
#include "ike/wire/payloads.hpp"

using namespace scout6;
using namespace scout6::ike;

namespace {

template <typename Fn>
std::vector<std::uint8_t> write(Fn&& fn) {
    std::vector<std::uint8_t> buf(2048);
    core::ByteWriter w(buf);
    BOOST_REQUIRE(fn(w));
    buf.resize(w.size());
    return buf;
}

core::Ip6Addr addr(const char* text) {
    return *core::Ip6Addr::parse(text);
}

// clang-format off
// SA payload body of ike_offer() (§3.3).
const std::vector<std::uint8_t> kIkeSa = {
    0x00,              // last substructure: last proposal
    0x00,              // RESERVED
    0x00, 0x24,        // proposal length 36
    0x01,              // proposal number 1
    0x01,              // protocol ID IKE
    0x00,              // SPI size 0 (IKE_SA_INIT)
    0x03,              // 3 transforms
    0x03, 0x00,        // more transforms, RESERVED
    0x00, 0x0c,        // transform length 12
    0x01, 0x00,        // type ENCR, RESERVED
    0x00, 0x14,        // ENCR_AES_GCM_16 (20)
    0x80, 0x0e,        // AF=1 (TV), attribute 14 Key Length
    0x01, 0x00,        // 256 bits
    0x03, 0x00, 0x00, 0x08,  // more transforms, length 8
    0x02, 0x00, 0x00, 0x05,  // PRF, PRF_HMAC_SHA2_256
    0x00, 0x00, 0x00, 0x08,  // last transform, length 8
    0x04, 0x00, 0x00, 0x1f,  // DH, group 31 (Curve25519)
};

// SA payload body of esp_offer(0x01020304).
const std::vector<std::uint8_t> kEspSa = {
    0x00, 0x00,        // last proposal, RESERVED
    0x00, 0x20,        // proposal length 32
    0x01, 0x03,        // proposal 1, protocol ESP
    0x04, 0x02,        // SPI size 4, 2 transforms
    0x01, 0x02, 0x03, 0x04,  // SPI
    0x03, 0x00, 0x00, 0x0c,  // more transforms, length 12
    0x01, 0x00, 0x00, 0x14,  // ENCR_AES_GCM_16
    0x80, 0x0e, 0x01, 0x00,  // Key Length 256 (TV)
    0x00, 0x00, 0x00, 0x08,  // last transform, length 8
    0x05, 0x00, 0x00, 0x00,  // ESN, no ESN
};

// TSi body for fd00:20::1/128 (§3.13, §3.13.1).
const std::vector<std::uint8_t> kTsHost = {
    0x01,              // number of TSs
    0x00, 0x00, 0x00,  // RESERVED
    0x08,              // TS_IPV6_ADDR_RANGE
    0x00,              // IP protocol ID: any
    0x00, 0x28,        // selector length 40
    0x00, 0x00,        // start port 0
    0xff, 0xff,        // end port 65535
    0xfd, 0x00, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,  // start
    0xfd, 0x00, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,  // end
};

// IKE header (§3.1) of an IKE_SA_INIT request, length 300.
const std::vector<std::uint8_t> kHeader = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,  // SPIi
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // SPIr (unknown yet)
    0x21,              // next payload SA (33)
    0x20,              // version 2.0
    0x22,              // exchange IKE_SA_INIT (34)
    0x08,              // flags: I
    0x00, 0x00, 0x00, 0x00,  // message ID 0
    0x00, 0x00, 0x01, 0x2c,  // length 300
};
// clang-format on

}  // namespace

BOOST_AUTO_TEST_SUITE(ike_wire_payloads)

BOOST_AUTO_TEST_CASE(ike_offer_encodes_as_rfc7296_substructures) {
    auto bytes = write([](auto& w) { return serialize_sa(ike_offer(), w); });
    BOOST_TEST(bytes == kIkeSa, boost::test_tools::per_element());
    auto sa = parse_sa(kIkeSa);
    BOOST_REQUIRE(sa);
    BOOST_TEST((*sa == ike_offer()));
    BOOST_TEST(sa->proposals[0].transforms[0].key_length.value() == 256);
}

BOOST_AUTO_TEST_CASE(esp_offer_encodes_spi_and_esn) {
    auto bytes =
        write([](auto& w) { return serialize_sa(esp_offer(0x01020304), w); });
    BOOST_TEST(bytes == kEspSa, boost::test_tools::per_element());
    auto sa = parse_sa(kEspSa);
    BOOST_REQUIRE(sa);
    BOOST_TEST(accept_esp_answer(*sa).value() == 0x01020304u);
}

BOOST_AUTO_TEST_CASE(sa_truncated_anywhere_is_truncated) {
    for (std::size_t n = 0; n < kIkeSa.size(); ++n) {
        auto sa = parse_sa(core::Bytes(kIkeSa.data(), n));
        BOOST_REQUIRE_MESSAGE(!sa, "cut at " << n);
        BOOST_TEST((sa.error().code == core::Errc::kTruncated),
                   "cut at " << n << ": " << sa.error().describe());
    }
}

BOOST_AUTO_TEST_CASE(sa_rejects_bad_markers_and_numbers) {
    auto bad = kIkeSa;
    bad[0] = 0x02;  // claims more proposals, none follow
    BOOST_TEST(!parse_sa(bad));
    bad = kIkeSa;
    bad[8] = 0x00;  // first transform claims to be last of three
    BOOST_TEST((parse_sa(bad).error().code == core::Errc::kMalformed));
    bad = kIkeSa;
    bad[4] = 0x02;  // first proposal numbered 2
    BOOST_TEST((parse_sa(bad).error().code == core::Errc::kMalformed));
    bad = kIkeSa;
    bad[6] = 0x03;  // SPI size 3
    BOOST_TEST((parse_sa(bad).error().code == core::Errc::kMalformed));
}

BOOST_AUTO_TEST_CASE(unknown_transform_attribute_is_flagged) {
    auto odd = kIkeSa;
    odd[17] = 0x0f;  // attribute 15 instead of 14
    auto sa = parse_sa(odd);
    BOOST_REQUIRE(sa);
    BOOST_TEST(sa->proposals[0].transforms[0].unknown_attribute);
    BOOST_TEST(select_ike_proposal(*sa) == nullptr);
    BOOST_TEST(select_ike_proposal(*parse_sa(kIkeSa)) != nullptr);
}

BOOST_AUTO_TEST_CASE(header_golden_and_checks) {
    std::vector<std::uint8_t> datagram = kHeader;
    datagram.resize(300);
    auto h = parse_header(datagram);
    BOOST_REQUIRE(h);
    BOOST_TEST(h->spi_i == 0x1122334455667788u);
    BOOST_TEST(h->spi_r == 0u);
    BOOST_TEST((h->next_payload == PayloadType::kSa));
    BOOST_TEST((h->exchange == ExchangeType::kIkeSaInit));
    BOOST_TEST(h->from_initiator());
    BOOST_TEST(!h->is_response());
    auto again = write([&](auto& w) { return serialize_header(*h, w); });
    BOOST_TEST(again == kHeader, boost::test_tools::per_element());

    for (std::size_t n = 0; n < kIkeHeaderBytes; ++n)
        BOOST_TEST(
            (parse_header(core::Bytes(datagram.data(), n)).error().code ==
             core::Errc::kTruncated));
    datagram.push_back(0);  // one byte more than Length says
    BOOST_TEST((parse_header(datagram).error().code == core::Errc::kMalformed));
    datagram.pop_back();
    datagram[17] = 0x30;  // version 3.0
    BOOST_TEST(
        (parse_header(datagram).error().code == core::Errc::kUnsupported));
    datagram[17] = 0x21;  // 2.1: minor versions are ignored (§2.5)
    BOOST_TEST(parse_header(datagram).has_value());
}

BOOST_AUTO_TEST_CASE(traffic_selector_golden_and_prefix_conversion) {
    auto p = *core::Ip6Prefix::parse("fd00:20::1/128");
    auto bytes = write([&](auto& w) {
        return serialize_ts(TsPayload{{selector_from_prefix(p)}}, w);
    });
    BOOST_TEST(bytes == kTsHost, boost::test_tools::per_element());
    auto ts = parse_ts(kTsHost);
    BOOST_REQUIRE(ts);
    BOOST_TEST((prefix_from_selector(ts->selectors[0]).value() == p));

    auto net = *core::Ip6Prefix::parse("fd00:20::/48");
    auto sel = selector_from_prefix(net);
    BOOST_TEST((sel.end == addr("fd00:20:0:ffff:ffff:ffff:ffff:ffff")));
    BOOST_TEST((prefix_from_selector(sel).value() == net));
    sel.end = addr("fd00:20::5");  // a range that is not a prefix
    BOOST_TEST(
        (prefix_from_selector(sel).error().code == core::Errc::kUnsupported));
    sel = selector_from_prefix(net);
    sel.end_port = 80;
    BOOST_TEST(!prefix_from_selector(sel));

    for (std::size_t n = 0; n < kTsHost.size(); ++n)
        BOOST_TEST((parse_ts(core::Bytes(kTsHost.data(), n)).error().code ==
                    core::Errc::kTruncated));
}

BOOST_AUTO_TEST_CASE(small_payloads_golden) {
    std::array<std::uint8_t, 4> data{0xaa, 0xbb, 0xcc, 0xdd};
    // KE: group 31, RESERVED 2 bytes, data.
    auto ke = write([&](auto& w) { return serialize_ke(31, data, w); });
    BOOST_TEST(ke == (std::vector<std::uint8_t>{0x00, 0x1f, 0x00, 0x00, 0xaa,
                                                0xbb, 0xcc, 0xdd}),
               boost::test_tools::per_element());
    // ID: ID_IPV6_ADDR, 3 RESERVED, address.
    auto a = addr("fd00:10::1");
    auto id = write(
        [&](auto& w) { return serialize_id(IdType::kIpv6Addr, a.bytes, w); });
    BOOST_TEST(id.size() == 20u);
    BOOST_TEST(id[0] == 5);
    BOOST_TEST((id[1] | id[2] | id[3]) == 0);
    auto pid = parse_id(id);
    BOOST_REQUIRE(pid);
    BOOST_TEST(pid->rest.size() == 20u);
    // AUTH: Shared Key MIC (2), 3 RESERVED, data.
    auto auth = write([&](auto& w) {
        return serialize_auth(AuthMethod::kSharedKeyMic, data, w);
    });
    BOOST_TEST(auth == (std::vector<std::uint8_t>{0x02, 0, 0, 0, 0xaa, 0xbb,
                                                  0xcc, 0xdd}),
               boost::test_tools::per_element());
    // Notify: protocol 0, SPI size 0, type COOKIE (16390 = 0x4006), data.
    auto n = write([&](auto& w) {
        return serialize_notify(ProtocolId::kNone, NotifyType::kCookie, {},
                                data, w);
    });
    BOOST_TEST(n == (std::vector<std::uint8_t>{0x00, 0x00, 0x40, 0x06, 0xaa,
                                               0xbb, 0xcc, 0xdd}),
               boost::test_tools::per_element());
    // Delete of the IKE SA: protocol 1, SPI size 0, 0 SPIs.
    auto d = write([&](auto& w) {
        return serialize_delete(DeletePayload{ProtocolId::kIke, {}}, w);
    });
    BOOST_TEST(d == (std::vector<std::uint8_t>{0x01, 0x00, 0x00, 0x00}),
               boost::test_tools::per_element());
    // Delete of one ESP SA: protocol 3, SPI size 4, 1 SPI.
    auto de = write([&](auto& w) {
        return serialize_delete(DeletePayload{ProtocolId::kEsp, {0xc0ffee01}},
                                w);
    });
    BOOST_TEST(de == (std::vector<std::uint8_t>{0x03, 0x04, 0x00, 0x01, 0xc0,
                                                0xff, 0xee, 0x01}),
               boost::test_tools::per_element());
    BOOST_TEST(parse_delete(de)->spis.at(0) == 0xc0ffee01u);
    de[3] = 2;  // claims two SPIs
    BOOST_TEST((parse_delete(de).error().code == core::Errc::kTruncated));
}

BOOST_AUTO_TEST_CASE(nonce_length_limits) {
    std::vector<std::uint8_t> nonce(15);
    BOOST_TEST(!parse_nonce(nonce));
    nonce.resize(16);
    BOOST_TEST(parse_nonce(nonce).has_value());
    nonce.resize(256);
    BOOST_TEST(parse_nonce(nonce).has_value());
    nonce.resize(257);
    BOOST_TEST(!parse_nonce(nonce));
}

BOOST_AUTO_TEST_CASE(wire_enums_have_names) {
    BOOST_TEST(to_string(ExchangeType::kIkeAuth) == std::string("IKE_AUTH"));
    BOOST_TEST(to_string(PayloadType::kTsr) == std::string("TSr"));
    BOOST_TEST(to_string(NotifyType::kNatDetectionSourceIp) ==
               std::string("NAT_DETECTION_SOURCE_IP"));
    BOOST_TEST(to_string(IdType::kIpv6Addr) == std::string("ID_IPV6_ADDR"));
    BOOST_TEST(to_string(TransformType::kEsn) == std::string("ESN"));
    BOOST_TEST(to_string(static_cast<NotifyType>(40000)) ==
               std::string("UNKNOWN(40000)"));
}

BOOST_AUTO_TEST_CASE(mutated_payload_bodies_never_crash) {
    const std::vector<std::vector<std::uint8_t>> goldens = {kIkeSa, kEspSa,
                                                            kTsHost};
    std::size_t parsed = 0, refused = 0;
    for (const auto& golden : goldens) {
        for (std::size_t i = 0; i < golden.size(); ++i) {
            for (int bit = -1; bit < 8; ++bit) {
                auto m = golden;
                m[i] = bit < 0 ? static_cast<std::uint8_t>(~m[i])
                               : static_cast<std::uint8_t>(m[i] ^ (1u << bit));
                for (auto r :
                     {parse_sa(m).has_value(), parse_ts(m).has_value(),
                      parse_delete(m).has_value(), parse_notify(m).has_value()})
                    (r ? parsed : refused)++;
            }
        }
    }
    BOOST_TEST(parsed > 0u);
    BOOST_TEST(refused > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
