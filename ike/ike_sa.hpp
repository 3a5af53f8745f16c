// One IKE SA (RFC 7296 §2) as the engine keeps it: role, SPIs, endpoints,
// the key schedule, message-ID and retransmission state, the one child
// SA, and the state machine with its single transition_to().
//
// Owned by IkeEngine (one unique_ptr per SA); nothing here sends or
// calls the host.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ip6.hpp"
#include "core/secret.hpp"
#include "ike/crypto_suite.hpp"
#include "ike/wire/types.hpp"

namespace scout6::ike {

struct Endpoint {
    core::Ip6Addr addr;
    std::uint16_t port = 0;

    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

inline constexpr std::uint16_t kIkePort = 500;
inline constexpr std::uint16_t kNattPort = 4500;

// The ESP SA pair of one channel. keymat_* are 36 bytes each: AES-256 key
// followed by the 4-byte salt (RFC 4106 §8.1).
struct ChildSaParams {
    std::uint32_t spi_in = 0;   // chosen by us; the peer sends to it
    std::uint32_t spi_out = 0;  // chosen by the peer; we send to it
    core::SecretBytes keymat_in;
    core::SecretBytes keymat_out;
    core::Ip6Prefix ts_local;
    core::Ip6Prefix ts_remote;
};

// States of an IKE SA, each with how it is entered.
enum class SaState : std::uint8_t {
    kIdle,         // just created, nothing sent yet
    kInitSent,     // initiator: IKE_SA_INIT request sent
    kAuthSent,     // initiator: IKE_SA_INIT done, IKE_AUTH request sent
    kHalfOpen,     // responder: IKE_SA_INIT answered, IKE_AUTH awaited
    kEstablished,  // IKE_AUTH done and the child SA is up
    kDeleting,     // we sent a Delete of the IKE SA and await the answer
    kDead,         // failed, deleted or expired; swept from the table
};
const char* to_string(SaState s);

// An outstanding request of ours (window size 1, §2.3).
struct PendingRequest {
    bool active = false;
    ExchangeType exchange = ExchangeType::kIkeSaInit;
    std::uint32_t message_id = 0;
    std::vector<std::uint8_t> bytes;
    unsigned retransmits = 0;
    core::Duration timeout{};
    core::TimePoint deadline{};
};

// The last response we sent, resent verbatim for a retransmitted request
// (§2.1: never recomputed).
struct CachedResponse {
    bool valid = false;
    std::uint32_t message_id = 0;
    std::vector<std::uint8_t> request;  // what it answered, byte for byte
    std::vector<std::uint8_t> bytes;
};

class IkeSa {
public:
    IkeSa(bool initiator, std::uint64_t local_spi, core::TimePoint now);

    // The only way to change state_. Refuses (returns false, logs a bug)
    // moves the table in ike_sa.cpp does not allow; logs "old -> new".
    bool transition_to(SaState next);
    SaState state() const { return state_; }

    // Our SPI: the table key. SPIi for the initiator, SPIr otherwise.
    std::uint64_t local_spi() const { return initiator ? spi_i : spi_r; }
    // "spi_i:spi_r" in hex, the context of every log line.
    std::string tag() const;

    const bool initiator;
    std::uint64_t spi_i = 0;
    std::uint64_t spi_r = 0;
    Endpoint local;
    Endpoint remote;
    core::Ip6Prefix want_ts_local;  // initiator: what we propose
    core::Ip6Prefix want_ts_remote;

    // IKE_SA_INIT material (§1.2, §2.15).
    std::optional<X25519KeyPair> dh;
    std::vector<std::uint8_t> ni;
    std::vector<std::uint8_t> nr;
    std::vector<std::uint8_t> cookie;
    std::vector<std::uint8_t> init_request;   // as sent / as received
    std::vector<std::uint8_t> init_response;  // as received / as sent
    unsigned init_restarts = 0;               // COOKIE / INVALID_KE retries

    IkeKeys keys;
    std::optional<SkCipher> sk_out;  // SK_ei for the initiator, else SK_er
    std::optional<SkCipher> sk_in;
    std::uint64_t iv_counter = 0;  // never reused under sk_out

    std::uint32_t next_request_id = 0;  // our next request's message ID
    PendingRequest pending;
    std::uint32_t next_peer_id = 0;  // the peer request ID we expect
    CachedResponse cached;

    ChildSaParams child;
    bool child_up = false;
    core::TimePoint created;
    std::optional<core::TimePoint> established;

private:
    SaState state_ = SaState::kIdle;
};

}  // namespace scout6::ike
