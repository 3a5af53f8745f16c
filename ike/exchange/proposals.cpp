#include "ike/exchange/proposals.hpp"

#include "ike/crypto_suite.hpp"

namespace scout6::ike {

namespace {

constexpr std::size_t kEspSpiBytes = 4;

Transform aes_gcm_256() {
    return Transform{TransformType::kEncr, kEncrAesGcm16, kGcmKeyLengthBits,
                     false};
}

bool is_aes_gcm_256(const Transform& t) {
    return t.type == TransformType::kEncr && t.id == kEncrAesGcm16 &&
           t.key_length == kGcmKeyLengthBits && !t.unknown_attribute;
}

// What one proposal offers, type by type (§3.3.6: within a type the
// transforms are alternatives; across types all must be agreed).
struct Offer {
    bool unknown_type = false;
    bool encr = false;  // AES-GCM-16/256 among the ENCR transforms
    bool prf = false;   // PRF_HMAC_SHA2_256 among the PRFs
    bool any_integ = false;
    bool integ_none = false;
    bool any_dh = false;
    bool dh31 = false;
    bool dh_none = false;
    bool any_esn = false;
    bool esn_none = false;
};

Offer summarize_offer(const Proposal& p) {
    Offer o;
    for (const auto& t : p.transforms) {
        switch (t.type) {
            case TransformType::kEncr:
                o.encr |= is_aes_gcm_256(t);
                break;
            case TransformType::kPrf:
                o.prf |= t.id == kPrfHmacSha2_256 && !t.unknown_attribute;
                break;
            case TransformType::kInteg:
                o.any_integ = true;
                o.integ_none |= t.id == kIntegNone;
                break;
            case TransformType::kDh:
                o.any_dh = true;
                o.dh31 |= t.id == kDhCurve25519;
                o.dh_none |= t.id == kDhNone;
                break;
            case TransformType::kEsn:
                o.any_esn = true;
                o.esn_none |= t.id == kEsnNone;
                break;
            default:
                // §3.3.6: a proposal with a transform type we do not
                // understand is rejected as a whole.
                o.unknown_type = true;
        }
    }
    return o;
}

}  // namespace

SaPayload ike_offer() {
    Proposal p;
    p.number = 1;
    p.protocol = ProtocolId::kIke;
    p.transforms = {aes_gcm_256(),
                    Transform{TransformType::kPrf, kPrfHmacSha2_256, {}, false},
                    Transform{TransformType::kDh, kDhCurve25519, {}, false}};
    return SaPayload{{p}};
}

SaPayload esp_offer(std::uint32_t spi) {
    Proposal p;
    p.number = 1;
    p.protocol = ProtocolId::kEsp;
    p.spi = {static_cast<std::uint8_t>(spi >> 24),
             static_cast<std::uint8_t>(spi >> 16),
             static_cast<std::uint8_t>(spi >> 8),
             static_cast<std::uint8_t>(spi)};
    p.transforms = {aes_gcm_256(),
                    Transform{TransformType::kEsn, kEsnNone, {}, false}};
    return SaPayload{{p}};
}

const Proposal* select_ike_proposal(const SaPayload& offered) {
    for (const auto& p : offered.proposals) {
        if (p.protocol != ProtocolId::kIke || !p.spi.empty()) continue;
        Offer o = summarize_offer(p);
        if (o.unknown_type || o.any_esn) continue;
        if (o.encr && o.prf && (!o.any_integ || o.integ_none) && o.dh31)
            return &p;
    }
    return nullptr;
}

const Proposal* select_esp_proposal(const SaPayload& offered) {
    for (const auto& p : offered.proposals) {
        if (p.protocol != ProtocolId::kEsp || p.spi.size() != kEspSpiBytes)
            continue;
        Offer o = summarize_offer(p);
        if (o.unknown_type) continue;
        // §1.2: no KE in IKE_AUTH, so DH may only be NONE here.
        if (o.encr && (!o.any_integ || o.integ_none) &&
            (!o.any_dh || o.dh_none) && (!o.any_esn || o.esn_none))
            return &p;
    }
    return nullptr;
}

SaPayload ike_answer(const Proposal& chosen) {
    SaPayload sa = ike_offer();
    sa.proposals[0].number = chosen.number;
    return sa;
}

SaPayload esp_answer(const Proposal& chosen, std::uint32_t spi) {
    SaPayload sa = esp_offer(spi);
    sa.proposals[0].number = chosen.number;
    bool esn_offered = false;
    for (const auto& t : chosen.transforms)
        esn_offered |= t.type == TransformType::kEsn;
    if (!esn_offered) sa.proposals[0].transforms.pop_back();
    return sa;
}

bool accept_ike_answer(const SaPayload& answer) {
    if (answer.proposals.size() != 1) return false;
    const Proposal& p = answer.proposals[0];
    if (p.number != 1 || p.protocol != ProtocolId::kIke || !p.spi.empty())
        return false;
    unsigned encr = 0, prf = 0, dh = 0;
    for (const auto& t : p.transforms) {
        if (is_aes_gcm_256(t))
            ++encr;
        else if (t.type == TransformType::kPrf && t.id == kPrfHmacSha2_256)
            ++prf;
        else if (t.type == TransformType::kDh && t.id == kDhCurve25519)
            ++dh;
        else if (!(t.type == TransformType::kInteg && t.id == kIntegNone))
            return false;
    }
    return encr == 1 && prf == 1 && dh == 1;
}

std::optional<std::uint32_t> accept_esp_answer(const SaPayload& answer) {
    if (answer.proposals.size() != 1) return std::nullopt;
    const Proposal& p = answer.proposals[0];
    if (p.number != 1 || p.protocol != ProtocolId::kEsp ||
        p.spi.size() != kEspSpiBytes)
        return std::nullopt;
    unsigned encr = 0;
    for (const auto& t : p.transforms) {
        if (is_aes_gcm_256(t))
            ++encr;
        else if (!((t.type == TransformType::kEsn && t.id == kEsnNone) ||
                   (t.type == TransformType::kInteg && t.id == kIntegNone) ||
                   (t.type == TransformType::kDh && t.id == kDhNone)))
            return std::nullopt;
    }
    if (encr != 1) return std::nullopt;
    return (std::uint32_t{p.spi[0]} << 24) | (std::uint32_t{p.spi[1]} << 16) |
           (std::uint32_t{p.spi[2]} << 8) | p.spi[3];
}

}  // namespace scout6::ike
