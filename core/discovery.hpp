// SCOUT6 initiator state machine (SPEC.md §4 "Initiator", steps 2-6).
//
// One query per destination address. A query starts in the DOq phase,
// resends on timeout with exponential backoff, moves to the RAq phase
// after `sends_per_phase` unanswered DOqs (or at once on a Parameter
// Problem quoting our DOq) and fails after `sends_per_phase` unanswered
// RAqs. The outcome is reported exactly once per started query through
// DiscoverySink::on_discovery_done.
//
// Pure logic: the caller feeds parsed DOrs, Parameter Problems and timer
// events, and sends the queries the sink asks for. Time comes from the
// injected Clock. Not thread-safe: one event loop owns a Discovery.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include "core/clock.hpp"
#include "core/ip6.hpp"
#include "core/result.hpp"
#include "core/scout_wire.hpp"

namespace scout6::core {

struct DiscoveryConfig {
    // Wait after the first send of each phase; each resend waits
    // backoff_factor times longer than the one before.
    Duration first_timeout{std::chrono::milliseconds(300)};
    unsigned backoff_factor{2};
    unsigned sends_per_phase{3};
    bool raq_enabled{true};
    // How long a failed destination is not probed again.
    Duration negative_ttl{std::chrono::seconds(30)};
    // false: router answers are refused (SPEC §6 strict setting).
    bool allow_router_modes{true};
    size_t max_pending{4096};
    // Bound on the destinations remembered as having answered in host
    // mode (downgrade guard) and on the negative cache.
    size_t max_remembered_hosts{100000};
};

// Checks the limits Discovery relies on: first_timeout > 0,
// backoff_factor >= 1, sends_per_phase >= 1, max_pending >= 1. The
// constructor clamps bad values instead, so callers validate first.
[[nodiscard]] Status validate_discovery_config(const DiscoveryConfig& config);

enum class QueryKind { kDoq, kRaq };
const char* to_string(QueryKind kind);

enum class Outcome {
    kHostAnswered,          // destination node speaks IKEv2 (host mode)
    kRouterAnswered,        // its last-hop router does (router mode)
    kNoAnswer,              // nobody answered both phases
    kAnsweredNoIkev2,       // a DOr without the IKEv2 bit
    kRefusedDowngrade,      // router answer for a known SCOUT6 host
    kRouterModeDisallowed,  // router answer with router modes off
};
const char* to_string(Outcome outcome);

// True for the two outcomes that give a channel endpoint.
inline bool is_success(Outcome o) {
    return o == Outcome::kHostAnswered || o == Outcome::kRouterAnswered;
}

struct DiscoveryResult {
    Ip6Addr local;
    Ip6Addr destination;
    Outcome outcome = Outcome::kNoAnswer;
    Ip6Addr endpoint;  // DOr source when a DOr decided it, else unspecified
    std::uint32_t mask = 0;  // DOr capability mask, 0 without a DOr
    Duration elapsed{0};     // from start() to the outcome
    unsigned doq_sent = 0;
    unsigned raq_sent = 0;
    bool param_problem_seen = false;
};

// Implemented by the daemon. Both calls are made synchronously from
// inside Discovery's methods; the sink may call back into Discovery
// (start() from on_discovery_done, typically) and Discovery stays
// consistent when it does.
class DiscoverySink {
public:
    virtual ~DiscoverySink() = default;
    // Send one DOq or RAq from src to dst. Failures are the sink's to
    // count; the query simply times out.
    virtual void send_query(QueryKind kind, const Ip6Addr& src,
                            const Ip6Addr& dst) = 0;
    virtual void on_discovery_done(const DiscoveryResult& result) = 0;
};

struct DiscoveryStats {
    std::uint64_t started = 0;
    std::uint64_t doq_sent = 0;
    std::uint64_t raq_sent = 0;
    std::uint64_t dor_matched = 0;
    std::uint64_t dor_orphan = 0;
    std::uint64_t dor_duplicate = 0;
    std::uint64_t dor_unsolicited_router = 0;  // router DOr before any RAq
    std::uint64_t param_problem = 0;
    std::uint64_t param_problem_orphan = 0;
    std::uint64_t param_problem_foreign = 0;  // reporter != destination
    std::uint64_t timeouts = 0;
    std::uint64_t host_answered = 0;
    std::uint64_t router_answered = 0;
    std::uint64_t no_answer = 0;
    std::uint64_t answered_no_ikev2 = 0;
    std::uint64_t refused_downgrade = 0;
    std::uint64_t router_mode_disallowed = 0;
    std::uint64_t negative_hits = 0;
    std::uint64_t too_many = 0;
    std::uint64_t already_running = 0;

    // Calls f(name, value) for every counter, in declaration order.
    template <typename F>
    void for_each(F&& f) const {
        f("started", started);
        f("doq_sent", doq_sent);
        f("raq_sent", raq_sent);
        f("dor_matched", dor_matched);
        f("dor_orphan", dor_orphan);
        f("dor_duplicate", dor_duplicate);
        f("dor_unsolicited_router", dor_unsolicited_router);
        f("param_problem", param_problem);
        f("param_problem_orphan", param_problem_orphan);
        f("param_problem_foreign", param_problem_foreign);
        f("timeouts", timeouts);
        f("host_answered", host_answered);
        f("router_answered", router_answered);
        f("no_answer", no_answer);
        f("answered_no_ikev2", answered_no_ikev2);
        f("refused_downgrade", refused_downgrade);
        f("router_mode_disallowed", router_mode_disallowed);
        f("negative_hits", negative_hits);
        f("too_many", too_many);
        f("already_running", already_running);
    }
};

// A map from address to value whose entries expire a fixed time after
// insertion and whose size is bounded (oldest evicted first). Because the
// lifetime is the same for every entry, insertion order is expiry order
// and a deque serves as the ordered index.
template <typename V>
class ExpiringAddrMap {
public:
    explicit ExpiringAddrMap(size_t capacity)
        : capacity_(capacity == 0 ? 1 : capacity) {}

    void insert(const Ip6Addr& key, const V& value, TimePoint expiry) {
        while (order_.size() >= capacity_) pop_oldest();
        map_[key] = Entry{value, expiry};
        order_.emplace_back(expiry, key);
    }

    // The live value for key, or nullptr. Valid until the next mutation.
    const V* find(const Ip6Addr& key, TimePoint now) const {
        auto it = map_.find(key);
        if (it == map_.end() || it->second.expiry <= now) return nullptr;
        return &it->second.value;
    }

    void erase(const Ip6Addr& key) { map_.erase(key); }

    void purge(TimePoint now) {
        while (!order_.empty() && order_.front().first <= now) pop_oldest();
    }

    size_t size() const { return map_.size(); }

private:
    struct Entry {
        V value;
        TimePoint expiry;
    };

    void pop_oldest() {
        const auto& [expiry, key] = order_.front();
        // A later insert or an erase may have replaced this entry; only
        // the entry this index record was made for goes.
        auto it = map_.find(key);
        if (it != map_.end() && it->second.expiry == expiry) map_.erase(it);
        order_.pop_front();
    }

    size_t capacity_;
    std::unordered_map<Ip6Addr, Entry, Ip6AddrHash> map_;
    std::deque<std::pair<TimePoint, Ip6Addr>> order_;
};

class Discovery {
public:
    // `clock` and `sink` must outlive the Discovery.
    Discovery(const Clock& clock, DiscoveryConfig config, DiscoverySink& sink);

    enum class StartResult {
        kStarted,
        kAlreadyRunning,
        kNegativeCached,
        kTooMany
    };

    // Starts a query for `destination` from `local` and sends the first
    // DOq through the sink before returning. A query already running for
    // the destination (from any local address) is not duplicated.
    StartResult start(const Ip6Addr& local, const Ip6Addr& destination);

    // A parsed DOr. It matches iff a pending query has local == dor.dst
    // and destination == dor.queried; anything else is counted and
    // ignored (orphan, duplicate, unsolicited router answer).
    void on_dor(const ScoutMessage& dor);

    // A Parameter Problem quoting our DOq, reported by the destination
    // itself: the DOq phase ends at once (SPEC §4 step 3).
    void on_param_problem(const ParamProblem& pp);

    // Handles every deadline <= clock.now(). Call it when next_deadline()
    // is reached; calling it early or late is harmless.
    void on_timer();

    std::optional<TimePoint> next_deadline() const;
    bool is_pending(const Ip6Addr& destination) const;
    size_t pending_count() const { return pending_.size(); }

    // Drops a negative-cache entry so the next start() probes again.
    void forget_negative(const Ip6Addr& destination);

    // True if `destination` is remembered as having answered in host mode.
    bool known_host(const Ip6Addr& destination) const;

    const DiscoveryStats& stats() const { return stats_; }
    const DiscoveryConfig& config() const { return config_; }

private:
    struct Pending {
        Ip6Addr local;
        Ip6Addr destination;
        QueryKind phase = QueryKind::kDoq;
        unsigned sends_in_phase = 0;
        Duration timeout{0};
        TimePoint deadline;
        TimePoint started;
        unsigned doq_sent = 0;
        unsigned raq_sent = 0;
        bool param_problem_seen = false;
    };

    using PendingMap = std::unordered_map<Ip6Addr, Pending, Ip6AddrHash>;

    void send(Pending& p, QueryKind kind);
    void schedule(Pending& p, Duration timeout);
    void enter_raq_or_fail(PendingMap::iterator it);
    void on_deadline(PendingMap::iterator it);
    void finish(PendingMap::iterator it, Outcome outcome,
                const ScoutMessage* dor);
    Outcome decide(const Pending& p, const ScoutMessage& dor) const;
    void remember_host(const Ip6Addr& destination);

    const Clock& clock_;
    DiscoveryConfig config_;
    DiscoverySink& sink_;
    DiscoveryStats stats_;
    PendingMap pending_;
    std::set<std::pair<TimePoint, Ip6Addr>> deadlines_;
    ExpiringAddrMap<Outcome> negative_;
    // Queries answered by a DOr, kept for as long as a late answer to a
    // resend may still arrive, so a second DOr counts as a duplicate.
    ExpiringAddrMap<Ip6Addr> answered_;
    Duration answered_window_{0};
    // Downgrade guard (SPEC §6): destinations that answered in host mode,
    // most recently confirmed first; the tail is evicted when full.
    std::list<Ip6Addr> host_lru_;
    std::unordered_map<Ip6Addr, std::list<Ip6Addr>::iterator, Ip6AddrHash>
        hosts_;
};

const char* to_string(Discovery::StartResult result);

}  // namespace scout6::core
