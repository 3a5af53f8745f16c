#include <boost/test/unit_test.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/hold_queue.hpp"

using namespace scout6::core;

namespace {

using Packet = std::vector<std::uint8_t>;

Ip6Addr addr(const char* text) {
    return Ip6Addr::parse(text).value();
}

Ip6Addr nth(unsigned i) {
    Ip6Addr a = addr("fd00:7::");
    a.bytes[14] = static_cast<std::uint8_t>(i >> 8);
    a.bytes[15] = static_cast<std::uint8_t>(i);
    return a;
}

Packet packet(std::uint8_t tag, std::size_t size = 4) {
    Packet p(size, tag);
    if (size > 0) p[size - 1] = static_cast<std::uint8_t>(tag ^ 0x5a);
    return p;
}

std::vector<Packet> release_all(HoldQueue& q, const Ip6Addr& key) {
    std::vector<Packet> out;
    q.release(key, [&](Bytes b) { out.emplace_back(b.begin(), b.end()); });
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(core_scout_hold_queue)

BOOST_AUTO_TEST_CASE(releases_in_arrival_order_per_key) {
    HoldQueue q(16, 8, 64);
    const Ip6Addr a = nth(1);
    const Ip6Addr b = nth(2);
    BOOST_TEST((q.hold(a, packet(1, 10)) == HoldQueue::HoldResult::kHeld));
    BOOST_TEST((q.hold(b, packet(2)) == HoldQueue::HoldResult::kHeld));
    BOOST_TEST((q.hold(a, packet(3, 64)) == HoldQueue::HoldResult::kHeld));
    BOOST_TEST((q.hold(a, packet(4, 0)) == HoldQueue::HoldResult::kHeld));
    BOOST_TEST(q.held(a) == 3u);
    BOOST_TEST(q.held(b) == 1u);
    BOOST_TEST(q.held_total() == 4u);

    const auto out = release_all(q, a);
    BOOST_REQUIRE(out.size() == 3u);
    BOOST_TEST(out[0] == packet(1, 10), boost::test_tools::per_element());
    BOOST_TEST(out[1] == packet(3, 64), boost::test_tools::per_element());
    BOOST_TEST(out[2].empty());
    BOOST_TEST(q.held(a) == 0u);
    BOOST_TEST(q.held(b) == 1u);
    BOOST_TEST(q.held_total() == 1u);
    BOOST_TEST(release_all(q, a).empty());
}

BOOST_AUTO_TEST_CASE(drops_newest_when_key_is_full) {
    HoldQueue q(16, 2, 64);
    const Ip6Addr a = nth(1);
    q.hold(a, packet(1));
    q.hold(a, packet(2));
    BOOST_TEST(
        (q.hold(a, packet(3)) == HoldQueue::HoldResult::kDroppedKeyFull));
    BOOST_TEST((q.hold(nth(2), packet(4)) == HoldQueue::HoldResult::kHeld));
    const auto out = release_all(q, a);
    BOOST_REQUIRE(out.size() == 2u);
    BOOST_TEST(out[0] == packet(1), boost::test_tools::per_element());
    BOOST_TEST(out[1] == packet(2), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(drops_newest_when_total_is_full) {
    HoldQueue q(3, 8, 64);
    q.hold(nth(1), packet(1));
    q.hold(nth(2), packet(2));
    q.hold(nth(1), packet(3));
    BOOST_TEST((q.hold(nth(3), packet(4)) ==
                HoldQueue::HoldResult::kDroppedTotalFull));
    BOOST_TEST((q.hold(nth(1), packet(5)) ==
                HoldQueue::HoldResult::kDroppedTotalFull));
    BOOST_TEST(q.held_total() == 3u);
    BOOST_TEST(q.held(nth(3)) == 0u);
}

BOOST_AUTO_TEST_CASE(refuses_packets_over_slot_size) {
    HoldQueue q(4, 4, 16);
    BOOST_TEST(
        (q.hold(nth(1), packet(1, 17)) == HoldQueue::HoldResult::kTooBig));
    BOOST_TEST((q.hold(nth(1), packet(1, 16)) == HoldQueue::HoldResult::kHeld));
    BOOST_TEST(q.held_total() == 1u);
}

BOOST_AUTO_TEST_CASE(slots_are_reused_after_release_and_drop) {
    HoldQueue q(4, 4, 32);
    for (int round = 0; round < 50; ++round) {
        const auto tag = static_cast<std::uint8_t>(round);
        for (unsigned k = 0; k < 4; ++k)
            BOOST_REQUIRE((q.hold(nth(k), packet(tag, 8 + k)) ==
                           HoldQueue::HoldResult::kHeld));
        BOOST_REQUIRE((q.hold(nth(9), packet(tag)) ==
                       HoldQueue::HoldResult::kDroppedTotalFull));
        const auto out = release_all(q, nth(round % 4));
        BOOST_REQUIRE(out.size() == 1u);
        BOOST_TEST(out[0] == packet(tag, 8 + round % 4),
                   boost::test_tools::per_element());
        for (unsigned k = 0; k < 4; ++k) q.drop(nth(k));
        BOOST_REQUIRE(q.held_total() == 0u);
    }
}

BOOST_AUTO_TEST_CASE(drop_discards_only_that_key) {
    HoldQueue q(8, 8, 16);
    q.hold(nth(1), packet(1));
    q.hold(nth(1), packet(2));
    q.hold(nth(2), packet(3));
    BOOST_TEST(q.drop(nth(1)) == 2u);
    BOOST_TEST(q.drop(nth(1)) == 0u);
    BOOST_TEST(q.held_total() == 1u);
    const auto out = release_all(q, nth(2));
    BOOST_REQUIRE(out.size() == 1u);
    BOOST_TEST(out[0] == packet(3), boost::test_tools::per_element());
}

// Many keys in a small table: probe chains cross and wrap, and keys are
// removed from the middle of chains in every order.
BOOST_AUTO_TEST_CASE(many_keys_survive_removal_in_any_order) {
    const unsigned n = 64;
    HoldQueue q(n, 1, 8);
    for (unsigned k = 0; k < n; ++k)
        BOOST_REQUIRE((q.hold(nth(k), packet(static_cast<std::uint8_t>(k))) ==
                       HoldQueue::HoldResult::kHeld));
    for (unsigned step = 0; step < n; ++step) {
        // Odd keys first, then even ones.
        const unsigned k = step < n / 2 ? 2 * step + 1 : 2 * (step - n / 2);
        const auto out = release_all(q, nth(k));
        BOOST_REQUIRE_MESSAGE(out.size() == 1u, "key " << k);
        BOOST_TEST(out[0] == packet(static_cast<std::uint8_t>(k)),
                   boost::test_tools::per_element());
        for (unsigned j = 0; j < n; ++j) {
            const bool gone = step < n / 2
                                  ? (j % 2 == 1 && (j - 1) / 2 <= step)
                                  : (j % 2 == 1 || j / 2 <= step - n / 2);
            BOOST_REQUIRE_MESSAGE(q.held(nth(j)) == (gone ? 0u : 1u),
                                  "key " << j << " step " << step);
        }
    }
    BOOST_TEST(q.held_total() == 0u);
}

// Keys chosen so that their hashes agree in the low 16 bits: a and c
// share a home position, b sits right after it, for any table size up to
// 65536. Removing a must pull c back past b, which stays put.
BOOST_AUTO_TEST_CASE(removal_keeps_colliding_keys_reachable) {
    std::unordered_map<std::size_t, std::vector<Ip6Addr>> by_low;
    Ip6Addr a, b, c;
    bool found = false;
    for (unsigned i = 0; i < (1u << 22) && !found; ++i) {
        Ip6Addr k = addr("fd00:8::");
        for (int byte = 0; byte < 4; ++byte)
            k.bytes[12 + byte] = static_cast<std::uint8_t>(i >> (8 * byte));
        const std::size_t low = Ip6AddrHash{}(k)&0xffff;
        auto& same = by_low[low];
        same.push_back(k);
        if ((low & 0xf) == 0xf || same.size() < 2) continue;
        auto next = by_low.find(low + 1);
        if (next == by_low.end()) continue;
        a = same[0];
        c = same[1];
        b = next->second[0];
        found = true;
    }
    BOOST_REQUIRE(found);

    HoldQueue q(8, 2, 16);
    q.hold(a, packet(1));
    q.hold(b, packet(2));
    q.hold(c, packet(3));
    BOOST_TEST(q.drop(a) == 1u);
    BOOST_TEST(q.held(b) == 1u);
    BOOST_TEST(q.held(c) == 1u);
    BOOST_TEST((q.hold(c, packet(4)) == HoldQueue::HoldResult::kHeld));
    BOOST_TEST(q.held(c) == 2u);
    BOOST_TEST(q.drop(b) == 1u);
    const auto out = release_all(q, c);
    BOOST_REQUIRE(out.size() == 2u);
    BOOST_TEST(out[0] == packet(3), boost::test_tools::per_element());
    BOOST_TEST(out[1] == packet(4), boost::test_tools::per_element());
    BOOST_TEST(q.held_total() == 0u);
}

BOOST_AUTO_TEST_CASE(emit_may_hold_again_for_the_same_key) {
    HoldQueue q(4, 4, 16);
    const Ip6Addr a = nth(1);
    q.hold(a, packet(1));
    q.hold(a, packet(2));
    std::size_t emitted = 0;
    const std::size_t n = q.release(a, [&](Bytes) {
        ++emitted;
        q.hold(a, packet(9));
    });
    BOOST_TEST(n == 2u);
    BOOST_TEST(emitted == 2u);
    BOOST_TEST(q.held(a) == 2u);
    BOOST_TEST(q.held_total() == 2u);
}

BOOST_AUTO_TEST_CASE(zero_capacity_holds_nothing) {
    HoldQueue q(0, 4, 16);
    BOOST_TEST((q.hold(nth(1), packet(1)) ==
                HoldQueue::HoldResult::kDroppedTotalFull));
    HoldQueue r(4, 0, 16);
    BOOST_TEST(
        (r.hold(nth(1), packet(1)) == HoldQueue::HoldResult::kDroppedKeyFull));
    BOOST_TEST(to_string(HoldQueue::HoldResult::kTooBig) ==
               std::string("too-big"));
}

BOOST_AUTO_TEST_SUITE_END()
