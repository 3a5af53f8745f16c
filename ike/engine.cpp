// IkeEngine core: the SA table, the receive path up to the exchange
// handlers, sending with retransmission, timers and teardown.
//
// Receive path, in order (STYLE: parse the header before decrypting):
//   1. parse_header: version, length == datagram length
//   2. IKE_SA_INIT request → exchange/ike_sa_init.cpp (no SA yet)
//   3. find the SA by our SPI (the I flag says which SPI is ours), check
//      the other SPI and the peer address
//   4. responses must match our one outstanding request (§2.1); requests
//      must carry the next message ID, or the previous one, which gets the
//      cached response resent byte for byte (§2.1)
//   5. walk the outer chain, open SK, apply the payload rules, parse
//   6. hand over to the exchange
// Host hooks are queued and run after the table is consistent again.
#include "ike/engine.hpp"

#include <spdlog/fmt/fmt.h>

#include <algorithm>

#include "core/log.hpp"

namespace scout6::ike {

using core::Bytes;
using core::Errc;

namespace {

std::string spi_tag(std::uint64_t spi_i, std::uint64_t spi_r) {
    return fmt::format("{:016x}:{:016x}", spi_i, spi_r);
}

}  // namespace

IkeEngine::IkeEngine(const core::Clock& clock, Random& random, IkeConfig config,
                     IkeHost& host)
    : clock_(clock), random_(random), config_(std::move(config)), host_(host) {
    cookie_secret_ = core::SecretBytes(kPrfKeyBytes);
    random_.fill(cookie_secret_.mutable_view());
}

IkeEngine::~IkeEngine() = default;

std::uint64_t IkeEngine::new_spi() {
    // A zero SPI means "unknown" on the wire (§3.1); retry on collision.
    for (;;) {
        std::uint8_t b[8];
        random_.fill(b);
        core::ByteReader r(Bytes(b, sizeof b));
        std::uint64_t spi = 0;
        r.read_u64(spi);
        if (spi != 0 && sas_.find(spi) == sas_.end()) return spi;
    }
}

std::uint32_t IkeEngine::new_child_spi() {
    // RFC 4303 §2.1: SPIs 1-255 are reserved; 0 is never used.
    for (;;) {
        std::uint8_t b[4];
        random_.fill(b);
        std::uint32_t spi = (std::uint32_t{b[0]} << 24) |
                            (std::uint32_t{b[1]} << 16) |
                            (std::uint32_t{b[2]} << 8) | b[3];
        if (spi < 256) continue;
        bool taken = std::any_of(sas_.begin(), sas_.end(), [&](auto& kv) {
            return kv.second->child.spi_in == spi;
        });
        if (!taken) return spi;
    }
}

IkeSa* IkeEngine::find_sa(std::uint64_t local_spi) {
    auto it = sas_.find(local_spi);
    if (it == sas_.end() || it->second->state() == SaState::kDead)
        return nullptr;
    return it->second.get();
}

core::Status IkeEngine::initiate(const InitiateRequest& req) {
    for (const auto& [spi, sa] : sas_) {
        // A channel on its way out does not count: a new one may start.
        bool live =
            sa->state() != SaState::kDead && sa->state() != SaState::kDeleting;
        if (live && sa->local.addr == req.local &&
            sa->remote.addr == req.remote)
            return {};
    }
    if (sas_.size() >= config_.max_sas) {
        ++stats_.dropped_sa_limit;
        return core::fail(Errc::kNoSpace, "ike sa table full");
    }
    auto owned = std::make_unique<IkeSa>(true, new_spi(), clock_.now());
    IkeSa& sa = *owned;
    sa.local = Endpoint{req.local, kIkePort};
    sa.remote = Endpoint{req.remote, kIkePort};
    sa.want_ts_local = req.ts_local;
    sa.want_ts_remote = req.ts_remote;
    sas_.emplace(sa.local_spi(), std::move(owned));

    auto started = send_init_request(sa);
    if (!started) kill_sa(sa);
    sweep();
    flush_events();
    return started;
}

void IkeEngine::on_datagram(const Endpoint& local, const Endpoint& remote,
                            Bytes message) {
    dispatch(local, remote, message);
    sweep();
    flush_events();
}

void IkeEngine::dispatch(const Endpoint& local, const Endpoint& remote,
                         Bytes message) {
    auto h = parse_header(message);
    if (!h) {
        ++stats_.dropped_malformed;
        SCOUT6_LOG_EVERY_N_SEC(
            spdlog::level::debug, 5, "ike: [{}]:{}: dropped: {}",
            remote.addr.to_string(), remote.port, h.error().describe());
        return;
    }
    ++stats_.messages_received;
    if (h->exchange == ExchangeType::kIkeSaInit && !h->is_response()) {
        on_init_request(local, remote, *h, message);
        return;
    }

    // The I flag is set by the original initiator: if the sender is the
    // initiator we are the responder and our SPI is SPIr (§3.1).
    bool we_initiated = !h->from_initiator();
    IkeSa* sa = find_sa(we_initiated ? h->spi_i : h->spi_r);
    bool spis_match = sa != nullptr && sa->initiator == we_initiated &&
                      (we_initiated ? (sa->spi_r == 0 || sa->spi_r == h->spi_r)
                                    : sa->spi_i == h->spi_i);
    if (!spis_match) {
        ++stats_.dropped_unknown_sa;
        SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 5,
                               "ike: {}: dropped: no such sa",
                               spi_tag(h->spi_i, h->spi_r));
        return;
    }
    // Not yet: MOBIKE (RFC 4555); a peer that changes address loses its
    // SA. Port changes are fine (NAT-T, §2.23).
    if (remote.addr != sa->remote.addr) {
        ++stats_.dropped_wrong_peer;
        return;
    }

    if (h->is_response()) {
        const auto& p = sa->pending;
        if (!p.active || p.message_id != h->message_id ||
            p.exchange != h->exchange) {
            ++stats_.dropped_unmatched_response;
            SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 5,
                                   "ike: {}: dropped unmatched response "
                                   "msgid={}",
                                   sa->tag(), h->message_id);
            return;
        }
    } else {
        // Only a byte-identical copy is a retransmission (strongSwan
        // compares the same way); anything else with that ID is stale.
        if (sa->cached.valid && h->message_id + 1 == sa->next_peer_id &&
            sa->cached.message_id == h->message_id &&
            std::equal(message.begin(), message.end(),
                       sa->cached.request.begin(), sa->cached.request.end())) {
            // §2.1: a retransmitted request gets the same bytes again.
            ++stats_.cached_responses_resent;
            send_raw(local, remote, sa, sa->spi_i, sa->spi_r, h->exchange, true,
                     h->message_id, sa->cached.bytes, "retransmitted response");
            return;
        }
        if (h->message_id != sa->next_peer_id) {
            ++stats_.dropped_bad_message_id;
            return;
        }
    }

    std::vector<std::uint8_t> plaintext;
    Inbound in;
    in.header = *h;
    in.local = local;
    in.remote = remote;
    in.datagram = message;
    if (!open_message(*sa, *h, message, plaintext, in)) return;
    spdlog::info(
        "ike: {}: received {} {} msgid={} payloads=[{}] bytes={} "
        "peer=[{}]:{}",
        sa->tag(), to_string(h->exchange),
        h->is_response() ? "response" : "request", h->message_id,
        summarize(in.payloads), message.size(), remote.addr.to_string(),
        remote.port);
    if (h->is_response())
        handle_response(*sa, in);
    else
        handle_request(*sa, in);
}

bool IkeEngine::open_message(IkeSa& sa, const IkeHeader& h, Bytes message,
                             std::vector<std::uint8_t>& plaintext,
                             Inbound& in) {
    auto outer =
        walk_payloads(h.next_payload, message.subspan(kIkeHeaderBytes));
    if (!outer) {
        ++stats_.dropped_malformed;
        SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 5, "ike: {}: dropped: {}",
                               sa.tag(), outer.error().describe());
        return false;
    }
    if (auto p = check_payload_rules(h.exchange, h.is_response(), false,
                                     outer->payloads)) {
        ++stats_.dropped_rules;
        SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 5, "ike: {}: dropped: {}",
                               sa.tag(), p->error.describe());
        return false;
    }

    if (h.exchange == ExchangeType::kIkeSaInit) {
        in.payloads = std::move(outer->payloads);
    } else {
        if (!sa.sk_in) {
            ++stats_.dropped_bad_state;
            return false;
        }
        auto inner = open_encrypted(message, *outer, *sa.sk_in, plaintext);
        if (!inner) {
            if (inner.error().code == Errc::kAuthFailed)
                ++stats_.dropped_icv_failed;
            else
                ++stats_.dropped_malformed;
            SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 5,
                                   "ike: {}: dropped: {}", sa.tag(),
                                   inner.error().describe());
            return false;
        }
        in.payloads = std::move(inner->payloads);
        if (auto p = check_payload_rules(h.exchange, h.is_response(), true,
                                         in.payloads)) {
            ++stats_.dropped_rules;
            SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 5,
                                   "ike: {}: refused: {}", sa.tag(),
                                   p->error.describe());
            // Never answer a response; a request gets the notify (§2.5).
            if (!h.is_response()) {
                PayloadList out;
                std::uint8_t data[1] = {p->payload_type};
                out.add_notify(
                    ProtocolId::kNone, p->notify, {},
                    p->notify == NotifyType::kUnsupportedCriticalPayload
                        ? Bytes(data, 1)
                        : Bytes());
                respond_encrypted(sa, in, out);
                if (sa.state() == SaState::kHalfOpen)
                    fail_sa(sa, p->error, true);
            }
            return false;
        }
    }

    auto body = parse_body(in.payloads);
    if (!body) {
        ++stats_.dropped_malformed;
        SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 5, "ike: {}: refused: {}",
                               sa.tag(), body.error().describe());
        if (!h.is_response() && h.exchange != ExchangeType::kIkeSaInit) {
            PayloadList out;
            out.add_notify(ProtocolId::kNone, NotifyType::kInvalidSyntax, {},
                           {});
            respond_encrypted(sa, in, out);
            if (sa.state() == SaState::kHalfOpen)
                fail_sa(sa, body.error(), true);
        }
        return false;
    }
    in.body = std::move(*body);
    return true;
}

void IkeEngine::handle_request(IkeSa& sa, Inbound& in) {
    switch (in.header.exchange) {
        case ExchangeType::kIkeAuth:
            if (sa.initiator || sa.state() != SaState::kHalfOpen) break;
            on_auth_request(sa, in);
            return;
        case ExchangeType::kInformational:
            if (sa.state() != SaState::kEstablished &&
                sa.state() != SaState::kDeleting)
                break;
            // An authenticated request: follow the peer's NAT mapping.
            sa.local = in.local;
            sa.remote = in.remote;
            on_informational_request(sa, in);
            return;
        case ExchangeType::kCreateChildSa: {
            if (sa.state() != SaState::kEstablished) break;
            // Not yet: rekeying and extra child SAs (§1.3); the peer is
            // told NO_ADDITIONAL_SAS and the SAs run until deleted.
            ++stats_.dropped_unsupported_exchange;
            PayloadList out;
            out.add_notify(ProtocolId::kNone, NotifyType::kNoAdditionalSas, {},
                           {});
            respond_encrypted(sa, in, out);
            return;
        }
        default:
            ++stats_.dropped_unsupported_exchange;
            return;
    }
    ++stats_.dropped_bad_state;
}

void IkeEngine::handle_response(IkeSa& sa, Inbound& in) {
    sa.pending.active = false;
    switch (in.header.exchange) {
        case ExchangeType::kIkeSaInit:
            on_init_response(sa, in);
            return;
        case ExchangeType::kIkeAuth:
            on_auth_response(sa, in);
            return;
        case ExchangeType::kInformational:
            on_informational_response(sa, in);
            return;
        default:
            ++stats_.dropped_unsupported_exchange;
            return;
    }
}

IkeHeader IkeEngine::header_for(const IkeSa& sa, ExchangeType exchange,
                                bool response, std::uint32_t message_id) const {
    IkeHeader h;
    h.spi_i = sa.spi_i;
    h.spi_r = sa.spi_r;
    h.exchange = exchange;
    h.flags = static_cast<std::uint8_t>((sa.initiator ? kFlagInitiator : 0) |
                                        (response ? kFlagResponse : 0));
    h.message_id = message_id;
    return h;
}

core::Result<std::vector<std::uint8_t>> IkeEngine::encrypt(
    IkeSa& sa, ExchangeType exchange, bool response, std::uint32_t message_id,
    const PayloadList& p) {
    if (!sa.sk_out) {
        SCOUT6_BUG("ike-020", "ike: {}: encrypt without keys", sa.tag());
        return core::fail(Errc::kInternal, "encrypt without keys");
    }
    return serialize_encrypted(header_for(sa, exchange, response, message_id),
                               p, *sa.sk_out, sa.iv_counter++);
}

void IkeEngine::respond_encrypted(IkeSa& sa, const Inbound& in,
                                  const PayloadList& payloads) {
    auto bytes =
        encrypt(sa, in.header.exchange, true, in.header.message_id, payloads);
    sa.cached.request.assign(in.datagram.begin(), in.datagram.end());
    if (!bytes) {
        spdlog::warn("ike: {}: cannot build response: {}", sa.tag(),
                     bytes.error().describe());
        return;
    }
    // §2.23: answer from where the request arrived to where it came from.
    sa.local = in.local;
    sa.remote = in.remote;
    send_response(sa, in.header.exchange, in.header.message_id,
                  std::move(*bytes), payloads.summary());
}

void IkeEngine::send_request(IkeSa& sa, ExchangeType exchange,
                             std::vector<std::uint8_t> bytes,
                             const std::string& summary) {
    std::uint32_t id =
        exchange == ExchangeType::kIkeSaInit ? 0 : sa.next_request_id;
    auto& p = sa.pending;
    p.active = true;
    p.exchange = exchange;
    p.message_id = id;
    p.bytes = std::move(bytes);
    p.retransmits = 0;
    p.timeout = config_.retransmit_timeout;
    p.deadline = clock_.now() + p.timeout;
    sa.next_request_id = id + 1;
    send_raw(sa.local, sa.remote, &sa, sa.spi_i, sa.spi_r, exchange, false, id,
             p.bytes, summary);
}

void IkeEngine::send_response(IkeSa& sa, ExchangeType exchange,
                              std::uint32_t message_id,
                              std::vector<std::uint8_t> bytes,
                              const std::string& summary) {
    sa.cached.valid = true;
    sa.cached.message_id = message_id;
    sa.cached.bytes = std::move(bytes);
    sa.next_peer_id = message_id + 1;
    send_raw(sa.local, sa.remote, &sa, sa.spi_i, sa.spi_r, exchange, true,
             message_id, sa.cached.bytes, summary);
}

void IkeEngine::send_raw(const Endpoint& local, const Endpoint& remote,
                         const IkeSa* sa, std::uint64_t spi_i,
                         std::uint64_t spi_r, ExchangeType exchange,
                         bool response, std::uint32_t message_id, Bytes bytes,
                         const std::string& summary) {
    ++stats_.messages_sent;
    // An IKE_SA_INIT response answers an unauthenticated, possibly forged
    // request: kept below the default level so a flood cannot fill logs.
    auto level = response && exchange == ExchangeType::kIkeSaInit
                     ? spdlog::level::debug
                     : spdlog::level::info;
    spdlog::log(level,
                "ike: {}: sent {} {} msgid={} payloads=[{}] bytes={} "
                "peer=[{}]:{}",
                sa ? sa->tag() : spi_tag(spi_i, spi_r), to_string(exchange),
                response ? "response" : "request", message_id, summary,
                bytes.size(), remote.addr.to_string(), remote.port);
    host_.send_ike(local, remote, bytes);
}

void IkeEngine::fail_sa(IkeSa& sa, const core::Error& why, bool report) {
    if (sa.state() == SaState::kDead) return;
    ++stats_.sas_failed;
    spdlog::log(sa.state() == SaState::kHalfOpen ? spdlog::level::debug
                                                 : spdlog::level::info,
                "ike: {}: failed: {}", sa.tag(), why.describe());
    if (report) {
        events_.push_back([this, local = sa.local.addr, peer = sa.remote.addr,
                           why] { host_.on_channel_failed(local, peer, why); });
    }
    kill_sa(sa);
}

void IkeEngine::down_sa(IkeSa& sa) {
    if (!sa.child_up) return;
    sa.child_up = false;
    ++stats_.sas_deleted;
    events_.push_back(
        [this, peer = sa.remote.addr, in = sa.child.spi_in,
         out = sa.child.spi_out] { host_.on_channel_down(peer, in, out); });
}

void IkeEngine::kill_sa(IkeSa& sa) {
    if (sa.state() == SaState::kDead) return;
    sa.transition_to(SaState::kDead);
    sa.pending.active = false;
    auto it = half_open_.find(HalfOpenKey{sa.remote.addr, sa.spi_i});
    if (it != half_open_.end() && it->second == sa.local_spi())
        half_open_.erase(it);
}

void IkeEngine::sweep() {
    for (auto it = sas_.begin(); it != sas_.end();) {
        if (it->second->state() == SaState::kDead)
            it = sas_.erase(it);
        else
            ++it;
    }
}

void IkeEngine::flush_events() {
    if (flushing_)
        return;  // a hook called back into us; the outer loop runs on
    flushing_ = true;
    while (!events_.empty()) {
        auto batch = std::move(events_);
        events_.clear();
        for (auto& ev : batch) ev();
    }
    flushing_ = false;
}

void IkeEngine::on_timer() {
    auto now = clock_.now();
    for (auto& [spi, owned] : sas_) {
        IkeSa& sa = *owned;
        if (sa.state() == SaState::kDead) continue;
        if (sa.state() == SaState::kHalfOpen &&
            now >= sa.created + config_.half_open_timeout) {
            ++stats_.half_open_expired;
            SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 5,
                                   "ike: {}: half-open sa expired", sa.tag());
            kill_sa(sa);
            continue;
        }
        auto& p = sa.pending;
        if (!p.active || now < p.deadline) continue;
        if (p.retransmits >= config_.retransmit_tries) {
            ++stats_.timeouts;
            if (sa.state() == SaState::kDeleting) {
                kill_sa(sa);  // already reported down
                continue;
            }
            down_sa(sa);
            fail_sa(sa, core::Error{Errc::kTimeout, "peer did not answer"},
                    true);
            continue;
        }
        // §2.1: exponential backoff from the first timeout.
        ++p.retransmits;
        p.timeout *= 2;
        p.deadline = now + p.timeout;
        ++stats_.retransmits_sent;
        send_raw(sa.local, sa.remote, &sa, sa.spi_i, sa.spi_r, p.exchange,
                 false, p.message_id, p.bytes,
                 fmt::format("retransmit {}", p.retransmits));
    }
    sweep();
    flush_events();
}

std::optional<core::TimePoint> IkeEngine::next_deadline() const {
    std::optional<core::TimePoint> next;
    auto consider = [&](core::TimePoint t) {
        if (!next || t < *next) next = t;
    };
    for (const auto& [spi, sa] : sas_) {
        if (sa->state() == SaState::kDead) continue;
        if (sa->pending.active) consider(sa->pending.deadline);
        if (sa->state() == SaState::kHalfOpen)
            consider(sa->created + config_.half_open_timeout);
    }
    return next;
}

void IkeEngine::shutdown() {
    for (auto& [spi, sa] : sas_)
        if (sa->state() == SaState::kEstablished) send_delete_ike(*sa);
    sas_.clear();
    half_open_.clear();
    events_.clear();
}

void IkeEngine::for_each_sa(
    const std::function<void(const SaInfo&)>& visit) const {
    for (const auto& [spi, sa] : sas_) {
        if (sa->state() == SaState::kDead) continue;
        SaInfo info;
        info.local = sa->local.addr;
        info.peer = sa->remote.addr;
        info.spi_i = sa->spi_i;
        info.spi_r = sa->spi_r;
        info.state = to_string(sa->state());
        info.initiator = sa->initiator;
        if (sa->child_up) {
            info.child_spi_in = sa->child.spi_in;
            info.child_spi_out = sa->child.spi_out;
        }
        info.established = sa->established;
        visit(info);
    }
}

}  // namespace scout6::ike
