#include <array>
#include <boost/test/unit_test.hpp>

#include "tests/tun/netns_fixture.hpp"
#include "tests/tun/test_packets.hpp"
#include "tests/tun/test_print.hpp"
#include "tun/net_config.hpp"
#include "tun/scout_tap.hpp"
#include "tun/sockets.hpp"
#include "tun/tun_device.hpp"

using namespace scout6;
using namespace scout6::tun::testing;
using tun::NetPlan;
using Packet = std::vector<std::uint8_t>;

namespace {

constexpr int kWaitMs = 3000;
constexpr std::uint32_t kMark = 0x77;

NetPlan plan_for(const char* scope, const char* served) {
    NetPlan plan;
    plan.instance = "t1";
    plan.tun_name = "s6tun0";
    plan.route_table = 100;
    plan.rule_priority = 100;
    plan.fwmark = kMark;
    plan.scopes = {*core::Ip6Prefix::parse(scope)};
    plan.served = {addr(served)};
    return plan;
}

// A running "daemon" in ns: its TUN and its installed NetConfig.
struct Installed {
    std::unique_ptr<tun::TunDevice> tun;
    NetPlan plan;
};

Installed install_in(const Netns& ns, const NetPlan& plan) {
    NetnsEnter inside(ns);
    auto dev = tun::open_tun(plan.tun_name, 1400);
    BOOST_REQUIRE_MESSAGE(dev.has_value(), "open_tun: " << why(dev));
    tun::SystemCommandRunner runner;
    tun::NetConfig config(runner);
    auto status = config.install(plan);
    BOOST_REQUIRE_MESSAGE(status.has_value(), "install: " << why(status));
    return Installed{std::move(*dev), plan};
}

std::uint64_t counter(const Netns& ns, const NetPlan& plan,
                      const std::string& name) {
    NetnsEnter inside(ns);
    tun::SystemCommandRunner runner;
    tun::NetConfig config(runner);
    auto counters = config.read_counters(plan);
    BOOST_REQUIRE_MESSAGE(counters.has_value(), "counters: " << why(counters));
    for (const auto& [n, packets] : *counters)
        if (n == name) return packets;
    BOOST_FAIL("no counter " << name);
    return 0;
}

std::size_t count_lines_with(const std::string& text, const std::string& s) {
    std::size_t n = 0;
    for (std::size_t p = 0; (p = text.find(s, p)) != std::string::npos; ++p)
        ++n;
    return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tun_net_config_root)

BOOST_AUTO_TEST_CASE(table_takes_served_doq_without_parameter_problem) {
    TwoHosts hosts;
    hosts.b.add_addr("fd00:10::22/64", "vb");
    auto b = install_in(hosts.b, plan_for("fd00:77::/64", "fd00:10::2"));
    auto tap_b =
        open_in_ns(hosts.b, [] { return tun::ScoutTap::open(196, 66); });
    auto icmp =
        open_in_ns(hosts.a, [] { return tun::IcmpErrorSocket::open(); });
    auto sender = open_in_ns(hosts.a, [] { return tun::RawSender::open(0); });

    // DOq to the served address, then to an address B does not serve: the
    // second must draw a Parameter Problem; had the first drawn one, it
    // would arrive before it.
    auto src = addr("fd00:10::1");
    auto served = make_doq(src, addr("fd00:10::2"));
    auto unserved = make_doq(src, addr("fd00:10::22"));
    BOOST_REQUIRE(sender.send(served).has_value());
    BOOST_REQUIRE(sender.send(unserved).has_value());

    BOOST_REQUIRE_MESSAGE(wait_readable(icmp.fd(), kWaitMs), "no icmp");
    std::array<std::uint8_t, 1500> buf{};
    auto got = icmp.recv(buf);
    BOOST_REQUIRE(got.has_value());
    BOOST_REQUIRE(got->has_value());
    BOOST_REQUIRE((*got)->size >= 8 + 48);
    BOOST_TEST(buf[0] == 4);
    auto quoted_dst = core::Ip6Addr::from_bytes(&buf[8 + 24]);
    BOOST_TEST(quoted_dst.to_string() == "fd00:10::22");

    // The tap still saw both DOqs, in order.
    std::array<std::uint8_t, 2048> tbuf{};
    for (const Packet* expected : {&served, &unserved}) {
        BOOST_REQUIRE(wait_readable(tap_b.fd(), kWaitMs));
        auto t = tap_b.recv(tbuf);
        BOOST_REQUIRE(t.has_value());
        BOOST_REQUIRE(t->has_value());
        BOOST_TEST(Packet(tbuf.begin(), tbuf.begin() + (*t)->size) == *expected,
                   boost::test_tools::per_element());
    }
    BOOST_TEST(counter(hosts.b, b.plan, tun::kCounterDoqTaken) == 1u);

    auto dor = make_dor(src, addr("fd00:10::2"), addr("fd00:10::2"));
    BOOST_REQUIRE(sender.send(dor).has_value());
    BOOST_REQUIRE(wait_readable(tap_b.fd(), kWaitMs));
    auto t = tap_b.recv(tbuf);
    BOOST_REQUIRE(t.has_value() && t->has_value());
    BOOST_TEST((*t)->size == 64u);
    BOOST_TEST(counter(hosts.b, b.plan, tun::kCounterDorTaken) == 1u);
}

BOOST_AUTO_TEST_CASE(marked_packets_bypass_the_tun_and_others_enter_it) {
    TwoHosts hosts;
    auto a = install_in(hosts.a, plan_for("fd00:10::2/128", "fd00:10::1"));
    auto plain = open_in_ns(hosts.a, [] { return tun::UdpSocket::open(0, 0); });
    auto marked =
        open_in_ns(hosts.a, [] { return tun::UdpSocket::open(0, kMark); });
    auto rx = open_in_ns(hosts.b, [] { return tun::UdpSocket::open(0, 0); });
    auto dst = addr("fd00:10::2");
    const std::uint8_t data[] = {'x'};

    BOOST_REQUIRE(plain.send(data, core::Ip6Addr{}, dst, rx.port()));
    BOOST_REQUIRE_MESSAGE(wait_readable(a.tun->fd(), kWaitMs), "tun empty");
    std::array<std::uint8_t, 2048> buf{};
    auto n = a.tun->read(buf);
    BOOST_REQUIRE(n.has_value());
    BOOST_REQUIRE(*n == 40u + 8u + 1u);
    BOOST_TEST(buf[6] == 17);
    BOOST_TEST(core::Ip6Addr::from_bytes(&buf[24]) == dst);

    BOOST_REQUIRE(marked.send(data, core::Ip6Addr{}, dst, rx.port()));
    BOOST_REQUIRE_MESSAGE(wait_readable(rx.fd(), kWaitMs), "nothing at b");
    auto got = rx.recv(buf);
    BOOST_REQUIRE(got.has_value() && got->has_value());
    BOOST_TEST((*got)->src_port == marked.port());
    // The unmarked datagram never reached b.
    auto more = rx.recv(buf);
    BOOST_REQUIRE(more.has_value());
    BOOST_TEST(!more->has_value());
}

BOOST_AUTO_TEST_CASE(cleartext_from_scope_is_dropped_except_ike_ports) {
    TwoHosts hosts;
    auto a = install_in(hosts.a, plan_for("fd00:10::2/128", "fd00:10::1"));
    auto other = open_in_ns(hosts.a, [] { return tun::UdpSocket::open(0, 0); });
    auto ike =
        open_in_ns(hosts.a, [] { return tun::UdpSocket::open(4500, 0); });
    auto tx = open_in_ns(hosts.b, [] { return tun::UdpSocket::open(0, 0); });
    auto dst = addr("fd00:10::1");
    const std::uint8_t data[] = {'c'};

    // In order on one link: once the 4500 datagram is in, the other one
    // has been judged.
    BOOST_REQUIRE(tx.send(data, core::Ip6Addr{}, dst, other.port()));
    BOOST_REQUIRE(tx.send(data, core::Ip6Addr{}, dst, 4500));
    BOOST_REQUIRE_MESSAGE(wait_readable(ike.fd(), kWaitMs), "4500 dropped");
    std::array<std::uint8_t, 64> buf{};
    auto got = other.recv(buf);
    BOOST_REQUIRE(got.has_value());
    BOOST_TEST(!got->has_value());
    BOOST_TEST(counter(hosts.a, a.plan, tun::kCounterCleartextDropped) == 1u);

    // The same datagram coming out of the TUN (a decrypted packet) passes.
    auto packet = make_udp(addr("fd00:10::2"), dst, 9, other.port(), data);
    BOOST_REQUIRE(a.tun->write(packet).has_value());
    BOOST_REQUIRE_MESSAGE(wait_readable(other.fd(), kWaitMs), "tun dropped");
    BOOST_TEST(counter(hosts.a, a.plan, tun::kCounterCleartextDropped) == 1u);
}

BOOST_AUTO_TEST_CASE(install_then_remove_leaves_nothing_behind) {
    Netns ns;
    NetPlan plan = plan_for("fd00:20::/48", "fd00:10::1");
    plan.scopes.push_back(*core::Ip6Prefix::parse("fd00:21::/48"));
    auto installed = install_in(ns, plan);
    {
        NetnsEnter inside(ns);
        tun::SystemCommandRunner runner;
        tun::NetConfig config(runner);
        BOOST_REQUIRE(config.install(plan).has_value());  // idempotent
    }
    auto rules = must_run(ns.ip({"-6", "rule", "show"}));
    BOOST_TEST(count_lines_with(rules.out,
                                "not from all fwmark 0x77 lookup 100") == 1u);
    auto routes = must_run(ns.ip({"-6", "route", "show", "table", "100"}));
    BOOST_TEST(routes.out.find("fd00:20::/48 dev s6tun0") != std::string::npos);
    BOOST_TEST(routes.out.find("fd00:21::/48 dev s6tun0") != std::string::npos);
    must_run(ns.exec({"nft", "list", "table", "ip6", "scout6_t1"}));

    auto check_clean = [&] {
        auto r = must_run(ns.ip({"-6", "rule", "show"}));
        BOOST_TEST(r.out.find("lookup 100") == std::string::npos, r.out);
        auto t = run_any(ns.ip({"-6", "route", "show", "table", "100"}));
        BOOST_TEST(t.out.empty(), t.out);
        auto n = must_run(ns.exec({"nft", "list", "ruleset"}));
        BOOST_TEST(n.out.empty(), n.out);
    };
    {
        NetnsEnter inside(ns);
        tun::SystemCommandRunner runner;
        tun::NetConfig config(runner);
        BOOST_REQUIRE(config.remove(plan).has_value());
        BOOST_REQUIRE(config.remove(plan).has_value());  // nothing left
    }
    check_clean();

    // A crashed instance: its TUN (and so its routes) went with it, the
    // rule and the table stayed.
    {
        NetnsEnter inside(ns);
        tun::SystemCommandRunner runner;
        tun::NetConfig config(runner);
        BOOST_REQUIRE(config.install(plan).has_value());
        installed.tun.reset();
        BOOST_REQUIRE(config.cleanup_stale(plan).has_value());
    }
    check_clean();
}

BOOST_AUTO_TEST_SUITE_END()
