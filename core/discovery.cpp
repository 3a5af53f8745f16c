// SCOUT6 initiator (SPEC.md §4). Events, in the order a query meets them:
//   start()            -> DOq #1, deadline = now + first_timeout
//   on_timer()         -> resend with backoff; after sends_per_phase sends
//                         DOq -> RAq, RAq -> kNoAnswer
//   on_param_problem() -> DOq phase ends at once (step 3)
//   on_dor()           -> match, classify host/router, decide (step 2)
//   finish()           -> state removed first, then on_discovery_done
// State is always consistent before a sink call, so the sink may call
// back in (start() from on_discovery_done) without breaking anything.
#include "core/discovery.hpp"

#include "core/log.hpp"

namespace scout6::core {

namespace {

using std::chrono::milliseconds;

// Backoff stops growing here, so a large sends_per_phase cannot overflow
// the clock arithmetic.
constexpr Duration kMaxTimeout = std::chrono::hours(1);
constexpr Duration kMinTimeout = milliseconds(1);

DiscoveryConfig clamped(DiscoveryConfig c) {
    if (c.first_timeout < kMinTimeout) c.first_timeout = kMinTimeout;
    if (c.first_timeout > kMaxTimeout) c.first_timeout = kMaxTimeout;
    if (c.backoff_factor == 0) c.backoff_factor = 1;
    if (c.sends_per_phase == 0) c.sends_per_phase = 1;
    if (c.max_pending == 0) c.max_pending = 1;
    if (c.max_remembered_hosts == 0) c.max_remembered_hosts = 1;
    if (c.negative_ttl < Duration::zero()) c.negative_ttl = Duration::zero();
    return c;
}

Duration grow(Duration t, unsigned factor) {
    if (t >= kMaxTimeout / factor) return kMaxTimeout;
    return t * static_cast<Duration::rep>(factor);
}

// The time one phase takes when nothing answers.
Duration phase_span(const DiscoveryConfig& c) {
    Duration total{0};
    Duration t = c.first_timeout;
    for (unsigned i = 0; i < c.sends_per_phase && total < kMaxTimeout; ++i) {
        total += t;
        t = grow(t, c.backoff_factor);
    }
    return total;
}

double to_ms(Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

const char* to_string(QueryKind kind) {
    switch (kind) {
        case QueryKind::kDoq:
            return "doq";
        case QueryKind::kRaq:
            return "raq";
    }
    return "unknown";
}

const char* to_string(Outcome outcome) {
    switch (outcome) {
        case Outcome::kHostAnswered:
            return "host-answered";
        case Outcome::kRouterAnswered:
            return "router-answered";
        case Outcome::kNoAnswer:
            return "no-answer";
        case Outcome::kAnsweredNoIkev2:
            return "answered-no-ikev2";
        case Outcome::kRefusedDowngrade:
            return "refused-downgrade";
        case Outcome::kRouterModeDisallowed:
            return "router-mode-disallowed";
    }
    return "unknown";
}

const char* to_string(Discovery::StartResult result) {
    switch (result) {
        case Discovery::StartResult::kStarted:
            return "started";
        case Discovery::StartResult::kAlreadyRunning:
            return "already-running";
        case Discovery::StartResult::kNegativeCached:
            return "negative-cached";
        case Discovery::StartResult::kTooMany:
            return "too-many";
    }
    return "unknown";
}

Status validate_discovery_config(const DiscoveryConfig& c) {
    if (c.first_timeout < kMinTimeout || c.first_timeout > kMaxTimeout)
        return fail(Errc::kConfig, "discovery: first timeout not 1ms..1h");
    if (c.backoff_factor == 0)
        return fail(Errc::kConfig, "discovery: backoff factor is 0");
    if (c.sends_per_phase == 0)
        return fail(Errc::kConfig, "discovery: sends per phase is 0");
    if (c.negative_ttl < Duration::zero())
        return fail(Errc::kConfig, "discovery: negative ttl below 0");
    if (c.max_pending == 0)
        return fail(Errc::kConfig, "discovery: max pending is 0");
    if (c.max_remembered_hosts == 0)
        return fail(Errc::kConfig, "discovery: max remembered hosts is 0");
    return {};
}

Discovery::Discovery(const Clock& clock, DiscoveryConfig config,
                     DiscoverySink& sink)
    : clock_(clock),
      config_(clamped(config)),
      sink_(sink),
      negative_(config_.max_remembered_hosts),
      answered_(config_.max_pending),
      // A DOr to the earliest DOq can arrive until the whole query would
      // have timed out; after that it is an orphan, not a duplicate.
      answered_window_(2 * phase_span(config_)) {}

Discovery::StartResult Discovery::start(const Ip6Addr& local,
                                        const Ip6Addr& destination) {
    const TimePoint now = clock_.now();
    if (pending_.count(destination) != 0) {
        ++stats_.already_running;
        return StartResult::kAlreadyRunning;
    }
    negative_.purge(now);
    if (negative_.find(destination, now) != nullptr) {
        ++stats_.negative_hits;
        return StartResult::kNegativeCached;
    }
    if (pending_.size() >= config_.max_pending) {
        ++stats_.too_many;
        return StartResult::kTooMany;
    }

    Pending& p = pending_[destination];
    p.local = local;
    p.destination = destination;
    p.started = now;
    ++stats_.started;
    schedule(p, config_.first_timeout);
    send(p, QueryKind::kDoq);
    return StartResult::kStarted;
}

void Discovery::send(Pending& p, QueryKind kind) {
    ++p.sends_in_phase;
    if (kind == QueryKind::kDoq) {
        ++p.doq_sent;
        ++stats_.doq_sent;
    } else {
        ++p.raq_sent;
        ++stats_.raq_sent;
    }
    // Copies: the sink may call back and erase p.
    const Ip6Addr src = p.local;
    const Ip6Addr dst = p.destination;
    sink_.send_query(kind, src, dst);
}

void Discovery::schedule(Pending& p, Duration timeout) {
    deadlines_.erase({p.deadline, p.destination});
    p.timeout = timeout;
    p.deadline = clock_.now() + timeout;
    deadlines_.emplace(p.deadline, p.destination);
}

void Discovery::on_timer() {
    const TimePoint now = clock_.now();
    negative_.purge(now);
    answered_.purge(now);

    // Re-read the front each time: a sink call may add or remove entries.
    // New deadlines lie at least kMinTimeout ahead, so this ends.
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
        const Ip6Addr destination = deadlines_.begin()->second;
        deadlines_.erase(deadlines_.begin());
        auto it = pending_.find(destination);
        if (it == pending_.end()) {
            SCOUT6_BUG("disc-001", "deadline without query for {}",
                       destination.to_string());
            continue;
        }
        on_deadline(it);
    }
}

void Discovery::on_deadline(PendingMap::iterator it) {
    ++stats_.timeouts;
    Pending& p = it->second;
    if (p.sends_in_phase < config_.sends_per_phase) {
        schedule(p, grow(p.timeout, config_.backoff_factor));
        send(p, p.phase);
        return;
    }
    // SPEC §4 step 4: DOq to RAq, RAq to drop.
    if (p.phase == QueryKind::kDoq) {
        enter_raq_or_fail(it);
        return;
    }
    finish(it, Outcome::kNoAnswer, nullptr);
}

void Discovery::enter_raq_or_fail(PendingMap::iterator it) {
    if (!config_.raq_enabled) {
        finish(it, Outcome::kNoAnswer, nullptr);
        return;
    }
    Pending& p = it->second;
    p.phase = QueryKind::kRaq;
    p.sends_in_phase = 0;
    schedule(p, config_.first_timeout);
    send(p, QueryKind::kRaq);
}

void Discovery::on_param_problem(const ParamProblem& pp) {
    auto it = pending_.find(pp.destination);
    if (it == pending_.end() || it->second.local != pp.initiator) {
        ++stats_.param_problem_orphan;
        return;
    }
    // Destination options are processed only by the destination (RFC 8200
    // §4), so only it can report our option as unknown. A report from
    // anyone else would cut the DOq phase short: the downgrade SPEC §6
    // warns of.
    if (pp.reporter != pp.destination) {
        ++stats_.param_problem_foreign;
        SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 1,
                               "scout: {}: parameter problem from {} ignored",
                               pp.destination.to_string(),
                               pp.reporter.to_string());
        return;
    }
    ++stats_.param_problem;
    Pending& p = it->second;
    p.param_problem_seen = true;
    // A late report for an earlier DOq once the RAq phase has begun only
    // adds to the result.
    if (p.phase == QueryKind::kDoq) enter_raq_or_fail(it);
}

void Discovery::on_dor(const ScoutMessage& dor) {
    if (dor.kind != ScoutMessage::Kind::kDor) {
        SCOUT6_BUG("disc-002", "on_dor given a {}", to_string(dor.kind));
        return;
    }
    const TimePoint now = clock_.now();
    auto it = pending_.find(dor.queried);
    if (it == pending_.end() || it->second.local != dor.dst) {
        const Ip6Addr* local = answered_.find(dor.queried, now);
        if (local != nullptr && *local == dor.dst)
            ++stats_.dor_duplicate;
        else
            ++stats_.dor_orphan;
        SCOUT6_LOG_EVERY_N_SEC(
            spdlog::level::debug, 1, "scout: {}: unmatched dor from {} for {}",
            dor.dst.to_string(), dor.src.to_string(), dor.queried.to_string());
        return;
    }

    // Routers answer RAqs only; a router-mode DOr before we sent any RAq
    // answers nothing we asked (SPEC §6: it would push the channel end
    // away from the host).
    Pending& p = it->second;
    const bool host_mode = dor.src == dor.queried;
    if (!host_mode && p.raq_sent == 0) {
        ++stats_.dor_unsolicited_router;
        SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 1,
                               "scout: {}: router dor from {} before raq",
                               dor.queried.to_string(), dor.src.to_string());
        return;
    }

    ++stats_.dor_matched;
    answered_.insert(dor.queried, dor.dst, now + answered_window_);
    const Outcome outcome = decide(p, dor);
    if (outcome == Outcome::kHostAnswered) remember_host(p.destination);
    finish(it, outcome, &dor);
}

Outcome Discovery::decide(const Pending& p, const ScoutMessage& dor) const {
    // SPEC §3: source == queried address means the destination answered.
    // SPEC §4 step 2: without the IKEv2 bit nobody here can secure it.
    const bool ikev2 = (dor.mask & kCapIkev2) != 0;
    if (dor.src == dor.queried)
        return ikev2 ? Outcome::kHostAnswered : Outcome::kAnsweredNoIkev2;
    if (!config_.allow_router_modes) return Outcome::kRouterModeDisallowed;
    if (known_host(p.destination)) return Outcome::kRefusedDowngrade;
    return ikev2 ? Outcome::kRouterAnswered : Outcome::kAnsweredNoIkev2;
}

void Discovery::finish(PendingMap::iterator it, Outcome outcome,
                       const ScoutMessage* dor) {
    const TimePoint now = clock_.now();
    const Pending p = it->second;
    deadlines_.erase({p.deadline, p.destination});
    pending_.erase(it);

    DiscoveryResult r;
    r.local = p.local;
    r.destination = p.destination;
    r.outcome = outcome;
    if (dor != nullptr) {
        r.endpoint = dor->src;
        r.mask = dor->mask;
    }
    r.elapsed = now - p.started;
    r.doq_sent = p.doq_sent;
    r.raq_sent = p.raq_sent;
    r.param_problem_seen = p.param_problem_seen;

    switch (outcome) {
        case Outcome::kHostAnswered:
            ++stats_.host_answered;
            break;
        case Outcome::kRouterAnswered:
            ++stats_.router_answered;
            break;
        case Outcome::kNoAnswer:
            ++stats_.no_answer;
            break;
        case Outcome::kAnsweredNoIkev2:
            ++stats_.answered_no_ikev2;
            break;
        case Outcome::kRefusedDowngrade:
            ++stats_.refused_downgrade;
            break;
        case Outcome::kRouterModeDisallowed:
            ++stats_.router_mode_disallowed;
            break;
    }
    // SPEC §4 step 5: do not re-probe a failed destination on every
    // packet. Every failure counts, refusals included: probing again at
    // once would only meet the same path.
    if (!is_success(outcome) && config_.negative_ttl > Duration::zero())
        negative_.insert(p.destination, outcome, now + config_.negative_ttl);

    SCOUT6_LOG_EVERY_N_SEC(
        spdlog::level::debug, 1,
        "scout: {}: discovery {} endpoint={} doq={} raq={} ms={:.1f}",
        p.destination.to_string(), to_string(outcome), r.endpoint.to_string(),
        r.doq_sent, r.raq_sent, to_ms(r.elapsed));
    sink_.on_discovery_done(r);
}

void Discovery::remember_host(const Ip6Addr& destination) {
    auto it = hosts_.find(destination);
    if (it != hosts_.end()) {
        host_lru_.splice(host_lru_.begin(), host_lru_, it->second);
        return;
    }
    if (hosts_.size() >= config_.max_remembered_hosts) {
        // Not yet: eviction weakens the downgrade guard for the host
        // confirmed longest ago; the user sees a router answer accepted
        // for it again.
        hosts_.erase(host_lru_.back());
        host_lru_.pop_back();
    }
    host_lru_.push_front(destination);
    hosts_[destination] = host_lru_.begin();
}

bool Discovery::known_host(const Ip6Addr& destination) const {
    return hosts_.count(destination) != 0;
}

std::optional<TimePoint> Discovery::next_deadline() const {
    if (deadlines_.empty()) return std::nullopt;
    return deadlines_.begin()->first;
}

bool Discovery::is_pending(const Ip6Addr& destination) const {
    return pending_.count(destination) != 0;
}

void Discovery::forget_negative(const Ip6Addr& destination) {
    negative_.erase(destination);
}

}  // namespace scout6::core
