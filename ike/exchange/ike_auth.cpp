// IKE_AUTH (RFC 7296 §1.2, §2.15) with the one ESP child SA, both roles:
//
//   HDR, SK {IDi, AUTH, SAi2, TSi, TSr}  -->
//                          <--  HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
//
// Identities are ID_IPV6_ADDR and must equal the IKE source address of
// their side: the peer authenticates as the address discovery found
// (SPEC §5). AUTH is the shared-key MIC over the site PSK. The child is
// tunnel mode (we never send USE_TRANSPORT_MODE), AES-GCM-16/256.
//
// Not yet: EAP, certificates and multiple authentication (RFC 4739); a
// peer asking for them gets AUTHENTICATION_FAILED or NO_PROPOSAL_CHOSEN.
#include "core/log.hpp"
#include "ike/engine.hpp"
#include "ike/exchange/proposals.hpp"

namespace scout6::ike {

using core::Bytes;
using core::Errc;

namespace {

constexpr std::size_t kIdBodyBytes = 4 + 16;  // §3.5: type, reserved, addr

std::array<std::uint8_t, kIdBodyBytes> id_body(const core::Ip6Addr& addr) {
    std::array<std::uint8_t, kIdBodyBytes> body{};
    core::ByteWriter w(body);
    serialize_id(IdType::kIpv6Addr, addr.bytes, w);
    return body;
}

bool id_is(const IdPayload& id, const core::Ip6Addr& addr) {
    return id.type == IdType::kIpv6Addr && id.data.size() == 16 &&
           core::Ip6Addr::from_bytes(id.data.data()) == addr;
}

bool prefix_within(const core::Ip6Prefix& inner, const core::Ip6Prefix& outer) {
    return inner.length >= outer.length && outer.contains(inner.addr);
}

// The first selector that is an IPv6 prefix containing `addr`.
std::optional<core::Ip6Prefix> selector_containing(const TsPayload& ts,
                                                   const core::Ip6Addr& addr) {
    for (const auto& sel : ts.selectors) {
        auto prefix = prefix_from_selector(sel);
        if (prefix && prefix->contains(addr)) return *prefix;
    }
    return std::nullopt;
}

core::SecretBytes slice(const core::SecretBytes& s, std::size_t from,
                        std::size_t n) {
    return core::SecretBytes(s.view().subspan(from, n));
}

}  // namespace

core::Status IkeEngine::send_auth_request(IkeSa& sa) {
    sa.child.spi_in = new_child_spi();
    auto idi = id_body(sa.local.addr);
    auto auth = psk_auth(config_.psk.view(), sa.init_request, sa.nr,
                         sa.keys.sk_pi.view(), idi);
    if (!auth) return tl::unexpected(auth.error());

    // IDr is optional (§3.5) and left out: the peer picks its own identity.
    PayloadList p;
    p.add_raw(PayloadType::kIdi, idi);
    p.add_auth(AuthMethod::kSharedKeyMic, auth->view());
    p.add_sa(esp_offer(sa.child.spi_in));
    p.add_ts(PayloadType::kTsi,
             TsPayload{{selector_from_prefix(sa.want_ts_local)}});
    p.add_ts(PayloadType::kTsr,
             TsPayload{{selector_from_prefix(sa.want_ts_remote)}});
    auto bytes = encrypt(sa, ExchangeType::kIkeAuth, false, 1, p);
    if (!bytes) return tl::unexpected(bytes.error());
    sa.transition_to(SaState::kAuthSent);
    send_request(sa, ExchangeType::kIkeAuth, std::move(*bytes), p.summary());
    return {};
}

void IkeEngine::on_auth_response(IkeSa& sa, Inbound& in) {
    const MessageBody& b = in.body;
    if (const auto* n = b.first_error()) {
        core::Error why{Errc::kUnsupported, "peer refused IKE_AUTH"};
        if (n->type == NotifyType::kAuthenticationFailed) {
            ++stats_.auth_failed;
            why = {Errc::kAuthFailed,
                   "peer refused our authentication (AUTHENTICATION_FAILED)"};
        } else if (n->type == NotifyType::kNoProposalChosen) {
            ++stats_.no_proposal_chosen;
            why = {Errc::kUnsupported,
                   "peer accepts no ESP AES-GCM-16/256 (NO_PROPOSAL_CHOSEN)"};
        } else if (n->type == NotifyType::kTsUnacceptable) {
            ++stats_.ts_unacceptable;
            why = {Errc::kUnsupported,
                   "peer refused our traffic selectors (TS_UNACCEPTABLE)"};
        }
        // With AUTH present the peer keeps an IKE SA without child: tell
        // it to go (best effort; we do not wait).
        if (b.auth && n->type != NotifyType::kAuthenticationFailed)
            send_delete_ike(sa);
        fail_sa(sa, why, true);
        return;
    }

    if (!b.idr || !id_is(*b.idr, sa.remote.addr)) {
        ++stats_.auth_failed;
        fail_sa(sa,
                {Errc::kAuthFailed,
                 "peer identity is not ID_IPV6_ADDR of the queried address"},
                true);
        return;
    }
    if (b.auth->method != AuthMethod::kSharedKeyMic) {
        ++stats_.auth_failed;
        fail_sa(sa, {Errc::kAuthFailed, "peer auth method is not a PSK MIC"},
                true);
        return;
    }
    auto expected = psk_auth(config_.psk.view(), sa.init_response, sa.ni,
                             sa.keys.sk_pr.view(), b.idr->rest);
    if (!expected || !constant_time_equal(expected->view(), b.auth->data)) {
        ++stats_.auth_failed;
        fail_sa(sa,
                {Errc::kAuthFailed, "peer AUTH does not verify with the PSK"},
                true);
        return;
    }

    auto peer_spi = accept_esp_answer(*b.sa);
    auto tsi = b.tsi->selectors.empty()
                   ? core::Result<core::Ip6Prefix>(
                         tl::unexpect, core::Error{Errc::kMalformed, "no tsi"})
                   : prefix_from_selector(b.tsi->selectors[0]);
    auto tsr = b.tsr->selectors.empty()
                   ? core::Result<core::Ip6Prefix>(
                         tl::unexpect, core::Error{Errc::kMalformed, "no tsr"})
                   : prefix_from_selector(b.tsr->selectors[0]);
    std::optional<core::Error> why;
    if (!peer_spi || *peer_spi < 256u)
        why = {Errc::kMalformed, "peer ESP proposal is not what we offered"};
    else if (b.find_notify(NotifyType::kUseTransportMode))
        why = {Errc::kUnsupported, "peer wants transport mode"};
    else if (!tsi || !tsr || !prefix_within(*tsi, sa.want_ts_local) ||
             !prefix_within(*tsr, sa.want_ts_remote))
        why = {Errc::kMalformed, "peer traffic selectors exceed ours"};
    if (why) {
        send_delete_ike(sa);
        fail_sa(sa, *why, true);
        return;
    }

    // §2.17: the first half of KEYMAT protects initiator -> responder.
    auto keymat = derive_child_keymat(sa.keys.sk_d.view(), sa.ni, sa.nr,
                                      kChildKeymatBytes);
    if (!keymat) {
        fail_sa(sa, keymat.error(), true);
        return;
    }
    sa.child.spi_out = *peer_spi;
    sa.child.keymat_out = slice(*keymat, 0, kGcmKeymatBytes);
    sa.child.keymat_in = slice(*keymat, kGcmKeymatBytes, kGcmKeymatBytes);
    sa.child.ts_local = *tsi;
    sa.child.ts_remote = *tsr;
    channel_up(sa);
}

void IkeEngine::on_auth_request(IkeSa& sa, Inbound& in) {
    const MessageBody& b = in.body;
    auto refuse = [&](NotifyType type, core::Error why, PayloadList p) {
        p.add_notify(ProtocolId::kNone, type, {}, {});
        respond_encrypted(sa, in, p);
        fail_sa(sa, why, true);
    };

    // SPEC §5: the initiator is who its IKE source address says it is.
    if (!id_is(*b.idi, in.remote.addr)) {
        ++stats_.auth_failed;
        refuse(NotifyType::kAuthenticationFailed,
               {Errc::kAuthFailed,
                "IDi is not ID_IPV6_ADDR of the initiator's address"},
               {});
        return;
    }
    auto expected = psk_auth(config_.psk.view(), sa.init_request, sa.nr,
                             sa.keys.sk_pi.view(), b.idi->rest);
    if (b.auth->method != AuthMethod::kSharedKeyMic || !expected ||
        !constant_time_equal(expected->view(), b.auth->data)) {
        ++stats_.auth_failed;
        refuse(
            NotifyType::kAuthenticationFailed,
            {Errc::kAuthFailed, "initiator AUTH does not verify with the PSK"},
            {});
        return;
    }

    // The IKE SA is authenticated; the child may still fail, and then the
    // answer carries IDr and AUTH with the error (§1.2, §2.21.2).
    auto idr = id_body(in.local.addr);
    auto auth = psk_auth(config_.psk.view(), sa.init_response, sa.ni,
                         sa.keys.sk_pr.view(), idr);
    if (!auth) {
        fail_sa(sa, auth.error(), true);
        return;
    }
    PayloadList p;
    p.add_raw(PayloadType::kIdr, idr);
    p.add_auth(AuthMethod::kSharedKeyMic, auth->view());

    // Not yet: more than one child SA per IKE SA, and router-mode
    // selectors on the responder: TSi must contain the initiator's own
    // address and TSr ours; both are narrowed to those /128s.
    const Proposal* chosen = select_esp_proposal(*b.sa);
    if (chosen == nullptr) {
        ++stats_.no_proposal_chosen;
        refuse(NotifyType::kNoProposalChosen,
               {Errc::kUnsupported, "initiator offers no ESP AES-GCM-16/256"},
               std::move(p));
        return;
    }
    auto tsi = selector_containing(*b.tsi, in.remote.addr);
    auto tsr = selector_containing(*b.tsr, in.local.addr);
    if (!tsi || !tsr) {
        ++stats_.ts_unacceptable;
        refuse(NotifyType::kTsUnacceptable,
               {Errc::kUnsupported,
                "initiator selectors do not cover both IKE addresses"},
               std::move(p));
        return;
    }
    auto keymat = derive_child_keymat(sa.keys.sk_d.view(), sa.ni, sa.nr,
                                      kChildKeymatBytes);
    if (!keymat) {
        fail_sa(sa, keymat.error(), true);
        return;
    }

    const auto& spi = chosen->spi;
    sa.child.spi_out = (std::uint32_t{spi[0]} << 24) |
                       (std::uint32_t{spi[1]} << 16) |
                       (std::uint32_t{spi[2]} << 8) | spi[3];
    sa.child.spi_in = new_child_spi();
    // §2.17: the first half protects initiator -> responder: our inbound.
    sa.child.keymat_in = slice(*keymat, 0, kGcmKeymatBytes);
    sa.child.keymat_out = slice(*keymat, kGcmKeymatBytes, kGcmKeymatBytes);
    sa.child.ts_local = core::Ip6Prefix{in.local.addr, 128};
    sa.child.ts_remote = core::Ip6Prefix{in.remote.addr, 128};

    p.add_sa(esp_answer(*chosen, sa.child.spi_in));
    p.add_ts(PayloadType::kTsi,
             TsPayload{{selector_from_prefix(sa.child.ts_remote)}});
    p.add_ts(PayloadType::kTsr,
             TsPayload{{selector_from_prefix(sa.child.ts_local)}});
    respond_encrypted(sa, in, p);
    channel_up(sa);
}

void IkeEngine::channel_up(IkeSa& sa) {
    if (!sa.transition_to(SaState::kEstablished)) {
        fail_sa(sa, {Errc::kInternal, "illegal state change"}, true);
        return;
    }
    // Not yet: lifetimes and rekeying (§2.8); the IKE and ESP SAs live
    // until one side deletes them, however much traffic they carry.
    auto now = clock_.now();
    sa.established = now;
    sa.child_up = true;
    ++stats_.sas_established;
    // The IKE SA keys stay for INFORMATIONAL; the first messages were
    // only needed for AUTH (§2.15).
    sa.init_request.clear();
    sa.init_request.shrink_to_fit();
    sa.init_response.clear();
    sa.init_response.shrink_to_fit();
    ChannelEvent ev;
    ev.local = sa.local.addr;
    ev.peer = sa.remote.addr;
    ev.peer_port = sa.remote.port;
    ev.initiator = sa.initiator;
    ev.spi_i = sa.spi_i;
    ev.spi_r = sa.spi_r;
    ev.child = sa.child;
    ev.setup_time = now - sa.created;
    spdlog::info(
        "ike: {}: channel up local={} peer=[{}]:{} esp in={:08x} "
        "out={:08x} ts {} <-> {}",
        sa.tag(), ev.local.to_string(), ev.peer.to_string(), ev.peer_port,
        sa.child.spi_in, sa.child.spi_out, sa.child.ts_local.to_string(),
        sa.child.ts_remote.to_string());
    events_.push_back([this, ev = std::move(ev)] { host_.on_channel_up(ev); });
}

}  // namespace scout6::ike
