// INFORMATIONAL (RFC 7296 §1.4) on an established IKE SA:
//
//   HDR, SK {}            -->   <--  HDR, SK {}              (liveness)
//   HDR, SK {D(IKE)}      -->   <--  HDR, SK {}              (§1.4.1)
//   HDR, SK {D(ESP, spi)} -->   <--  HDR, SK {D(ESP, our spi)}
//
// scout6 has exactly one child per IKE SA, so losing the child ends the
// channel: after answering a child Delete we delete the IKE SA as well.
#include "core/log.hpp"
#include "ike/engine.hpp"

namespace scout6::ike {

void IkeEngine::on_informational_request(IkeSa& sa, Inbound& in) {
    bool delete_ike = false;
    bool delete_child = false;
    for (const auto& d : in.body.deletes) {
        if (d.protocol == ProtocolId::kIke) delete_ike = true;
        if (d.protocol == ProtocolId::kEsp)
            for (auto spi : d.spis)
                delete_child |= sa.child_up && spi == sa.child.spi_out;
    }

    PayloadList reply;
    if (delete_ike || sa.state() == SaState::kDeleting) {
        // §1.4.1: the IKE SA and its children are gone; an empty answer.
        respond_encrypted(sa, in, reply);
        spdlog::info("ike: {}: deleted by peer", sa.tag());
        down_sa(sa);
        kill_sa(sa);
        return;
    }
    if (delete_child) {
        // §1.4.1: answer with the Delete of our inbound half.
        reply.add_delete(DeletePayload{ProtocolId::kEsp, {sa.child.spi_in}});
        respond_encrypted(sa, in, reply);
        spdlog::info("ike: {}: child deleted by peer, deleting ike sa",
                     sa.tag());
        down_sa(sa);
        send_delete_ike(sa);
        sa.transition_to(SaState::kDeleting);
        return;
    }
    respond_encrypted(sa, in, reply);
}

void IkeEngine::on_informational_response(IkeSa& sa, Inbound&) {
    if (sa.state() == SaState::kDeleting) kill_sa(sa);
}

void IkeEngine::send_delete_ike(IkeSa& sa) {
    PayloadList p;
    p.add_delete(DeletePayload{ProtocolId::kIke, {}});
    auto bytes =
        encrypt(sa, ExchangeType::kInformational, false, sa.next_request_id, p);
    if (!bytes) {
        spdlog::warn("ike: {}: cannot build delete: {}", sa.tag(),
                     bytes.error().describe());
        return;
    }
    send_request(sa, ExchangeType::kInformational, std::move(*bytes),
                 p.summary());
}

core::Status IkeEngine::send_informational_for_test(
    const core::Ip6Addr& peer, const PayloadList& payloads) {
    for (auto& [spi, sa] : sas_) {
        if (sa->state() != SaState::kEstablished || sa->remote.addr != peer)
            continue;
        auto bytes = encrypt(*sa, ExchangeType::kInformational, false,
                             sa->next_request_id, payloads);
        if (!bytes) return tl::unexpected(bytes.error());
        send_request(*sa, ExchangeType::kInformational, std::move(*bytes),
                     payloads.summary());
        return {};
    }
    return core::fail(core::Errc::kNotFound, "no established sa with peer");
}

}  // namespace scout6::ike
