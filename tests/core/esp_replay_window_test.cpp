// ReplayWindow on its own: the RFC 4303 §3.4.3 rules at their edges.
#include <boost/test/unit_test.hpp>
#include <cstdint>

#include "core/replay_window.hpp"

using namespace scout6::core;

namespace {
constexpr std::uint32_t kW = ReplayWindow::kWindowBits;
}

BOOST_AUTO_TEST_SUITE(core_esp_replay_window)

BOOST_AUTO_TEST_CASE(zero_is_never_valid) {
    ReplayWindow w;
    BOOST_TEST(!w.check(0));
    w.update(0);
    BOOST_TEST(w.top() == 0u);
    BOOST_TEST(w.check(1));
}

BOOST_AUTO_TEST_CASE(duplicate_rejected_after_update_only) {
    ReplayWindow w;
    BOOST_TEST(w.check(5));
    BOOST_TEST(w.check(5));  // check alone records nothing
    w.update(5);
    BOOST_TEST(!w.check(5));
    BOOST_TEST(w.check(4));
    BOOST_TEST(w.check(6));
}

BOOST_AUTO_TEST_CASE(edge_of_window_is_exact) {
    ReplayWindow w;
    constexpr std::uint32_t kTop = 10'000;
    w.update(kTop);
    BOOST_TEST(w.check(kTop - kW + 1));  // oldest still inside
    BOOST_TEST(!w.check(kTop - kW));     // first one outside
    w.update(kTop - kW + 1);
    BOOST_TEST(!w.check(kTop - kW + 1));
}

BOOST_AUTO_TEST_CASE(window_below_first_full_width) {
    // Before top reaches the window size, every non-zero number below top
    // is inside the window.
    ReplayWindow w;
    w.update(100);
    for (std::uint32_t s = 1; s < 100; ++s) BOOST_TEST_REQUIRE(w.check(s));
}

BOOST_AUTO_TEST_CASE(sliding_by_one_forgets_exactly_the_oldest) {
    ReplayWindow w;
    for (std::uint32_t s = 1; s <= 3 * kW; ++s) {
        BOOST_TEST_REQUIRE(w.check(s));
        w.update(s);
        // Everything inside the window is now marked seen...
        std::uint32_t low = s > kW ? s - kW + 1 : 1;
        BOOST_TEST_REQUIRE(!w.check(low));
        BOOST_TEST_REQUIRE(!w.check(s));
        // ...and the next one is new.
        BOOST_TEST_REQUIRE(w.check(s + 1));
    }
}

BOOST_AUTO_TEST_CASE(bits_survive_a_slide_within_the_window) {
    ReplayWindow w;
    w.update(1000);
    w.update(990);
    w.update(1000 + kW - 20);  // 990 is still inside: 20 below the edge
    BOOST_TEST(!w.check(990));
    BOOST_TEST(w.check(991));
    BOOST_TEST(!w.check(1000));
}

BOOST_AUTO_TEST_CASE(far_jump_clears_the_whole_ring) {
    ReplayWindow w;
    for (std::uint32_t s = 1; s <= kW; ++s) w.update(s);
    constexpr std::uint32_t kFar = 50 * kW + 7;
    w.update(kFar);
    BOOST_TEST(w.top() == kFar);
    // Stale bits from the first pass must not show up at the same ring
    // positions in the new window.
    for (std::uint32_t s = kFar - kW + 1; s < kFar; ++s)
        BOOST_TEST_REQUIRE(w.check(s));
    BOOST_TEST(!w.check(kFar));
    BOOST_TEST(!w.check(kW));
}

BOOST_AUTO_TEST_CASE(top_of_sequence_space) {
    ReplayWindow w;
    w.update(UINT32_MAX - 1);
    BOOST_TEST(w.check(UINT32_MAX));
    w.update(UINT32_MAX);
    BOOST_TEST(!w.check(UINT32_MAX));
    BOOST_TEST(!w.check(UINT32_MAX - 1));
    BOOST_TEST(w.check(UINT32_MAX - 2));
}

BOOST_AUTO_TEST_CASE(update_of_stale_number_changes_nothing) {
    ReplayWindow w;
    w.update(5000);
    w.update(10);  // outside the window; must not set a ring bit
    BOOST_TEST(w.top() == 5000u);
    // 10 shares a ring slot with numbers inside the window; none of them
    // may look seen.
    for (std::uint32_t s = 5000 - kW + 1; s < 5000; ++s)
        BOOST_TEST_REQUIRE(w.check(s));
}

BOOST_AUTO_TEST_SUITE_END()
