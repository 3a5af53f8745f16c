#include <array>
#include <boost/test/unit_test.hpp>
#include <cerrno>

#include "tests/tun/netns_fixture.hpp"
#include "tests/tun/test_packets.hpp"
#include "tests/tun/test_print.hpp"
#include "tun/sockets.hpp"
#include "tun/sysctl.hpp"
#include "tun/tun_device.hpp"

using namespace scout6;
using namespace scout6::tun::testing;

namespace {

std::unique_ptr<tun::TunDevice> open_in(const Netns& ns, unsigned mtu) {
    NetnsEnter inside(ns);
    auto dev = tun::open_tun("s6tun0", mtu);
    BOOST_REQUIRE_MESSAGE(dev.has_value(), "open_tun: " << why(dev));
    return std::move(*dev);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tun_device_root)

BOOST_AUTO_TEST_CASE(creates_device_with_mtu_and_no_link_local) {
    Netns ns;
    auto dev = open_in(ns, 1400);
    BOOST_TEST(dev->name() == "s6tun0");
    BOOST_TEST(dev->fd() >= 0);

    auto link = must_run(ns.ip({"-o", "link", "show", "s6tun0"}));
    BOOST_TEST(link.out.find("mtu 1400") != std::string::npos, link.out);
    BOOST_TEST(link.out.find(",UP") != std::string::npos, link.out);
    auto addrs = must_run(ns.ip({"-6", "-o", "addr", "show", "dev", "s6tun0"}));
    BOOST_TEST(addrs.out.empty(), addrs.out);
    {
        NetnsEnter inside(ns);
        auto mode = tun::get_sysctl("net.ipv6.conf.s6tun0.addr_gen_mode");
        BOOST_REQUIRE(mode.has_value());
        BOOST_TEST(*mode == "1");
        // IPv6 stays enabled: disabling it would drop routed packets.
        auto disabled = tun::get_sysctl("net.ipv6.conf.s6tun0.disable_ipv6");
        BOOST_REQUIRE(disabled.has_value());
        BOOST_TEST(*disabled == "0");
    }

    // Nothing queued: no DAD, RS or MLD chatter from the device itself.
    std::array<std::uint8_t, 2048> buf{};
    auto n = dev->read(buf);
    BOOST_REQUIRE(!n.has_value());
    BOOST_TEST(n.error().sys_errno == EAGAIN);

    dev.reset();
    auto gone = run_any(ns.ip({"link", "show", "s6tun0"}));
    BOOST_TEST(gone.exit_code != 0);
}

BOOST_AUTO_TEST_CASE(routed_ping_arrives_on_the_tun) {
    TwoHosts hosts;
    auto dev = open_in(hosts.a, 1400);
    must_run(
        hosts.a.ip({"-6", "route", "add", "fd00:99::/64", "dev", "s6tun0"}));
    // No reply will come; ping exits 1 after its deadline.
    run_any(hosts.a.exec(
        {"ping", "-6", "-n", "-c", "1", "-W", "0.2", "fd00:99::5"}));

    BOOST_REQUIRE(wait_readable(dev->fd(), 2000));
    std::array<std::uint8_t, 2048> buf{};
    auto n = dev->read(buf);
    BOOST_REQUIRE(n.has_value());
    BOOST_REQUIRE(*n >= 48u);
    BOOST_TEST((buf[0] >> 4) == 6);  // IPv6, no packet-info prefix
    BOOST_TEST(buf[6] == 58);        // ICMPv6
    BOOST_TEST(buf[40] == 128);      // echo request
    auto src = core::Ip6Addr::from_bytes(&buf[8]);
    auto dst = core::Ip6Addr::from_bytes(&buf[24]);
    BOOST_TEST(src.to_string() == "fd00:10::1");
    BOOST_TEST(dst.to_string() == "fd00:99::5");
}

BOOST_AUTO_TEST_CASE(packet_written_to_the_tun_is_delivered_locally) {
    Netns ns;
    ns.add_addr("fd00:10::1/64", "lo");
    auto dev = open_in(ns, 1400);
    auto socket = [&] {
        NetnsEnter inside(ns);
        auto s = tun::UdpSocket::open(0, 0);
        BOOST_REQUIRE(s.has_value());
        return std::move(*s);
    }();

    const std::uint8_t payload[] = {'s', 'c', 'o', 'u', 't'};
    auto packet = make_udp(addr("fd00:99::5"), addr("fd00:10::1"), 4321,
                           socket.port(), payload);
    BOOST_REQUIRE(dev->write(packet).has_value());

    BOOST_REQUIRE(wait_readable(socket.fd(), 2000));
    std::array<std::uint8_t, 64> buf{};
    auto got = socket.recv(buf);
    BOOST_REQUIRE(got.has_value());
    BOOST_REQUIRE(got->has_value());
    BOOST_TEST((*got)->size == sizeof(payload));
    BOOST_TEST((*got)->src.to_string() == "fd00:99::5");
    BOOST_TEST((*got)->src_port == 4321);
    BOOST_TEST((*got)->dst.to_string() == "fd00:10::1");

    std::vector<std::uint8_t> v4(40, 0);
    v4[0] = 0x45;
    auto bad = dev->write(v4);
    BOOST_REQUIRE(!bad.has_value());
    BOOST_TEST(bad.error().code == core::Errc::kMalformed);
}

BOOST_AUTO_TEST_SUITE_END()
