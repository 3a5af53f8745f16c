// Real messages from one engine, cut at every length and flipped bit by
// bit and byte by byte, fed to a responder engine: it must never crash
// and every message must end either in an answer or a counted drop.
#include <boost/test/unit_test.hpp>

#include "engine_fake_net.hpp"

using namespace scout6;
using namespace scout6::ike;
using namespace scout6::ike::test;

namespace {

std::uint64_t drops(const IkeStats& s) {
    std::uint64_t n = 0;
    s.for_each([&](const char* name, std::uint64_t v) {
        if (std::string(name).rfind("dropped_", 0) == 0) n += v;
    });
    return n;
}

std::vector<std::vector<std::uint8_t>> mutations(
    const std::vector<std::uint8_t>& golden) {
    std::vector<std::vector<std::uint8_t>> out;
    for (std::size_t i = 0; i < golden.size(); ++i) {
        out.emplace_back(golden.begin(), golden.begin() + i);  // truncation
        for (int bit = 0; bit < 8; ++bit) {
            auto m = golden;
            m[i] ^= static_cast<std::uint8_t>(1u << bit);
            out.push_back(std::move(m));
        }
        auto m = golden;
        m[i] = static_cast<std::uint8_t>(~m[i]);
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ike_engine_mutation)

BOOST_AUTO_TEST_CASE(mutated_ike_sa_init_request_is_answered_or_dropped) {
    FakeNet net;
    core::FakeClock clock;
    Node a(net, clock, "fd00:10::1", "psk", 1);
    BOOST_REQUIRE(a.engine.initiate(
        InitiateRequest{a.addr, *core::Ip6Addr::parse("fd00:10::2"),
                        core::Ip6Prefix{a.addr, 128},
                        *core::Ip6Prefix::parse("fd00:20::/64")}));
    Datagram golden = net.queue.front();
    net.queue.clear();

    std::size_t answered = 0, dropped = 0;
    for (const auto& m : mutations(golden.bytes)) {
        FakeNet net_b;
        Node b(net_b, clock, "fd00:10::2", "psk", 2);
        b.engine.on_datagram(golden.to, golden.from, m);
        bool sent = b.engine.stats().messages_sent > 0;
        bool drop = drops(b.engine.stats()) > 0;
        BOOST_TEST((sent || drop),
                   "mutation of " << m.size() << " bytes left no trace");
        (sent ? answered : dropped)++;
        BOOST_TEST(b.host.ups.empty());
    }
    BOOST_TEST(answered > 0u);
    BOOST_TEST(dropped > 0u);
}

BOOST_AUTO_TEST_CASE(mutated_ike_auth_request_is_always_dropped) {
    FakeNet net;
    core::FakeClock clock;
    Node a(net, clock, "fd00:10::1", "psk", 1);
    Node b(net, clock, "fd00:10::2", "psk", 2);
    BOOST_REQUIRE(a.engine.initiate(
        InitiateRequest{a.addr, b.addr, core::Ip6Prefix{a.addr, 128},
                        core::Ip6Prefix{b.addr, 128}}));
    // A --> B IKE_SA_INIT, A <-- B; hold A's IKE_AUTH request.
    net.pump([](const Datagram& d) {
        auto h = d.header();
        return h.exchange == ExchangeType::kIkeAuth ? Fate::kHold
                                                    : Fate::kDeliver;
    });
    BOOST_REQUIRE_EQUAL(net.queue.size(), 1u);
    Datagram golden = net.queue.front();
    net.queue.clear();

    for (const auto& m : mutations(golden.bytes)) {
        auto before = drops(b.engine.stats());
        b.engine.on_datagram(golden.to, golden.from, m);
        BOOST_TEST(drops(b.engine.stats()) == before + 1,
                   "mutation of " << m.size() << " bytes not counted");
    }
    BOOST_TEST(b.host.ups.empty());
    BOOST_TEST(b.host.sent.size() == 1u);  // only the IKE_SA_INIT response
    BOOST_TEST(b.engine.stats().dropped_icv_failed > 0u);

    // The untouched request still works afterwards.
    net.deliver(golden);
    net.pump();
    BOOST_TEST(b.host.ups.size() == 1u);
    BOOST_TEST(a.host.ups.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
