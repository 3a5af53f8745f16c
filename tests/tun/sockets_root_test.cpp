#include <array>
#include <boost/test/unit_test.hpp>

#include "tests/tun/netns_fixture.hpp"
#include "tests/tun/test_packets.hpp"
#include "tests/tun/test_print.hpp"
#include "tun/scout_tap.hpp"
#include "tun/sockets.hpp"

using namespace scout6;
using namespace scout6::tun::testing;
using tun::IcmpErrorSocket;
using tun::RawSender;
using tun::ScoutTap;
using tun::UdpSocket;
using Packet = std::vector<std::uint8_t>;

namespace {

constexpr int kWaitMs = 3000;

Packet tap_next(ScoutTap& tap) {
    BOOST_REQUIRE_MESSAGE(wait_readable(tap.fd(), kWaitMs), "tap: nothing");
    std::array<std::uint8_t, 2048> buf{};
    auto got = tap.recv(buf);
    BOOST_REQUIRE(got.has_value());
    BOOST_REQUIRE(got->has_value());
    BOOST_TEST((*got)->ifindex > 0);
    return {buf.begin(), buf.begin() + (*got)->size};
}

bool tap_empty(ScoutTap& tap) {
    std::array<std::uint8_t, 2048> buf{};
    auto got = tap.recv(buf);
    BOOST_REQUIRE(got.has_value());
    return !got->has_value();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tun_sockets_root)

BOOST_AUTO_TEST_CASE(raw_sender_puts_doq_on_the_wire_byte_exact) {
    TwoHosts hosts;
    auto tap_b = open_in_ns(hosts.b, [] { return ScoutTap::open(196, 66); });
    auto tap_a = open_in_ns(hosts.a, [] { return ScoutTap::open(196, 66); });
    auto sender = open_in_ns(hosts.a, [] { return RawSender::open(0x77); });

    auto doq = make_doq(addr("fd00:10::1"), addr("fd00:10::2"));
    BOOST_REQUIRE(sender.send(doq).has_value());

    Packet seen = tap_next(tap_b);
    BOOST_TEST(seen == doq, boost::test_tools::per_element());
    // The sender's own copy (PACKET_OUTGOING) was queued before the packet
    // crossed the veth, so its absence now is final.
    BOOST_TEST(tap_empty(tap_a));
}

BOOST_AUTO_TEST_CASE(tap_takes_dor_and_ignores_other_packets) {
    TwoHosts hosts;
    auto tap_b = open_in_ns(hosts.b, [] { return ScoutTap::open(196, 66); });
    auto sender = open_in_ns(hosts.a, [] { return RawSender::open(0); });
    auto a = addr("fd00:10::1");
    auto b = addr("fd00:10::2");

    // Sent first, in order on one link: if the filter let any of them
    // through, the tap's first packet would not be the DOr.
    const std::uint8_t payload[] = {1, 2, 3};
    BOOST_REQUIRE(sender.send(make_doq(a, b, 0xc5)).has_value());
    BOOST_REQUIRE(sender.send(make_udp(a, b, 1, 2, payload)).has_value());
    auto dor = make_dor(a, b, b);
    BOOST_REQUIRE(sender.send(dor).has_value());

    Packet seen = tap_next(tap_b);
    BOOST_TEST(seen == dor, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(raw_sender_refuses_non_ipv6) {
    TwoHosts hosts;
    auto sender = open_in_ns(hosts.a, [] { return RawSender::open(0); });
    auto status = sender.send(Packet(39, 0x60));
    BOOST_REQUIRE(!status.has_value());
    BOOST_TEST(status.error().code == core::Errc::kMalformed);
    Packet v4(48, 0);
    v4[0] = 0x45;
    BOOST_TEST(!sender.send(v4).has_value());
}

BOOST_AUTO_TEST_CASE(host_without_scout6_answers_doq_with_parameter_problem) {
    TwoHosts hosts;
    auto icmp = open_in_ns(hosts.a, [] { return IcmpErrorSocket::open(); });
    auto sender = open_in_ns(hosts.a, [] { return RawSender::open(0); });
    auto doq = make_doq(addr("fd00:10::1"), addr("fd00:10::2"));
    BOOST_REQUIRE(sender.send(doq).has_value());

    BOOST_REQUIRE_MESSAGE(wait_readable(icmp.fd(), kWaitMs), "no icmp");
    std::array<std::uint8_t, 1500> buf{};
    auto got = icmp.recv(buf);
    BOOST_REQUIRE(got.has_value());
    BOOST_REQUIRE(got->has_value());
    const auto& msg = **got;
    BOOST_TEST(msg.src.to_string() == "fd00:10::2");
    BOOST_REQUIRE(msg.size >= 8 + doq.size());
    BOOST_TEST(buf[0] == 4);  // Parameter Problem (RFC 4443 §3.4)
    BOOST_TEST(buf[1] == 2);  // unrecognized IPv6 option
    core::ByteReader pointer(core::Bytes(buf).subspan(4, 4));
    std::uint32_t offset = 0;
    BOOST_REQUIRE(pointer.read_u32(offset));
    BOOST_TEST(offset == 42u);
    // The invoking packet is quoted after the 8-byte ICMPv6 header.
    BOOST_TEST(Packet(buf.begin() + 8, buf.begin() + 8 + 48) == doq,
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(udp_send_picks_source_and_recv_reports_destination) {
    TwoHosts hosts;
    hosts.a.add_addr("fd00:10::11/64", "va");
    auto tx = open_in_ns(hosts.a, [] { return UdpSocket::open(0, 0x77); });
    auto rx = open_in_ns(hosts.b, [] { return UdpSocket::open(0, 0); });
    BOOST_TEST(rx.port() != 0);

    const std::uint8_t hello[] = {'h', 'i'};
    for (const char* src : {"fd00:10::11", "fd00:10::1"})
        BOOST_REQUIRE(tx.send(hello, addr(src), addr("fd00:10::2"), rx.port())
                          .has_value());

    std::array<std::uint8_t, 64> buf{};
    std::vector<std::string> sources;
    for (int i = 0; i < 2; ++i) {
        BOOST_REQUIRE(wait_readable(rx.fd(), kWaitMs));
        auto got = rx.recv(buf);
        BOOST_REQUIRE(got.has_value());
        BOOST_REQUIRE(got->has_value());
        BOOST_TEST((*got)->size == 2u);
        BOOST_TEST((*got)->src_port == tx.port());
        BOOST_TEST((*got)->dst.to_string() == "fd00:10::2");
        BOOST_TEST((*got)->dst_port == rx.port());
        sources.push_back((*got)->src.to_string());
    }
    BOOST_TEST(sources ==
               (std::vector<std::string>{"fd00:10::11", "fd00:10::1"}));
    auto empty = rx.recv(buf);
    BOOST_REQUIRE(empty.has_value());
    BOOST_TEST(!empty->has_value());
}

BOOST_AUTO_TEST_CASE(udp_recv_reports_truncation_and_batches) {
    TwoHosts hosts;
    auto tx = open_in_ns(hosts.a, [] { return UdpSocket::open(0, 0); });
    auto rx = open_in_ns(hosts.b, [] { return UdpSocket::open(0, 0); });
    auto dst = addr("fd00:10::2");

    const std::uint8_t big[32] = {};
    BOOST_REQUIRE(tx.send(big, core::Ip6Addr{}, dst, rx.port()).has_value());
    BOOST_REQUIRE(wait_readable(rx.fd(), kWaitMs));
    std::array<std::uint8_t, 8> small{};
    auto cut = rx.recv(small);
    BOOST_REQUIRE(!cut.has_value());
    BOOST_TEST(cut.error().code == core::Errc::kTruncated);

    for (std::uint8_t i = 1; i <= 3; ++i) {
        std::vector<std::uint8_t> data(i, i);
        if (i == 2) data.assign(32, 2);  // too long for its buffer
        BOOST_REQUIRE(
            tx.send(data, core::Ip6Addr{}, dst, rx.port()).has_value());
    }
    // Usually one batch; more calls if the veth delivered them apart.
    std::array<std::array<std::uint8_t, 16>, 4> storage{};
    std::vector<core::MutableBytes> bufs(storage.begin(), storage.end());
    std::vector<tun::Datagram> out;
    std::vector<tun::Datagram> all;
    std::size_t truncated = 0;
    for (int tries = 0; tries < 3 && all.size() < 3; ++tries) {
        BOOST_REQUIRE(wait_readable(rx.fd(), kWaitMs));
        BOOST_REQUIRE(rx.recv_batch(bufs, out, &truncated).has_value());
        all.insert(all.end(), out.begin(), out.end());
    }
    BOOST_REQUIRE(all.size() == 3u);
    BOOST_TEST(all[0].size == 1u);
    BOOST_TEST(all[1].size == 0u);  // truncated
    BOOST_TEST(all[2].size == 3u);
    BOOST_TEST(truncated == 1u);
    BOOST_TEST(all[2].dst.to_string() == "fd00:10::2");
    BOOST_TEST(all[2].src_port == tx.port());
}

BOOST_AUTO_TEST_SUITE_END()
