// classify_udp4500: RFC 3948 §2 demultiplexing on port 4500.
#include <array>
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/udp_encap.hpp"

using namespace scout6::core;

BOOST_AUTO_TEST_SUITE(core_esp_udp_encap)

BOOST_AUTO_TEST_CASE(single_ff_is_keepalive) {
    const std::array<std::uint8_t, 1> d{0xff};
    auto c = classify_udp4500(d);
    BOOST_TEST((c.kind == UdpKind::kKeepalive));
    BOOST_TEST(c.body.empty());
}

BOOST_AUTO_TEST_CASE(other_single_byte_and_empty_are_invalid) {
    const std::array<std::uint8_t, 1> d{0x00};
    BOOST_TEST((classify_udp4500(d).kind == UdpKind::kInvalid));
    BOOST_TEST((classify_udp4500(Bytes{}).kind == UdpKind::kInvalid));
    const std::array<std::uint8_t, 2> two{0xff, 0xff};
    BOOST_TEST((classify_udp4500(two).kind == UdpKind::kInvalid));
}

BOOST_AUTO_TEST_CASE(zero_marker_is_ike_with_body_after_it) {
    const std::vector<std::uint8_t> d = {
        0x00, 0x00, 0x00, 0x00,  // non-ESP marker
        0x11, 0x22, 0x33, 0x44,  // start of an IKE header (initiator SPI)
        0x55};
    auto c = classify_udp4500(d);
    BOOST_TEST((c.kind == UdpKind::kIke));
    BOOST_TEST(c.spi == 0u);
    BOOST_TEST(c.body.size() == d.size() - kNonEspMarkerBytes);
    BOOST_TEST(c.body.data() == d.data() + kNonEspMarkerBytes);
}

BOOST_AUTO_TEST_CASE(esp_keeps_whole_datagram_and_reads_spi) {
    const std::vector<std::uint8_t> d = {
        0x12, 0x34, 0x56, 0x78,  // SPI
        0x00, 0x00, 0x00, 0x01,  // sequence number
        0xaa, 0xbb};             // IV, ciphertext...
    auto c = classify_udp4500(d);
    BOOST_TEST((c.kind == UdpKind::kEsp));
    BOOST_TEST(c.spi == 0x12345678u);
    BOOST_TEST(c.body.data() == d.data());
    BOOST_TEST(c.body.size() == d.size());
}

BOOST_AUTO_TEST_CASE(esp_shorter_than_header_is_invalid) {
    const std::vector<std::uint8_t> d = {0x12, 0x34, 0x56, 0x78,
                                         0x00, 0x00, 0x01};
    for (std::size_t n = 2; n <= d.size(); ++n) {
        auto c = classify_udp4500(Bytes(d.data(), n));
        BOOST_TEST((c.kind == UdpKind::kInvalid), "length " << n);
    }
    const std::vector<std::uint8_t> eight = {0x12, 0x34, 0x56, 0x78,
                                             0x00, 0x00, 0x00, 0x01};
    BOOST_TEST((classify_udp4500(eight).kind == UdpKind::kEsp));
}

BOOST_AUTO_TEST_CASE(marker_alone_is_ike_with_empty_body) {
    const std::array<std::uint8_t, 4> d{};
    auto c = classify_udp4500(d);
    BOOST_TEST((c.kind == UdpKind::kIke));
    BOOST_TEST(c.body.empty());
}

BOOST_AUTO_TEST_CASE(kinds_have_names) {
    BOOST_TEST(std::string(to_string(UdpKind::kIke)) == "ike");
    BOOST_TEST(std::string(to_string(UdpKind::kEsp)) == "esp");
    BOOST_TEST(std::string(to_string(UdpKind::kKeepalive)) == "keepalive");
    BOOST_TEST(std::string(to_string(UdpKind::kInvalid)) == "invalid");
}

BOOST_AUTO_TEST_SUITE_END()
