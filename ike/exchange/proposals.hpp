// The proposals scout6 offers and accepts (RFC 7296 §2.7, §3.3), for the
// IKE SA and for the ESP child SA. Shared by both exchanges.
#pragma once

#include <cstdint>
#include <optional>

#include "ike/wire/payloads.hpp"

namespace scout6::ike {

// IKE SA: ENCR_AES_GCM_16 with a 256-bit key, PRF_HMAC_SHA2_256, DH 31;
// no INTEG (AEAD, RFC 5282 §8).
SaPayload ike_offer();
// ESP: ENCR_AES_GCM_16/256, ESN none; `spi` is our inbound SPI.
SaPayload esp_offer(std::uint32_t spi);

// Responder: the first proposal we can accept (pointing into `offered`),
// or nullptr. An IKE proposal must allow DH 31; whether the KE payload
// uses it is the caller's check (INVALID_KE_PAYLOAD, §1.3).
const Proposal* select_ike_proposal(const SaPayload& offered);
const Proposal* select_esp_proposal(const SaPayload& offered);

// Our answer to a selected proposal: its number, our SPI (ESP only) and
// one transform of each type we use.
SaPayload ike_answer(const Proposal& chosen);
SaPayload esp_answer(const Proposal& chosen, std::uint32_t spi);

// Initiator: the responder's SA payload must be exactly one proposal
// naming transforms we offered. For ESP, returns the peer's SPI.
bool accept_ike_answer(const SaPayload& answer);
std::optional<std::uint32_t> accept_esp_answer(const SaPayload& answer);

}  // namespace scout6::ike
