// Two (or more) Nodes on a fake network, in one process, on a fake clock:
// SCOUT6 discovery, IKEv2 and ESP end to end without a kernel. The fake
// network delivers by destination address, answers a DOq with ICMPv6
// Parameter Problem for hosts that do not run scout6 (as the kernel does,
// SPEC §8), and records every packet that would leave in the clear.
#include "cli/node.hpp"

#include <boost/test/unit_test.hpp>
#include <deque>
#include <map>
#include <vector>

using namespace scout6;
using namespace std::chrono_literals;
using core::Ip6Addr;

namespace {

Ip6Addr addr(const char* text) {
    return *Ip6Addr::parse(text);
}

const Ip6Addr kH1 = addr("fd00:a::10");
const Ip6Addr kH2 = addr("fd00:b::20");
const Ip6Addr kH3 = addr("fd00:b::30");  // runs no scout6

// An IPv6 packet with No Next Header and `body` as its payload.
std::vector<std::uint8_t> packet(const Ip6Addr& src, const Ip6Addr& dst,
                                 std::uint8_t tag, std::size_t body = 32) {
    std::vector<std::uint8_t> p(40 + body, tag);
    p[0] = 0x60;
    p[1] = p[2] = p[3] = 0;
    p[4] = static_cast<std::uint8_t>(body >> 8);
    p[5] = static_cast<std::uint8_t>(body);
    p[6] = 59;
    p[7] = 64;
    std::copy(src.bytes.begin(), src.bytes.end(), p.begin() + 8);
    std::copy(dst.bytes.begin(), dst.bytes.end(), p.begin() + 24);
    return p;
}

class Network;

class Host final : public cli::NodeIo {
public:
    Host(Network& net, const Ip6Addr& self) : net_(net), self_(self) {}
    void write_tun(core::Bytes p) override {
        delivered.emplace_back(p.begin(), p.end());
    }
    void send_udp(std::uint16_t src_port, const Ip6Addr& src,
                  const Ip6Addr& dst, std::uint16_t dst_port,
                  core::Bytes payload) override;
    void send_raw(core::Bytes p) override;
    void route_peer(const Ip6Addr& peer, bool add) override {
        if (add)
            peer_routes.push_back(peer);
        else
            std::erase(peer_routes, peer);
    }

    std::vector<std::vector<std::uint8_t>> delivered;
    std::vector<Ip6Addr> peer_routes;
    std::unique_ptr<cli::Node> node;  // null: no scout6 on this host

private:
    Network& net_;
    Ip6Addr self_;
};

struct Wire {
    enum class Kind { kUdp, kRaw, kIcmp } kind;
    Ip6Addr src, dst;
    std::uint16_t src_port = 0, dst_port = 0;
    std::vector<std::uint8_t> bytes;
};

class Network {
public:
    core::FakeClock clock;
    ike::SeededRandom random{7};
    std::map<Ip6Addr, std::unique_ptr<Host>> hosts;
    std::deque<Wire> queue;
    std::vector<Wire> clear;  // non-SCOUT6, non-UDP packets: cleartext
    std::vector<Wire> log;    // everything that crossed the network
    // Returns true to drop a wire packet (loss, tampering tests).
    std::function<bool(Wire&)> filter;

    Host& add(const Ip6Addr& a, bool runs_scout6,
              std::vector<Ip6Addr> known_peers = {},
              const char* psk = "site-wide-psk-0123456789",
              const char* scope = "fd00::/16") {
        auto& host = hosts[a];
        host = std::make_unique<Host>(*this, a);
        if (runs_scout6) {
            cli::NodeOptions o;
            o.served = {a};
            o.scopes = {*core::Ip6Prefix::parse(scope)};
            o.known_peers = std::move(known_peers);
            o.ike.psk = core::SecretBytes(core::Bytes(
                reinterpret_cast<const std::uint8_t*>(psk), std::strlen(psk)));
            host->node = std::make_unique<cli::Node>(clock, random, o, *host);
        }
        return *host;
    }

    void deliver(const Wire& w) {
        log.push_back(w);
        auto it = hosts.find(w.dst);
        if (it == hosts.end()) return;
        Host& to = *it->second;
        auto bytes = w.bytes;
        switch (w.kind) {
            case Wire::Kind::kUdp:
                if (to.node)
                    to.node->on_udp(w.src, w.src_port, w.dst, w.dst_port,
                                    core::MutableBytes(bytes));
                return;
            case Wire::Kind::kIcmp:
                if (to.node) to.node->on_icmp_error(w.src, bytes);
                return;
            case Wire::Kind::kRaw:
                if (to.node) {
                    to.node->on_scout_packet(bytes);
                } else if (bytes.size() >= 44 && bytes[6] == 60 &&
                           bytes[42] == 196) {
                    // A host without SCOUT6: Parameter Problem, code 2,
                    // pointer 42, quoting the DOq (SPEC §3).
                    std::vector<std::uint8_t> icmp{4, 2, 0, 0, 0, 0, 0, 42};
                    icmp.insert(icmp.end(), bytes.begin(), bytes.end());
                    queue.push_back(
                        {Wire::Kind::kIcmp, w.dst, w.src, 0, 0, icmp});
                }
                return;
        }
    }

    // Delivers until quiet, firing timers on the fake clock, up to `limit`.
    void run(core::Duration limit = 60s) {
        auto end = clock.now() + limit;
        while (clock.now() < end) {
            while (!queue.empty()) {
                Wire w = std::move(queue.front());
                queue.pop_front();
                if (filter && filter(w)) continue;
                deliver(w);
            }
            std::optional<core::TimePoint> next;
            for (auto& [a, h] : hosts)
                if (h->node)
                    if (auto d = h->node->next_deadline())
                        next = next ? std::min(*next, *d) : *d;
            if (!next || *next > end) break;
            if (*next > clock.now()) clock.advance(*next - clock.now());
            for (auto& [a, h] : hosts)
                if (h->node) h->node->on_timer();
        }
    }
};

void Host::send_udp(std::uint16_t src_port, const Ip6Addr& src,
                    const Ip6Addr& dst, std::uint16_t dst_port,
                    core::Bytes payload) {
    net_.queue.push_back({Wire::Kind::kUdp,
                          src,
                          dst,
                          src_port,
                          dst_port,
                          {payload.begin(), payload.end()}});
}

void Host::send_raw(core::Bytes p) {
    Wire w{Wire::Kind::kRaw,    self_, Ip6Addr::from_bytes(p.data() + 24), 0, 0,
           {p.begin(), p.end()}};
    // SCOUT6 messages carry Next Header 60 or 0 and nothing else; any
    // other raw packet is a flow's own packet sent in the clear.
    if (p[6] != 60 && p[6] != 0) net_.clear.push_back(w);
    net_.queue.push_back(std::move(w));
}

std::size_t count_kind(const Network& net, Wire::Kind kind) {
    std::size_t n = 0;
    for (const auto& w : net.log) n += w.kind == kind;
    return n;
}

std::size_t channels(const cli::Node& node) {
    std::size_t n = 0;
    node.for_each_channel([&](const cli::Channel&) { ++n; });
    return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_node)

BOOST_AUTO_TEST_CASE(first_packets_are_held_then_delivered_in_order) {
    Network net;
    auto& h1 = net.add(kH1, true);
    auto& h2 = net.add(kH2, true);

    // H1 -> H2, three packets before anything is known about H2.
    for (std::uint8_t tag = 1; tag <= 3; ++tag)
        h1.node->on_tun_packet(packet(kH1, kH2, tag));
    BOOST_TEST(h1.node->stats().held == 3u);
    BOOST_TEST(h2.delivered.empty());

    net.run();

    BOOST_REQUIRE_EQUAL(h2.delivered.size(), 3u);
    for (std::uint8_t tag = 1; tag <= 3; ++tag)
        BOOST_TEST(h2.delivered[tag - 1] == packet(kH1, kH2, tag));
    BOOST_TEST(h1.node->stats().released == 3u);
    const auto& flow = h1.node->flows().at(core::FlowKey::of(kH1, kH2));
    BOOST_TEST(flow.packets_out == 3u);  // held ones count once released
    BOOST_TEST(to_string(flow.state) == std::string("secured"));
    BOOST_TEST(h1.node->discovery_stats().doq_sent == 1u);
    BOOST_TEST(h2.node->stats().doq_answered == 1u);
    BOOST_TEST(net.clear.empty());
}

BOOST_AUTO_TEST_CASE(return_traffic_uses_the_same_channel) {
    Network net;
    auto& h1 = net.add(kH1, true);
    auto& h2 = net.add(kH2, true);
    h1.node->on_tun_packet(packet(kH1, kH2, 1));
    net.run();
    BOOST_REQUIRE_EQUAL(h2.delivered.size(), 1u);

    h2.node->on_tun_packet(packet(kH2, kH1, 9));
    net.run();

    BOOST_REQUIRE_EQUAL(h1.delivered.size(), 1u);
    BOOST_TEST(h1.delivered[0] == packet(kH2, kH1, 9));
    BOOST_TEST(channels(*h1.node) == 1u);
    BOOST_TEST(channels(*h2.node) == 1u);
    // H2 needed no discovery of its own: the channel H1 built serves it.
    BOOST_TEST(h2.node->discovery_stats().doq_sent == 0u);
    BOOST_TEST(net.clear.empty());
}

BOOST_AUTO_TEST_CASE(responder_routes_an_out_of_scope_peer_into_the_channel) {
    Network net;
    auto& h1 = net.add(kH1, true);
    // H2 protects only its own prefix, not H1's.
    auto& h2 =
        net.add(kH2, true, {}, "site-wide-psk-0123456789", "fd00:b::/64");
    h1.node->on_tun_packet(packet(kH1, kH2, 1));
    net.run(10s);
    BOOST_REQUIRE_EQUAL(h2.delivered.size(), 1u);
    BOOST_TEST(h2.peer_routes == std::vector<Ip6Addr>{kH1});

    // H1 is outside H2's scope, yet the answer goes through the channel.
    h2.node->on_tun_packet(packet(kH2, kH1, 5));
    net.run(1s);
    BOOST_REQUIRE_EQUAL(h1.delivered.size(), 1u);
    BOOST_TEST(h2.node->stats().tun_out_of_scope == 0u);

    // The channel goes (H1 stops): the route goes with it.
    h1.node->shutdown();
    net.run(1s);
    BOOST_TEST(h2.peer_routes.empty());
}

BOOST_AUTO_TEST_CASE(destination_without_scout6_is_dropped_never_clear) {
    Network net;
    auto& h1 = net.add(kH1, true);
    net.add(kH3, false);

    h1.node->on_tun_packet(packet(kH1, kH3, 1));
    h1.node->on_tun_packet(packet(kH1, kH3, 2));
    net.run(10s);  // both phases take 4.2 s; the negative TTL is 30 s

    const auto& d = h1.node->discovery_stats();
    BOOST_TEST(d.param_problem == 1u);  // DOq answered by Parameter Problem
    BOOST_TEST(d.raq_sent == 3u);       // then the RAq phase, unanswered
    BOOST_TEST(d.no_answer == 1u);
    BOOST_TEST(h1.node->stats().unsecurable_dropped == 2u);
    BOOST_TEST(net.clear.empty());

    // The verdict is remembered: the next packet neither probes nor leaks.
    auto raw_before = count_kind(net, Wire::Kind::kRaw);
    h1.node->on_tun_packet(packet(kH1, kH3, 3));
    net.run(1s);
    BOOST_TEST(count_kind(net, Wire::Kind::kRaw) == raw_before);
    BOOST_TEST(h1.node->stats().unsecurable_dropped == 3u);
    BOOST_TEST(net.clear.empty());
}

BOOST_AUTO_TEST_CASE(pass_mode_is_the_only_way_to_cleartext) {
    Network net;
    auto& h1 = net.add(kH1, true);
    net.add(kH3, false);
    // Rebuild H1 with on_unsecurable = "pass".
    cli::NodeOptions o;
    o.served = {kH1};
    o.scopes = {*core::Ip6Prefix::parse("fd00::/16")};
    o.pass_unsecurable = true;
    o.ike.psk = core::SecretBytes(std::vector<std::uint8_t>(20, 1));
    h1.node = std::make_unique<cli::Node>(net.clock, net.random, o, h1);

    h1.node->on_tun_packet(packet(kH1, kH3, 1));
    net.run();

    BOOST_REQUIRE_EQUAL(net.clear.size(), 1u);
    BOOST_TEST(net.clear[0].bytes == packet(kH1, kH3, 1));
    BOOST_TEST(h1.node->stats().unsecurable_passed == 1u);
}

BOOST_AUTO_TEST_CASE(wrong_psk_means_no_channel_and_no_cleartext) {
    Network net;
    auto& h1 = net.add(kH1, true, {}, "site-wide-psk-0123456789");
    auto& h2 = net.add(kH2, true, {}, "another-psk-9876543210xx");

    h1.node->on_tun_packet(packet(kH1, kH2, 1));
    net.run();

    BOOST_TEST(h2.delivered.empty());
    BOOST_TEST(channels(*h1.node) == 0u);
    BOOST_TEST(channels(*h2.node) == 0u);
    BOOST_TEST(h1.node->stats().unsecurable_dropped == 1u);
    BOOST_TEST(net.clear.empty());
}

BOOST_AUTO_TEST_CASE(known_peer_skips_discovery) {
    Network net;
    auto& h1 = net.add(kH1, true, {kH2});
    auto& h2 = net.add(kH2, true);

    h1.node->on_tun_packet(packet(kH1, kH2, 1));
    net.run();

    BOOST_TEST(h1.node->discovery_stats().doq_sent == 0u);
    BOOST_REQUIRE_EQUAL(h2.delivered.size(), 1u);
}

BOOST_AUTO_TEST_CASE(tampered_esp_is_dropped_and_counted) {
    Network net;
    auto& h1 = net.add(kH1, true);
    auto& h2 = net.add(kH2, true);
    h1.node->on_tun_packet(packet(kH1, kH2, 1));
    net.run();
    BOOST_REQUIRE_EQUAL(h2.delivered.size(), 1u);

    net.filter = [](Wire& w) {
        // Flip a ciphertext bit of ESP (UDP 4500, non-zero SPI).
        if (w.kind == Wire::Kind::kUdp && w.dst_port == 4500 &&
            w.bytes.size() > 40 &&
            (w.bytes[0] | w.bytes[1] | w.bytes[2] | w.bytes[3]) != 0)
            w.bytes[30] ^= 0x01;
        return false;
    };
    h1.node->on_tun_packet(packet(kH1, kH2, 2));
    net.run(1s);

    BOOST_TEST(h2.delivered.size() == 1u);
    BOOST_TEST(h2.node->stats().esp_open_failed == 1u);
}

BOOST_AUTO_TEST_CASE(inner_source_outside_selectors_is_dropped) {
    Network net;
    auto& h1 = net.add(kH1, true);
    auto& h2 = net.add(kH2, true);
    h1.node->on_tun_packet(packet(kH1, kH2, 1));
    net.run();
    BOOST_REQUIRE_EQUAL(h2.delivered.size(), 1u);

    // H1's stack hands the node a packet claiming another source; the
    // node refuses it before it reaches the channel.
    h1.node->on_tun_packet(packet(kH3, kH2, 2));
    net.run(1s);
    BOOST_TEST(h1.node->stats().tun_foreign_source == 1u);
    BOOST_TEST(h2.delivered.size() == 1u);
}

BOOST_AUTO_TEST_CASE(doq_answers_are_rate_limited) {
    Network net;
    auto& h2 = net.add(kH2, true);
    std::array<std::uint8_t, core::kDoqBytes> doq{};
    BOOST_REQUIRE(core::serialize_doq({}, kH3, kH2, 64, doq));

    // A burst of 3000 queries with forged sources: one second's worth is
    // answered, the rest counted.
    for (int i = 0; i < 3000; ++i) h2.node->on_scout_packet(doq);
    BOOST_TEST(h2.node->stats().doq_answered == 1000u);
    BOOST_TEST(h2.node->stats().doq_rate_limited == 2000u);

    // The bucket refills with time.
    net.clock.advance(std::chrono::milliseconds(100));
    for (int i = 0; i < 200; ++i) h2.node->on_scout_packet(doq);
    BOOST_TEST(h2.node->stats().doq_answered == 1100u);
}

BOOST_AUTO_TEST_CASE(malformed_input_is_counted_not_fatal) {
    Network net;
    auto& h1 = net.add(kH1, true);
    std::vector<std::uint8_t> junk(100, 0xAB);
    h1.node->on_tun_packet(junk);
    h1.node->on_tun_packet(core::Bytes(junk.data(), 10));
    h1.node->on_scout_packet(junk);
    h1.node->on_icmp_error(kH2, junk);
    h1.node->on_udp(kH2, 4500, kH1, 4500, junk);  // unknown SPI
    h1.node->on_udp(kH2, 4500, kH1, 4500,
                    core::MutableBytes(junk.data(), 3));  // too short
    h1.node->on_udp(kH2, 500, kH1, 500, junk);            // bad IKE
    const auto& s = h1.node->stats();
    BOOST_TEST(s.tun_malformed == 2u);
    BOOST_TEST(s.scout_malformed == 1u);
    BOOST_TEST(s.icmp_not_ours == 1u);
    BOOST_TEST(s.esp_unknown_spi == 1u);
    BOOST_TEST(s.udp_invalid == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
