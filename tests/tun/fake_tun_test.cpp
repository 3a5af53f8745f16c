#include "tun/fake_tun.hpp"

#include <poll.h>

#include <array>
#include <boost/test/unit_test.hpp>
#include <cerrno>

#include "tests/tun/test_print.hpp"

using namespace scout6;

namespace {

std::vector<std::uint8_t> ipv6_packet(std::uint8_t marker, std::size_t size) {
    std::vector<std::uint8_t> p(size, 0);
    p[0] = 0x60;
    p[size - 1] = marker;
    return p;
}

bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tun_fake_tun)

BOOST_AUTO_TEST_CASE(reads_pushed_packets_in_order_then_eagain) {
    tun::FakeTun tun;
    auto a = ipv6_packet(1, 60);
    auto b = ipv6_packet(2, 41);
    BOOST_TEST(!readable(tun.fd()));
    tun.push_inbound(a);
    tun.push_inbound(b);
    BOOST_TEST(readable(tun.fd()));

    std::array<std::uint8_t, 1500> buf{};
    auto n = tun.read(buf);
    BOOST_REQUIRE(n.has_value());
    BOOST_TEST(*n == 60u);
    BOOST_TEST(buf[59] == 1);
    BOOST_TEST(readable(tun.fd()));
    n = tun.read(buf);
    BOOST_REQUIRE(n.has_value());
    BOOST_TEST(*n == 41u);
    BOOST_TEST(buf[40] == 2);

    BOOST_TEST(!readable(tun.fd()));
    n = tun.read(buf);
    BOOST_REQUIRE(!n.has_value());
    BOOST_TEST(n.error().code == core::Errc::kSyscall);
    BOOST_TEST(n.error().sys_errno == EAGAIN);
}

BOOST_AUTO_TEST_CASE(truncates_to_the_buffer_like_a_real_tun) {
    tun::FakeTun tun;
    tun.push_inbound(ipv6_packet(9, 100));
    std::array<std::uint8_t, 48> small{};
    auto n = tun.read(small);
    BOOST_REQUIRE(n.has_value());
    BOOST_TEST(*n == 48u);
    BOOST_TEST(tun.inbound_queued() == 0u);
}

BOOST_AUTO_TEST_CASE(keeps_written_packets_and_rejects_non_ipv6) {
    tun::FakeTun tun;
    auto good = ipv6_packet(7, 40);
    BOOST_TEST(tun.write(good).has_value());
    std::vector<std::uint8_t> v4(40, 0);
    v4[0] = 0x45;
    auto bad = tun.write(v4);
    BOOST_REQUIRE(!bad.has_value());
    BOOST_TEST(bad.error().code == core::Errc::kMalformed);
    auto short_packet = tun.write(std::vector<std::uint8_t>(39, 0x60));
    BOOST_TEST(!short_packet.has_value());
    BOOST_REQUIRE(tun.written().size() == 1u);
    BOOST_TEST(tun.written()[0] == good);
}

BOOST_AUTO_TEST_CASE(scripted_write_failures_then_recovery) {
    tun::FakeTun tun;
    tun.fail_writes(1, ENOBUFS);
    auto first = tun.write(ipv6_packet(1, 40));
    BOOST_REQUIRE(!first.has_value());
    BOOST_TEST(first.error().sys_errno == ENOBUFS);
    BOOST_TEST(tun.write(ipv6_packet(2, 40)).has_value());
    BOOST_TEST(tun.written().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tun_device_validation)

BOOST_AUTO_TEST_CASE(open_tun_refuses_bad_names_and_mtus) {
    // Refused before /dev/net/tun is opened, so no root is needed.
    for (const char* name : {"", "Tun0", "tun 0", "0tun", "all", "default",
                             "tun.0", "a23456789012345x"}) {
        auto dev = tun::open_tun(name, 1400);
        BOOST_REQUIRE(!dev.has_value());
        BOOST_TEST(dev.error().code == core::Errc::kConfig, name);
    }
    for (unsigned mtu : {0u, 1279u, 65536u}) {
        auto dev = tun::open_tun("s6tun0", mtu);
        BOOST_REQUIRE(!dev.has_value());
        BOOST_TEST(dev.error().code == core::Errc::kConfig);
    }
    BOOST_TEST(tun::is_valid_ifname("s6tun-0"));
    BOOST_TEST(tun::is_valid_ifname("a23456789012345"));
}

BOOST_AUTO_TEST_SUITE_END()
