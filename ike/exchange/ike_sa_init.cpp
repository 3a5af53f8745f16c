// IKE_SA_INIT (RFC 7296 §1.2), both roles:
//
//   HDR, [N(COOKIE),] SAi1, KEi, Ni, N(NAT_D_SRC), N(NAT_D_DST)  -->
//                 <--  HDR, SAr1, KEr, Nr, N(NAT_D_SRC), N(NAT_D_DST)
//
// scout6 has no ESP transport other than UDP encapsulation, so both roles
// send a NAT_DETECTION_SOURCE_IP hash over a random address and port: it
// can never match, the peer concludes we are behind a NAT and
// encapsulates (§2.23; strongSwan does the same when forced to).
#include <spdlog/fmt/fmt.h>

#include <algorithm>

#include "core/log.hpp"
#include "ike/engine.hpp"
#include "ike/exchange/proposals.hpp"

namespace scout6::ike {

using core::Bytes;
using core::Errc;

namespace {

// §2.6: cookies are 1 to 64 bytes. Restarts after COOKIE or
// INVALID_KE_PAYLOAD are bounded so a peer cannot keep us looping.
constexpr std::size_t kMaxCookieBytes = 64;
constexpr unsigned kMaxInitRestarts = 3;

}  // namespace

void IkeEngine::add_nat_detection(PayloadList& p, std::uint64_t spi_i,
                                  std::uint64_t spi_r, const Endpoint& peer) {
    core::Ip6Addr fake;
    std::uint8_t port[2];
    random_.fill(fake.bytes);
    random_.fill(port);
    auto src = nat_detection_hash(
        spi_i, spi_r, fake, static_cast<std::uint16_t>(port[0] << 8 | port[1]));
    auto dst = nat_detection_hash(spi_i, spi_r, peer.addr, peer.port);
    if (!src || !dst) {
        spdlog::warn("ike: {:016x}: nat detection hash failed", spi_i);
        return;
    }
    p.add_notify(ProtocolId::kNone, NotifyType::kNatDetectionSourceIp, {},
                 *src);
    p.add_notify(ProtocolId::kNone, NotifyType::kNatDetectionDestinationIp, {},
                 *dst);
}

core::Status IkeEngine::send_init_request(IkeSa& sa) {
    // §2.6: after a COOKIE everything but the cookie stays as it was; a
    // new KE is only made when the peer asked for one (dh reset).
    if (!sa.dh) {
        auto kp = X25519KeyPair::generate(random_);
        if (!kp) return tl::unexpected(kp.error());
        sa.dh = std::move(*kp);
    }
    if (sa.ni.empty()) {
        sa.ni.resize(kNonceBytes);
        random_.fill(sa.ni);
    }

    PayloadList p;
    if (!sa.cookie.empty())
        p.add_notify(ProtocolId::kNone, NotifyType::kCookie, {}, sa.cookie);
    p.add_sa(ike_offer());
    p.add_ke(kDhCurve25519, sa.dh->public_key());
    p.add_nonce(sa.ni);
    add_nat_detection(p, sa.spi_i, 0, sa.remote);

    IkeHeader h = header_for(sa, ExchangeType::kIkeSaInit, false, 0);
    auto bytes = serialize_message(h, p);
    if (!bytes) return tl::unexpected(bytes.error());
    sa.init_request = *bytes;
    sa.transition_to(SaState::kInitSent);
    send_request(sa, ExchangeType::kIkeSaInit, std::move(*bytes), p.summary());
    return {};
}

void IkeEngine::on_init_response(IkeSa& sa, Inbound& in) {
    const MessageBody& b = in.body;
    if (const auto* n = b.find_notify(NotifyType::kCookie)) {
        ++stats_.cookies_received;
        if (n->data.empty() || n->data.size() > kMaxCookieBytes ||
            sa.init_restarts >= kMaxInitRestarts) {
            fail_sa(sa, {Errc::kMalformed, "unusable cookie from peer"}, true);
            return;
        }
        ++sa.init_restarts;
        sa.cookie.assign(n->data.begin(), n->data.end());
        if (auto st = send_init_request(sa); !st) fail_sa(sa, st.error(), true);
        return;
    }
    if (const auto* n = b.find_notify(NotifyType::kInvalidKePayload)) {
        ++stats_.invalid_ke_received;
        core::ByteReader r(n->data);
        std::uint16_t group = 0;
        // §1.3: the peer names the group it wants; we only have 31.
        if (!r.read_u16(group) || group != kDhCurve25519) {
            fail_sa(
                sa,
                {Errc::kUnsupported,
                 "peer wants a DH group other than 31 (INVALID_KE_PAYLOAD)"},
                true);
            return;
        }
        if (sa.init_restarts >= kMaxInitRestarts) {
            fail_sa(sa, {Errc::kMalformed, "peer keeps refusing our KE"}, true);
            return;
        }
        ++sa.init_restarts;
        sa.dh.reset();
        if (auto st = send_init_request(sa); !st) fail_sa(sa, st.error(), true);
        return;
    }
    if (const auto* n = b.first_error()) {
        if (n->type == NotifyType::kNoProposalChosen) {
            ++stats_.no_proposal_chosen;
            fail_sa(sa,
                    {Errc::kUnsupported,
                     "peer accepts none of AES-GCM-16/256, PRF-HMAC-SHA2-256, "
                     "DH 31 (NO_PROPOSAL_CHOSEN)"},
                    true);
        } else {
            fail_sa(sa, {Errc::kUnsupported, "peer refused IKE_SA_INIT"}, true);
        }
        return;
    }
    if (!b.sa || !b.ke || !b.nonce || in.header.spi_r == 0) {
        fail_sa(sa, {Errc::kMalformed, "incomplete IKE_SA_INIT response"},
                true);
        return;
    }
    if (!accept_ike_answer(*b.sa) || b.ke->group != kDhCurve25519 ||
        b.ke->data.size() != kX25519Bytes) {
        fail_sa(sa, {Errc::kMalformed, "peer chose something we did not offer"},
                true);
        return;
    }

    sa.spi_r = in.header.spi_r;
    sa.nr.assign(b.nonce->begin(), b.nonce->end());
    sa.init_response.assign(in.datagram.begin(), in.datagram.end());
    auto shared = sa.dh->shared_secret(b.ke->data);
    if (!shared) {
        fail_sa(sa, shared.error(), true);
        return;
    }
    auto keys =
        derive_ike_keys(sa.ni, sa.nr, shared->view(), sa.spi_i, sa.spi_r);
    if (!keys) {
        fail_sa(sa, keys.error(), true);
        return;
    }
    sa.keys = std::move(*keys);
    auto out = SkCipher::create(sa.keys.sk_ei.view());
    auto inb = SkCipher::create(sa.keys.sk_er.view());
    if (!out || !inb) {
        fail_sa(sa, !out ? out.error() : inb.error(), true);
        return;
    }
    sa.sk_out = std::move(*out);
    sa.sk_in = std::move(*inb);
    sa.dh.reset();

    // §2.23: with a NAT detected (and we always make one appear) the
    // initiator moves to port 4500 for IKE_AUTH and everything after.
    sa.local.port = kNattPort;
    sa.remote.port = kNattPort;
    if (auto st = send_auth_request(sa); !st) fail_sa(sa, st.error(), true);
}

void IkeEngine::answer_init_error(const Endpoint& local, const Endpoint& remote,
                                  const IkeHeader& req, NotifyType type,
                                  Bytes data) {
    // §2.21.1: errors to IKE_SA_INIT go back unprotected with SPIr zero;
    // no state is kept.
    PayloadList p;
    p.add_notify(ProtocolId::kNone, type, {}, data);
    IkeHeader h;
    h.spi_i = req.spi_i;
    h.exchange = ExchangeType::kIkeSaInit;
    h.flags = kFlagResponse;
    h.message_id = 0;
    auto bytes = serialize_message(h, p);
    if (!bytes) return;
    send_raw(local, remote, nullptr, req.spi_i, 0, ExchangeType::kIkeSaInit,
             true, 0, *bytes, p.summary());
}

// Cookie = prf(secret, Ni | IPi | SPIi) (§2.6): the responder can check it
// later without having kept anything.
core::Result<core::SecretBytes> IkeEngine::make_cookie(
    const core::Ip6Addr& initiator, std::uint64_t spi_i, Bytes ni) const {
    std::vector<std::uint8_t> input(ni.begin(), ni.end());
    input.insert(input.end(), initiator.bytes.begin(), initiator.bytes.end());
    for (int shift = 56; shift >= 0; shift -= 8)
        input.push_back(static_cast<std::uint8_t>(spi_i >> shift));
    return prf(cookie_secret_.view(), input);
}

void IkeEngine::on_init_request(const Endpoint& local, const Endpoint& remote,
                                const IkeHeader& h, Bytes message) {
    if (h.spi_r != 0 || h.message_id != 0 || !h.from_initiator() ||
        h.spi_i == 0) {
        ++stats_.dropped_malformed;
        return;
    }
    auto known = half_open_.find(HalfOpenKey{remote.addr, h.spi_i});
    if (known != half_open_.end()) {
        IkeSa* sa = find_sa(known->second);
        if (sa != nullptr && sa->cached.valid && sa->cached.message_id == 0 &&
            std::equal(message.begin(), message.end(), sa->init_request.begin(),
                       sa->init_request.end())) {
            ++stats_.cached_responses_resent;
            send_raw(local, remote, sa, sa->spi_i, sa->spi_r,
                     ExchangeType::kIkeSaInit, true, 0, sa->cached.bytes,
                     "retransmitted response");
        } else {
            ++stats_.dropped_bad_state;
        }
        return;
    }
    if (sas_.size() >= config_.max_sas) {
        ++stats_.dropped_sa_limit;
        return;
    }

    auto chain =
        walk_payloads(h.next_payload, message.subspan(kIkeHeaderBytes));
    if (!chain) {
        ++stats_.dropped_malformed;
        return;
    }
    // Anyone can send this, from any forged address: debug, not info.
    spdlog::debug(
        "ike: {:016x}:{:016x}: received IKE_SA_INIT request msgid=0 "
        "payloads=[{}] bytes={} peer=[{}]:{}",
        h.spi_i, 0, summarize(chain->payloads), message.size(),
        remote.addr.to_string(), remote.port);
    if (auto p =
            check_payload_rules(h.exchange, false, false, chain->payloads)) {
        ++stats_.dropped_rules;
        std::uint8_t data[1] = {p->payload_type};
        answer_init_error(local, remote, h, p->notify,
                          p->notify == NotifyType::kUnsupportedCriticalPayload
                              ? Bytes(data, 1)
                              : Bytes());
        return;
    }
    auto body = parse_body(chain->payloads);
    // The rules let a request with an error notify or a COOKIE skip the
    // required payloads; a request still needs all three.
    if (!body || !body->sa || !body->ke || !body->nonce) {
        ++stats_.dropped_malformed;
        answer_init_error(local, remote, h, NotifyType::kInvalidSyntax, {});
        return;
    }

    // §2.6: under load, state and Diffie-Hellman work only for initiators
    // that proved they receive at their source address. A missing or
    // wrong cookie gets a fresh one; past max_half_open even a good
    // cookie is not enough.
    if (half_open_.size() >= config_.cookie_threshold) {
        auto expected = make_cookie(remote.addr, h.spi_i, *body->nonce);
        const auto* n = body->find_notify(NotifyType::kCookie);
        if (!expected) return;
        if (n == nullptr || !constant_time_equal(n->data, expected->view())) {
            ++(n == nullptr ? stats_.cookies_sent : stats_.cookies_rejected);
            answer_init_error(local, remote, h, NotifyType::kCookie,
                              expected->view());
            return;
        }
    }
    if (half_open_.size() >= config_.max_half_open) {
        ++stats_.dropped_half_open_limit;
        SCOUT6_LOG_EVERY_N_SEC(spdlog::level::warn, 10,
                               "ike: half-open limit {} reached, dropping",
                               config_.max_half_open);
        return;
    }

    const Proposal* chosen = select_ike_proposal(*body->sa);
    if (chosen == nullptr) {
        ++stats_.no_proposal_chosen;
        answer_init_error(local, remote, h, NotifyType::kNoProposalChosen, {});
        return;
    }
    if (body->ke->group != kDhCurve25519) {
        // §1.3: tell the initiator which group to use.
        std::uint8_t group[2] = {0, static_cast<std::uint8_t>(kDhCurve25519)};
        answer_init_error(local, remote, h, NotifyType::kInvalidKePayload,
                          Bytes(group, 2));
        return;
    }
    if (body->ke->data.size() != kX25519Bytes) {
        ++stats_.dropped_malformed;
        answer_init_error(local, remote, h, NotifyType::kInvalidSyntax, {});
        return;
    }

    auto owned = std::make_unique<IkeSa>(false, new_spi(), clock_.now());
    IkeSa& sa = *owned;
    sa.spi_i = h.spi_i;
    sa.local = local;
    sa.remote = remote;
    sa.ni.assign(body->nonce->begin(), body->nonce->end());
    sa.nr.resize(kNonceBytes);
    random_.fill(sa.nr);
    sa.init_request.assign(message.begin(), message.end());

    auto kp = X25519KeyPair::generate(random_);
    if (!kp) return;
    auto shared = kp->shared_secret(body->ke->data);
    if (!shared) {
        // A low-order point (RFC 8031 §2.3): nothing useful to answer.
        ++stats_.dropped_malformed;
        return;
    }
    auto keys =
        derive_ike_keys(sa.ni, sa.nr, shared->view(), sa.spi_i, sa.spi_r);
    if (!keys) return;
    sa.keys = std::move(*keys);
    auto out = SkCipher::create(sa.keys.sk_er.view());
    auto inb = SkCipher::create(sa.keys.sk_ei.view());
    if (!out || !inb) return;
    sa.sk_out = std::move(*out);
    sa.sk_in = std::move(*inb);

    PayloadList p;
    p.add_sa(ike_answer(*chosen));
    p.add_ke(kDhCurve25519, kp->public_key());
    p.add_nonce(sa.nr);
    add_nat_detection(p, sa.spi_i, sa.spi_r, remote);
    auto bytes =
        serialize_message(header_for(sa, ExchangeType::kIkeSaInit, true, 0), p);
    if (!bytes) return;
    sa.init_response = *bytes;

    sa.transition_to(SaState::kHalfOpen);
    half_open_.emplace(HalfOpenKey{remote.addr, sa.spi_i}, sa.local_spi());
    auto [it, inserted] = sas_.emplace(sa.local_spi(), std::move(owned));
    send_response(*it->second, ExchangeType::kIkeSaInit, 0, std::move(*bytes),
                  p.summary());
}

}  // namespace scout6::ike
