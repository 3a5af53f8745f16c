#include <boost/test/unit_test.hpp>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/discovery.hpp"

// Printers for Boost.Test failure messages; internal to this file.
namespace scout6::core {
[[maybe_unused]] static std::ostream& operator<<(std::ostream& os,
                                                 const Ip6Addr& a) {
    return os << a.to_string();
}
[[maybe_unused]] static std::ostream& operator<<(std::ostream& os, Errc c) {
    return os << to_string(c);
}
}  // namespace scout6::core

using namespace scout6::core;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

namespace {

Ip6Addr addr(const char* text) {
    return Ip6Addr::parse(text).value();
}

const Ip6Addr kLocal = addr("fd00:1::1");
const Ip6Addr kDest = addr("fd00:2::2");
const Ip6Addr kOther = addr("fd00:2::3");
const Ip6Addr kRouter = addr("fd00:2::fe");

struct Sent {
    QueryKind kind;
    Ip6Addr src;
    Ip6Addr dst;
    TimePoint at;
};

class FakeSink : public DiscoverySink {
public:
    explicit FakeSink(const FakeClock& clock) : clock_(clock) {}

    void send_query(QueryKind kind, const Ip6Addr& src,
                    const Ip6Addr& dst) override {
        sent.push_back({kind, src, dst, clock_.now()});
    }
    void on_discovery_done(const DiscoveryResult& result) override {
        done.push_back(result);
        if (hook) hook(result);
    }

    std::vector<Sent> sent;
    std::vector<DiscoveryResult> done;
    std::function<void(const DiscoveryResult&)> hook;

private:
    const FakeClock& clock_;
};

struct Fixture {
    explicit Fixture(DiscoveryConfig config = {})
        : sink(clock), disc(clock, config, sink), t0(clock.now()) {}

    // Moves the clock to the next deadline and fires the timer.
    void fire_next() {
        auto next = disc.next_deadline();
        BOOST_REQUIRE(next.has_value());
        clock.advance(*next - clock.now());
        disc.on_timer();
    }

    // Offsets from t0 of every query sent so far, in milliseconds.
    std::vector<long> send_times_ms(QueryKind kind) const {
        std::vector<long> out;
        for (const Sent& s : sink.sent) {
            if (s.kind != kind) continue;
            out.push_back(static_cast<long>(
                std::chrono::duration_cast<milliseconds>(s.at - t0).count()));
        }
        return out;
    }

    FakeClock clock;
    FakeSink sink;
    Discovery disc;
    TimePoint t0;
};

ScoutMessage dor(const Ip6Addr& src, const Ip6Addr& dst, const Ip6Addr& queried,
                 std::uint32_t mask = kCapIkev2) {
    ScoutMessage m;
    m.kind = ScoutMessage::Kind::kDor;
    m.src = src;
    m.dst = dst;
    m.queried = queried;
    m.mask = mask;
    return m;
}

ScoutMessage host_dor(std::uint32_t mask = kCapIkev2) {
    return dor(kDest, kLocal, kDest, mask);
}

ScoutMessage router_dor(std::uint32_t mask = kCapIkev2) {
    return dor(kRouter, kLocal, kDest, mask);
}

ParamProblem pp_from(const Ip6Addr& reporter) {
    return ParamProblem{reporter, kLocal, kDest};
}

// Runs the DOq phase of a pending query to its end by timeouts.
void time_out_doq_phase(Fixture& f) {
    for (unsigned i = 0; i < f.disc.config().sends_per_phase; ++i)
        f.fire_next();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(core_scout_discovery)

BOOST_AUTO_TEST_CASE(start_sends_first_doq_synchronously) {
    Fixture f;
    BOOST_TEST(
        (f.disc.start(kLocal, kDest) == Discovery::StartResult::kStarted));
    BOOST_REQUIRE(f.sink.sent.size() == 1u);
    BOOST_TEST((f.sink.sent[0].kind == QueryKind::kDoq));
    BOOST_TEST(f.sink.sent[0].src == kLocal);
    BOOST_TEST(f.sink.sent[0].dst == kDest);
    BOOST_TEST(f.disc.is_pending(kDest));
    BOOST_TEST((f.disc.next_deadline() == f.t0 + milliseconds(300)));
}

BOOST_AUTO_TEST_CASE(host_answer_completes_query) {
    Fixture f;
    f.disc.start(kLocal, kDest);
    f.clock.advance(milliseconds(12));
    f.disc.on_dor(host_dor(kCapIkev2 | kCapIkev1));

    BOOST_REQUIRE(f.sink.done.size() == 1u);
    const DiscoveryResult& r = f.sink.done[0];
    BOOST_TEST((r.outcome == Outcome::kHostAnswered));
    BOOST_TEST(r.local == kLocal);
    BOOST_TEST(r.destination == kDest);
    BOOST_TEST(r.endpoint == kDest);
    BOOST_TEST(r.mask == (kCapIkev2 | kCapIkev1));
    BOOST_TEST((r.elapsed == milliseconds(12)));
    BOOST_TEST(r.doq_sent == 1u);
    BOOST_TEST(r.raq_sent == 0u);
    BOOST_TEST(!r.param_problem_seen);
    BOOST_TEST(!f.disc.is_pending(kDest));
    BOOST_TEST(!f.disc.next_deadline().has_value());
    BOOST_TEST(f.disc.known_host(kDest));
    BOOST_TEST(f.disc.stats().dor_matched == 1u);
    BOOST_TEST(f.disc.stats().host_answered == 1u);
}

BOOST_AUTO_TEST_CASE(three_sends_per_phase_with_exact_backoff) {
    Fixture f;
    f.disc.start(kLocal, kDest);

    // Nothing happens a nanosecond before the deadline.
    f.clock.advance(milliseconds(300) - nanoseconds(1));
    f.disc.on_timer();
    BOOST_TEST(f.sink.sent.size() == 1u);

    // DOq at 0, 300, 900; RAq at 2100, 2400, 3000; give up at 4200.
    const long want_deadlines[] = {300, 900, 2100, 2400, 3000, 4200};
    for (long want : want_deadlines) {
        auto next = f.disc.next_deadline();
        BOOST_REQUIRE(next.has_value());
        BOOST_TEST((*next == f.t0 + milliseconds(want)), "deadline " << want);
        BOOST_TEST(f.sink.done.empty());
        f.fire_next();
    }
    BOOST_TEST(
        f.send_times_ms(QueryKind::kDoq) == (std::vector<long>{0, 300, 900}),
        boost::test_tools::per_element());
    BOOST_TEST(f.send_times_ms(QueryKind::kRaq) ==
                   (std::vector<long>{2100, 2400, 3000}),
               boost::test_tools::per_element());
    BOOST_REQUIRE(f.sink.done.size() == 1u);
    const DiscoveryResult& r = f.sink.done[0];
    BOOST_TEST((r.outcome == Outcome::kNoAnswer));
    BOOST_TEST((r.elapsed == milliseconds(4200)));
    BOOST_TEST(r.doq_sent == 3u);
    BOOST_TEST(r.raq_sent == 3u);
    BOOST_TEST(r.endpoint.is_unspecified());
    BOOST_TEST(f.disc.stats().timeouts == 6u);
    BOOST_TEST(f.disc.stats().no_answer == 1u);
    BOOST_TEST(!f.disc.next_deadline().has_value());
}

BOOST_AUTO_TEST_CASE(custom_backoff_and_send_count) {
    DiscoveryConfig c;
    c.first_timeout = milliseconds(100);
    c.backoff_factor = 3;
    c.sends_per_phase = 2;
    Fixture f(c);
    f.disc.start(kLocal, kDest);
    while (f.sink.done.empty()) f.fire_next();
    // DOq at 0, 100; RAq at 400, 500; end at 800.
    BOOST_TEST(f.send_times_ms(QueryKind::kDoq) == (std::vector<long>{0, 100}),
               boost::test_tools::per_element());
    BOOST_TEST(
        f.send_times_ms(QueryKind::kRaq) == (std::vector<long>{400, 500}),
        boost::test_tools::per_element());
    BOOST_TEST((f.sink.done[0].elapsed == milliseconds(800)));
}

BOOST_AUTO_TEST_CASE(router_answer_in_raq_phase) {
    Fixture f;
    f.disc.start(kLocal, kDest);
    time_out_doq_phase(f);
    BOOST_REQUIRE(f.sink.sent.back().kind == QueryKind::kRaq);
    f.disc.on_dor(router_dor());

    BOOST_REQUIRE(f.sink.done.size() == 1u);
    BOOST_TEST((f.sink.done[0].outcome == Outcome::kRouterAnswered));
    BOOST_TEST(f.sink.done[0].endpoint == kRouter);
    BOOST_TEST(f.sink.done[0].raq_sent == 1u);
    BOOST_TEST(!f.disc.known_host(kDest));
    BOOST_TEST(f.disc.stats().router_answered == 1u);
}

BOOST_AUTO_TEST_CASE(late_host_answer_in_raq_phase_is_host_mode) {
    Fixture f;
    f.disc.start(kLocal, kDest);
    time_out_doq_phase(f);
    f.disc.on_dor(host_dor());
    BOOST_REQUIRE(f.sink.done.size() == 1u);
    BOOST_TEST((f.sink.done[0].outcome == Outcome::kHostAnswered));
}

BOOST_AUTO_TEST_CASE(router_answer_before_any_raq_is_ignored) {
    Fixture f;
    f.disc.start(kLocal, kDest);
    f.disc.on_dor(router_dor());
    BOOST_TEST(f.sink.done.empty());
    BOOST_TEST(f.disc.is_pending(kDest));
    BOOST_TEST(f.disc.stats().dor_unsolicited_router == 1u);
    BOOST_TEST(f.disc.stats().dor_matched == 0u);
}

BOOST_AUTO_TEST_CASE(param_problem_moves_to_raq_at_once) {
    Fixture f;
    f.disc.start(kLocal, kDest);
    f.clock.advance(milliseconds(5));
    f.disc.on_param_problem(pp_from(kDest));

    BOOST_REQUIRE(f.sink.sent.size() == 2u);
    BOOST_TEST((f.sink.sent[1].kind == QueryKind::kRaq));
    BOOST_TEST((f.sink.sent[1].at == f.t0 + milliseconds(5)));
    BOOST_TEST((f.disc.next_deadline() == f.t0 + milliseconds(305)));
    BOOST_TEST(f.disc.stats().param_problem == 1u);

    // A second report (for an earlier resend) changes nothing.
    f.disc.on_param_problem(pp_from(kDest));
    BOOST_TEST(f.sink.sent.size() == 2u);

    f.disc.on_dor(router_dor());
    BOOST_REQUIRE(f.sink.done.size() == 1u);
    BOOST_TEST((f.sink.done[0].outcome == Outcome::kRouterAnswered));
    BOOST_TEST(f.sink.done[0].param_problem_seen);
    BOOST_TEST(f.sink.done[0].doq_sent == 1u);
}

BOOST_AUTO_TEST_CASE(param_problem_from_anyone_but_destination_is_ignored) {
    Fixture f;
    f.disc.start(kLocal, kDest);
    f.disc.on_param_problem(pp_from(kRouter));
    BOOST_TEST(f.sink.sent.size() == 1u);
    BOOST_TEST(f.disc.stats().param_problem_foreign == 1u);

    // Not ours at all: other initiator, other destination.
    f.disc.on_param_problem(ParamProblem{kDest, kOther, kDest});
    f.disc.on_param_problem(ParamProblem{kOther, kLocal, kOther});
    BOOST_TEST(f.disc.stats().param_problem_orphan == 2u);
    BOOST_TEST(f.sink.sent.size() == 1u);
}

BOOST_AUTO_TEST_CASE(param_problem_with_raq_disabled_fails_at_once) {
    DiscoveryConfig c;
    c.raq_enabled = false;
    Fixture f(c);
    f.disc.start(kLocal, kDest);
    f.disc.on_param_problem(pp_from(kDest));
    BOOST_REQUIRE(f.sink.done.size() == 1u);
    BOOST_TEST((f.sink.done[0].outcome == Outcome::kNoAnswer));
    BOOST_TEST(f.sink.done[0].param_problem_seen);
    BOOST_TEST(f.sink.done[0].raq_sent == 0u);
    BOOST_TEST(f.sink.sent.size() == 1u);
    BOOST_TEST(!f.disc.next_deadline().has_value());
}

BOOST_AUTO_TEST_CASE(raq_disabled_fails_after_doq_phase) {
    DiscoveryConfig c;
    c.raq_enabled = false;
    Fixture f(c);
    f.disc.start(kLocal, kDest);
    time_out_doq_phase(f);
    BOOST_REQUIRE(f.sink.done.size() == 1u);
    BOOST_TEST((f.sink.done[0].outcome == Outcome::kNoAnswer));
    BOOST_TEST((f.sink.done[0].elapsed == milliseconds(2100)));
    BOOST_TEST(f.disc.stats().raq_sent == 0u);
    BOOST_TEST(f.send_times_ms(QueryKind::kRaq).empty());
}

BOOST_AUTO_TEST_CASE(unmatched_dors_are_orphans) {
    Fixture f;
    // Nothing pending.
    f.disc.on_dor(host_dor());
    BOOST_TEST(f.disc.stats().dor_orphan == 1u);

    // Pending, but addressed to another of our addresses.
    f.disc.start(kLocal, kDest);
    f.disc.on_dor(dor(kDest, kOther, kDest));
    // Pending, but answering another destination.
    f.disc.on_dor(dor(kOther, kLocal, kOther));
    BOOST_TEST(f.disc.stats().dor_orphan == 3u);
    BOOST_TEST(f.disc.is_pending(kDest));

    // Arriving after the query gave up.
    while (f.sink.done.empty()) f.fire_next();
    f.clock.advance(seconds(60));
    f.disc.on_timer();
    f.disc.on_dor(host_dor());
    BOOST_TEST(f.disc.stats().dor_orphan == 4u);
    BOOST_TEST(f.disc.stats().dor_matched == 0u);
    BOOST_TEST(f.sink.done.size() == 1u);
}

BOOST_AUTO_TEST_CASE(second_dor_is_a_duplicate_and_reports_once) {
    Fixture f;
    f.disc.start(kLocal, kDest);
    f.fire_next();  // resend: two DOqs in flight
    f.disc.on_dor(host_dor());
    f.disc.on_dor(host_dor());
    f.disc.on_dor(router_dor());
    BOOST_TEST(f.sink.done.size() == 1u);
    BOOST_TEST(f.disc.stats().dor_matched == 1u);
    BOOST_TEST(f.disc.stats().dor_duplicate == 2u);
    BOOST_TEST(f.disc.stats().dor_orphan == 0u);

    // Long after the query, the same DOr no longer counts as a duplicate.
    f.clock.advance(seconds(60));
    f.disc.on_timer();
    f.disc.on_dor(host_dor());
    BOOST_TEST(f.disc.stats().dor_duplicate == 2u);
    BOOST_TEST(f.disc.stats().dor_orphan == 1u);
}

BOOST_AUTO_TEST_CASE(answer_without_ikev2_is_answered_no) {
    Fixture f;
    f.disc.start(kLocal, kDest);
    f.disc.on_dor(host_dor(kCapIkev1 | kCapKink));
    BOOST_REQUIRE(f.sink.done.size() == 1u);
    BOOST_TEST((f.sink.done[0].outcome == Outcome::kAnsweredNoIkev2));
    BOOST_TEST(f.sink.done[0].mask == (kCapIkev1 | kCapKink));
    BOOST_TEST(!f.disc.known_host(kDest));
    BOOST_TEST(f.disc.stats().answered_no_ikev2 == 1u);
    BOOST_TEST((f.disc.start(kLocal, kDest) ==
                Discovery::StartResult::kNegativeCached));
}

BOOST_AUTO_TEST_CASE(negative_cache_expires_after_ttl) {
    DiscoveryConfig c;
    c.negative_ttl = seconds(10);
    Fixture f(c);
    f.disc.start(kLocal, kDest);
    while (f.sink.done.empty()) f.fire_next();
    const std::size_t sends = f.sink.sent.size();

    BOOST_TEST((f.disc.start(kLocal, kDest) ==
                Discovery::StartResult::kNegativeCached));
    f.clock.advance(seconds(10) - nanoseconds(1));
    BOOST_TEST((f.disc.start(kLocal, kDest) ==
                Discovery::StartResult::kNegativeCached));
    BOOST_TEST(f.disc.stats().negative_hits == 2u);
    BOOST_TEST(f.sink.sent.size() == sends);

    f.clock.advance(nanoseconds(1));
    BOOST_TEST(
        (f.disc.start(kLocal, kDest) == Discovery::StartResult::kStarted));
    BOOST_TEST(f.sink.sent.size() == sends + 1);
}

BOOST_AUTO_TEST_CASE(forget_negative_allows_immediate_probe) {
    Fixture f;
    f.disc.start(kLocal, kDest);
    f.disc.on_dor(host_dor(0));
    BOOST_TEST((f.disc.start(kLocal, kDest) ==
                Discovery::StartResult::kNegativeCached));
    f.disc.forget_negative(kDest);
    BOOST_TEST(
        (f.disc.start(kLocal, kDest) == Discovery::StartResult::kStarted));
}

BOOST_AUTO_TEST_CASE(router_answer_for_known_host_is_refused) {
    Fixture f;
    f.disc.start(kLocal, kDest);
    f.disc.on_dor(host_dor());
    BOOST_REQUIRE(f.disc.known_host(kDest));

    // Later the DOqs vanish (an attacker drops them) and the router
    // answers the RAq: SPEC §6 downgrade, refused.
    f.clock.advance(seconds(120));
    BOOST_TEST(
        (f.disc.start(kLocal, kDest) == Discovery::StartResult::kStarted));
    time_out_doq_phase(f);
    f.disc.on_dor(router_dor());
    BOOST_REQUIRE(f.sink.done.size() == 2u);
    BOOST_TEST((f.sink.done[1].outcome == Outcome::kRefusedDowngrade));
    BOOST_TEST(f.sink.done[1].endpoint == kRouter);
    BOOST_TEST(f.disc.stats().refused_downgrade == 1u);
    BOOST_TEST((f.disc.start(kLocal, kDest) ==
                Discovery::StartResult::kNegativeCached));
}

BOOST_AUTO_TEST_CASE(downgrade_guard_is_bounded) {
    DiscoveryConfig c;
    c.max_remembered_hosts = 2;
    Fixture f(c);
    const Ip6Addr hosts[] = {addr("fd00:2::a"), addr("fd00:2::b"),
                             addr("fd00:2::c")};
    for (const Ip6Addr& h : hosts) {
        f.disc.start(kLocal, h);
        f.disc.on_dor(dor(h, kLocal, h));
    }
    BOOST_TEST(!f.disc.known_host(hosts[0]));  // oldest evicted
    BOOST_TEST(f.disc.known_host(hosts[1]));
    BOOST_TEST(f.disc.known_host(hosts[2]));
}

BOOST_AUTO_TEST_CASE(router_modes_can_be_disallowed) {
    DiscoveryConfig c;
    c.allow_router_modes = false;
    Fixture f(c);
    f.disc.start(kLocal, kDest);
    time_out_doq_phase(f);
    f.disc.on_dor(router_dor());
    BOOST_REQUIRE(f.sink.done.size() == 1u);
    BOOST_TEST((f.sink.done[0].outcome == Outcome::kRouterModeDisallowed));
    BOOST_TEST(f.disc.stats().router_mode_disallowed == 1u);
}

BOOST_AUTO_TEST_CASE(refuses_duplicate_and_excess_queries) {
    DiscoveryConfig c;
    c.max_pending = 2;
    Fixture f(c);
    BOOST_TEST(
        (f.disc.start(kLocal, kDest) == Discovery::StartResult::kStarted));
    BOOST_TEST((f.disc.start(kOther, kDest) ==
                Discovery::StartResult::kAlreadyRunning));
    BOOST_TEST(
        (f.disc.start(kLocal, kOther) == Discovery::StartResult::kStarted));
    BOOST_TEST(
        (f.disc.start(kLocal, kRouter) == Discovery::StartResult::kTooMany));
    BOOST_TEST(f.disc.stats().too_many == 1u);
    BOOST_TEST(f.disc.stats().already_running == 1u);
    BOOST_TEST(f.sink.sent.size() == 2u);
    BOOST_TEST(f.disc.pending_count() == 2u);

    f.disc.on_dor(host_dor());
    BOOST_TEST(
        (f.disc.start(kLocal, kRouter) == Discovery::StartResult::kStarted));
}

BOOST_AUTO_TEST_CASE(deadlines_of_many_queries_fire_in_order) {
    Fixture f;
    f.disc.start(kLocal, kDest);
    f.clock.advance(milliseconds(100));
    f.disc.start(kLocal, kOther);
    BOOST_TEST((f.disc.next_deadline() == f.t0 + milliseconds(300)));
    f.fire_next();
    BOOST_REQUIRE(f.sink.sent.size() == 3u);
    BOOST_TEST(f.sink.sent[2].dst == kDest);
    BOOST_TEST((f.disc.next_deadline() == f.t0 + milliseconds(400)));
    f.fire_next();
    BOOST_TEST(f.sink.sent[3].dst == kOther);
}

BOOST_AUTO_TEST_CASE(sink_may_start_queries_from_done_callback) {
    DiscoveryConfig c;
    c.negative_ttl = Duration::zero();  // let the same destination restart
    Fixture f(c);
    std::vector<Discovery::StartResult> restarts;
    f.sink.hook = [&](const DiscoveryResult& r) {
        if (f.sink.done.size() > 4) return;
        restarts.push_back(f.disc.start(r.local, r.destination));
        restarts.push_back(f.disc.start(r.local, addr("fd00:3::1")));
    };
    // Two queries whose deadlines fall on the same instants: the last
    // on_timer ends both, and the first report already restarts one.
    f.disc.start(kLocal, kDest);
    f.disc.start(kLocal, kOther);
    while (f.sink.done.empty()) f.fire_next();
    BOOST_REQUIRE(f.sink.done.size() == 2u);
    BOOST_TEST((f.clock.now() == f.t0 + milliseconds(4200)));
    BOOST_TEST(f.sink.done[0].destination == kDest);
    BOOST_TEST(f.sink.done[1].destination == kOther);
    BOOST_REQUIRE(restarts.size() == 4u);
    BOOST_TEST((restarts[0] == Discovery::StartResult::kStarted));
    BOOST_TEST((restarts[1] == Discovery::StartResult::kStarted));
    BOOST_TEST((restarts[2] == Discovery::StartResult::kStarted));
    BOOST_TEST((restarts[3] == Discovery::StartResult::kAlreadyRunning));
    BOOST_TEST(f.disc.is_pending(kDest));
    BOOST_TEST(f.disc.is_pending(kOther));
    BOOST_TEST(f.disc.pending_count() == 3u);
    BOOST_TEST((f.disc.next_deadline() == f.clock.now() + milliseconds(300)));
    BOOST_TEST((f.sink.sent.back().at == f.clock.now()));
}

BOOST_AUTO_TEST_CASE(every_started_query_reports_exactly_once) {
    Fixture f;
    std::map<std::string, int> reports;
    f.sink.hook = [&](const DiscoveryResult& r) {
        ++reports[r.destination.to_string()];
    };
    std::vector<Ip6Addr> dests;
    for (int i = 1; i <= 20; ++i)
        dests.push_back(addr(("fd00:5::" + std::to_string(i)).c_str()));
    for (const Ip6Addr& d : dests) {
        f.disc.start(kLocal, d);
        f.clock.advance(milliseconds(37));
    }
    // Some answered (host, twice), some by PP then router, rest time out.
    for (std::size_t i = 0; i < dests.size(); i += 3) {
        f.disc.on_dor(dor(dests[i], kLocal, dests[i]));
        f.disc.on_dor(dor(dests[i], kLocal, dests[i]));
    }
    for (std::size_t i = 1; i < dests.size(); i += 3) {
        f.disc.on_param_problem(ParamProblem{dests[i], kLocal, dests[i]});
        f.disc.on_dor(dor(kRouter, kLocal, dests[i]));
    }
    while (f.disc.next_deadline()) f.fire_next();

    BOOST_TEST(reports.size() == dests.size());
    for (const auto& [name, count] : reports) BOOST_TEST(count == 1, name);
    BOOST_TEST(f.disc.stats().started == dests.size());
    BOOST_TEST(f.disc.stats().host_answered == 7u);
    BOOST_TEST(f.disc.stats().router_answered == 7u);
    BOOST_TEST(f.disc.stats().no_answer == 6u);
    BOOST_TEST(f.disc.stats().dor_duplicate == 7u);
}

BOOST_AUTO_TEST_CASE(stats_are_listed_by_name) {
    Fixture f;
    f.disc.start(kLocal, kDest);
    f.disc.on_dor(host_dor());
    f.disc.on_dor(host_dor());
    std::map<std::string, std::uint64_t> seen;
    f.disc.stats().for_each(
        [&](const char* name, std::uint64_t v) { seen[name] = v; });
    BOOST_TEST(seen.size() == 20u);
    BOOST_TEST(seen.at("doq_sent") == 1u);
    BOOST_TEST(seen.at("dor_matched") == 1u);
    BOOST_TEST(seen.at("dor_duplicate") == 1u);
    BOOST_TEST(seen.at("host_answered") == 1u);
    BOOST_TEST(seen.at("no_answer") == 0u);
}

BOOST_AUTO_TEST_CASE(config_limits_are_checked_and_clamped) {
    BOOST_TEST(validate_discovery_config({}).has_value());
    DiscoveryConfig zero_timeout;
    zero_timeout.first_timeout = Duration::zero();
    BOOST_TEST(validate_discovery_config(zero_timeout).error().code ==
               Errc::kConfig);
    DiscoveryConfig zero_sends;
    zero_sends.sends_per_phase = 0;
    BOOST_TEST(!validate_discovery_config(zero_sends).has_value());
    DiscoveryConfig zero_backoff;
    zero_backoff.backoff_factor = 0;
    BOOST_TEST(!validate_discovery_config(zero_backoff).has_value());

    // Clamped rather than spinning: a zero timeout becomes 1 ms.
    Fixture f(zero_timeout);
    f.disc.start(kLocal, kDest);
    BOOST_TEST((f.disc.next_deadline() == f.t0 + milliseconds(1)));
    f.clock.advance(seconds(1));
    f.disc.on_timer();
    BOOST_TEST(f.sink.sent.size() == 2u);
}

BOOST_AUTO_TEST_CASE(enum_names) {
    BOOST_TEST(to_string(Outcome::kRefusedDowngrade) ==
               std::string("refused-downgrade"));
    BOOST_TEST(to_string(QueryKind::kRaq) == std::string("raq"));
    BOOST_TEST(to_string(Discovery::StartResult::kNegativeCached) ==
               std::string("negative-cached"));
}

BOOST_AUTO_TEST_SUITE_END()
