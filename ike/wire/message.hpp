// Whole IKEv2 messages: the payload chain walker, the per-exchange payload
// rules, typed access to a parsed body, and the builders for plain and
// SK-protected messages (RFC 7296 §3, RFC 5282).
//
// Receive order (STYLE: strongSwan's two-phase parse): parse_header()
// first; then walk_payloads() over the bytes after the header; if the
// chain ends in SK, open_encrypted() checks the ICV and walks the inner
// chain; check_payload_rules() applies the table for the exchange and
// role; parse_body() turns the raw payloads into typed ones.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "ike/crypto_suite.hpp"
#include "ike/wire/payloads.hpp"

namespace scout6::ike {

// One payload as found by the walker: its type (possibly one we do not
// know), the critical bit and the body after the generic header. `body`
// points into the walked buffer.
struct RawPayload {
    PayloadType type = PayloadType::kNone;
    bool critical = false;
    core::Bytes body;
};

struct PayloadChain {
    std::vector<RawPayload> payloads;
    // When the chain ends in SK: the Next Payload field of the SK header,
    // i.e. the type of the first encrypted payload (§3.14).
    PayloadType sk_first_inner = PayloadType::kNone;
    bool has_sk() const {
        return !payloads.empty() && payloads.back().type == PayloadType::kSk;
    }
};

// Walks the chain that starts with `first`, checking each generic header:
// length at least 4 and within the remaining bytes, nothing after the
// last payload, SK (and SKF) only as the last payload. Errors: kTruncated
// or kMalformed with a detail naming the check.
[[nodiscard]] core::Result<PayloadChain> walk_payloads(PayloadType first,
                                                       core::Bytes chain);

// What to tell the peer about a message that breaks the rules (only ever
// sent in a response to a request; responses are never answered).
struct PayloadProblem {
    core::Error error;
    NotifyType notify = NotifyType::kInvalidSyntax;
    std::uint8_t payload_type = 0;  // data of UNSUPPORTED_CRITICAL_PAYLOAD
};

// Applies the table for (exchange, request/response) to the payloads
// found (the inner ones when the message is protected). `protected_body`
// says whether they came out of SK: in IKE_SA_INIT nothing may be
// encrypted, in every other exchange everything must be. Unknown payloads
// are skipped unless critical (→ UNSUPPORTED_CRITICAL_PAYLOAD, §2.5).
// Required payloads are only required when the message carries no error
// notify and no COOKIE, which stand alone (§2.6, §2.21).
std::optional<PayloadProblem> check_payload_rules(
    ExchangeType exchange, bool response, bool protected_body,
    std::span<const RawPayload> payloads);

// Typed view of one message body. Spans point into the buffer the
// RawPayloads point into (datagram or decrypted plaintext).
struct MessageBody {
    std::optional<SaPayload> sa;
    std::optional<KePayload> ke;
    std::optional<core::Bytes> nonce;
    std::optional<IdPayload> idi;
    std::optional<IdPayload> idr;
    std::optional<AuthPayload> auth;
    std::optional<TsPayload> tsi;
    std::optional<TsPayload> tsr;
    std::vector<NotifyPayload> notifies;
    std::vector<DeletePayload> deletes;

    const NotifyPayload* find_notify(NotifyType type) const;
    // The first notify of an error type (< 16384), if any.
    const NotifyPayload* first_error() const;
};

// Parses every known payload the rules let through. Errors: the first
// payload that fails its own parse_*.
[[nodiscard]] core::Result<MessageBody> parse_body(
    std::span<const RawPayload> payloads);

// "SA,KE,No,N(NAT_DETECTION_SOURCE_IP)": the payload list for log lines.
std::string summarize(std::span<const RawPayload> payloads);

// A payload about to be sent: type and serialized body.
struct OutPayload {
    PayloadType type = PayloadType::kNone;
    std::vector<std::uint8_t> body;
    bool critical = false;  // only tests send unknown payloads
};

// Collects the payloads of one outgoing message in order. Each add_*
// serializes at once; a failure (a body over 64 KiB, our bug) makes the
// list !ok() for good.
class PayloadList {
public:
    void add_sa(const SaPayload& sa);
    void add_ke(std::uint16_t group, core::Bytes data);
    void add_nonce(core::Bytes nonce);
    void add_id(PayloadType idi_or_idr, IdType type, core::Bytes data);
    void add_auth(AuthMethod method, core::Bytes data);
    void add_notify(ProtocolId protocol, NotifyType type, core::Bytes spi,
                    core::Bytes data);
    void add_delete(const DeletePayload& d);
    void add_ts(PayloadType tsi_or_tsr, const TsPayload& ts);
    // Any body as is, with the critical bit if asked (tests use it to
    // craft odd messages).
    void add_raw(PayloadType type, core::Bytes body, bool critical = false);

    bool ok() const { return ok_; }
    const std::vector<OutPayload>& items() const { return items_; }
    std::string summary() const;

private:
    template <typename Fn>
    void add(PayloadType type, Fn&& write_body);

    std::vector<OutPayload> items_;
    bool ok_ = true;
};

// The chain itself: generic headers linking the items in order. Returns
// false when the writer runs out of room.
bool serialize_chain(const PayloadList& payloads, core::ByteWriter& w);
std::size_t chain_size(const PayloadList& payloads);

// A whole message with `payloads` in the clear (IKE_SA_INIT). The header's
// next_payload and length are filled in here. Errors: kInternal when the
// payloads do not fit one message.
[[nodiscard]] core::Result<std::vector<std::uint8_t>> serialize_message(
    IkeHeader header, const PayloadList& payloads);

// A whole message whose only payload is SK{inner} (§3.14, RFC 5282 §5.1:
// the AAD is the header and the SK generic header). iv_counter must never
// repeat under `cipher`. Errors: kInternal, or as SkCipher::seal.
[[nodiscard]] core::Result<std::vector<std::uint8_t>> serialize_encrypted(
    IkeHeader header, const PayloadList& inner, SkCipher& cipher,
    std::uint64_t iv_counter);

// Checks and decrypts the SK payload that ends `outer` (found in
// `datagram` by walk_payloads) into `plaintext`, then walks the inner
// chain; the returned payloads point into `plaintext`, which must outlive
// them. Errors: as SkCipher::open (kAuthFailed on a bad ICV), then as
// walk_payloads.
[[nodiscard]] core::Result<PayloadChain> open_encrypted(
    core::Bytes datagram, const PayloadChain& outer, SkCipher& cipher,
    std::vector<std::uint8_t>& plaintext);

}  // namespace scout6::ike
