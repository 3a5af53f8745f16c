// IkeEngine: scout6's embedded IKEv2 (RFC 7296), initiator and responder,
// for one site-wide PSK and one ESP child SA per IKE SA.
//
// The engine is pure logic driven by its owner: datagrams come in through
// on_datagram(), time through on_timer() (call it at next_deadline()),
// and everything going out or up goes through IkeHost. It never blocks,
// never throws on packet or timer paths, and calls the host's on_channel_*
// hooks only at the end of an entry point, so the host may call back into
// the engine from them. Not thread-safe: one thread drives it.
//
// What it speaks (see docs in the .cpp files for the RFC sections):
//   IKE SA:  ENCR_AES_GCM_16/256, PRF_HMAC_SHA2_256, DH 31, PSK AUTH
//   child:   ESP, ENCR_AES_GCM_16/256, no ESN, tunnel mode, UDP-encapsulated
//            (the engine fakes its NAT_DETECTION_SOURCE_IP so that every
//            peer encapsulates, and floats IKE to port 4500 after
//            IKE_SA_INIT, §2.23)
//   identity: ID_IPV6_ADDR equal to the IKE source address (SPEC §5)
// Shortcomings, marked where they live: no rekeying and no lifetimes, no
// IKE fragmentation, no EAP or certificates, one child SA per IKE SA.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/bytes.hpp"
#include "core/clock.hpp"
#include "core/ip6.hpp"
#include "core/result.hpp"
#include "core/secret.hpp"
#include "ike/crypto_suite.hpp"
#include "ike/ike_sa.hpp"
#include "ike/wire/message.hpp"

namespace scout6::ike {

struct ChannelEvent {
    core::Ip6Addr local;
    core::Ip6Addr peer;
    std::uint16_t peer_port = 0;  // 4500 after the float
    bool initiator = false;
    std::uint64_t spi_i = 0;
    std::uint64_t spi_r = 0;
    ChildSaParams child;
    core::Duration setup_time{};  // first IKE_SA_INIT to channel up
};

class IkeHost {
public:
    virtual ~IkeHost() = default;
    // Sends one IKE message. On port 4500 the host adds the 4-byte non-ESP
    // marker (RFC 3948 §2.2); the engine never sees it. `message` is valid
    // only during the call.
    virtual void send_ike(const Endpoint& local, const Endpoint& remote,
                          core::Bytes message) = 0;
    virtual void on_channel_up(const ChannelEvent&) = 0;
    virtual void on_channel_failed(const core::Ip6Addr& local,
                                   const core::Ip6Addr& peer,
                                   const core::Error& why) = 0;
    virtual void on_channel_down(const core::Ip6Addr& peer,
                                 std::uint32_t spi_in,
                                 std::uint32_t spi_out) = 0;
};

struct IkeConfig {
    core::SecretBytes psk;
    core::Duration retransmit_timeout{std::chrono::milliseconds(500)};
    unsigned retransmit_tries{5};
    core::Duration half_open_timeout{std::chrono::seconds(10)};
    std::size_t max_sas{20000};
    std::size_t max_half_open{1000};
    // From this many half-open SAs on, a new IKE_SA_INIT must carry a
    // COOKIE we handed out (RFC 7296 §2.6) before it costs any state or
    // Diffie-Hellman work.
    std::size_t cookie_threshold{100};
};

struct InitiateRequest {
    core::Ip6Addr local;
    core::Ip6Addr remote;
    core::Ip6Prefix ts_local;
    core::Ip6Prefix ts_remote;
};

// Named counters; for_each lists them for `scout6 status`.
#define SCOUT6_IKE_STATS(X)         \
    X(messages_sent)                \
    X(messages_received)            \
    X(retransmits_sent)             \
    X(cached_responses_resent)      \
    X(dropped_malformed)            \
    X(dropped_unknown_sa)           \
    X(dropped_wrong_peer)           \
    X(dropped_unmatched_response)   \
    X(dropped_bad_message_id)       \
    X(dropped_icv_failed)           \
    X(dropped_rules)                \
    X(dropped_half_open_limit)      \
    X(dropped_sa_limit)             \
    X(dropped_unsupported_exchange) \
    X(dropped_bad_state)            \
    X(half_open_expired)            \
    X(sas_established)              \
    X(sas_failed)                   \
    X(sas_deleted)                  \
    X(auth_failed)                  \
    X(no_proposal_chosen)           \
    X(ts_unacceptable)              \
    X(cookies_received)             \
    X(cookies_sent)                 \
    X(cookies_rejected)             \
    X(invalid_ke_received)          \
    X(timeouts)

struct IkeStats {
#define SCOUT6_IKE_STAT_FIELD(name) std::uint64_t name = 0;
    SCOUT6_IKE_STATS(SCOUT6_IKE_STAT_FIELD)
#undef SCOUT6_IKE_STAT_FIELD

    template <typename Fn>
    void for_each(Fn&& fn) const {
#define SCOUT6_IKE_STAT_VISIT(name) fn(#name, name);
        SCOUT6_IKE_STATS(SCOUT6_IKE_STAT_VISIT)
#undef SCOUT6_IKE_STAT_VISIT
    }
};

// One line of `scout6 status`.
struct SaInfo {
    core::Ip6Addr local;
    core::Ip6Addr peer;
    std::uint64_t spi_i = 0;
    std::uint64_t spi_r = 0;
    const char* state = "";
    bool initiator = false;
    std::uint32_t child_spi_in = 0;  // 0 until the child is up
    std::uint32_t child_spi_out = 0;
    std::optional<core::TimePoint> established;
};

class IkeEngine {
public:
    // clock, random and host must outlive the engine.
    IkeEngine(const core::Clock& clock, Random& random, IkeConfig config,
              IkeHost& host);
    ~IkeEngine();
    IkeEngine(const IkeEngine&) = delete;
    IkeEngine& operator=(const IkeEngine&) = delete;

    // Starts IKE_SA_INIT from req.local:500 to req.remote:500. A call for
    // a local/remote pair that already has an SA (in progress or up) is a
    // no-op success. Errors: kNoSpace at max_sas, kCrypto when key
    // generation fails, kInternal.
    [[nodiscard]] core::Status initiate(const InitiateRequest& req);

    // One IKE datagram (non-ESP marker already stripped). Bad input is
    // counted in stats() and dropped, never thrown.
    void on_datagram(const Endpoint& local, const Endpoint& remote,
                     core::Bytes message);

    // Retransmits, gives up on silent peers, expires half-open SAs.
    void on_timer();
    // The earliest moment on_timer() has work; nullopt when none.
    std::optional<core::TimePoint> next_deadline() const;

    // Best effort: one INFORMATIONAL Delete(IKE SA) to every established
    // peer, no waiting for answers, then every SA is forgotten. No
    // on_channel_* calls are made: the owner is going away.
    void shutdown();

    // Test seam: sends an INFORMATIONAL request with `payloads` on the
    // established SA with `peer`. Errors: kNotFound, as encryption.
    [[nodiscard]] core::Status send_informational_for_test(
        const core::Ip6Addr& peer, const PayloadList& payloads);

    const IkeStats& stats() const { return stats_; }
    void for_each_sa(const std::function<void(const SaInfo&)>& visit) const;
    std::size_t sa_count() const { return sas_.size(); }

private:
    struct HalfOpenKey {
        core::Ip6Addr addr;
        std::uint64_t spi_i;
        friend bool operator==(const HalfOpenKey&,
                               const HalfOpenKey&) = default;
    };
    struct HalfOpenKeyHash {
        std::size_t operator()(const HalfOpenKey& k) const noexcept {
            return core::Ip6AddrHash{}(k.addr) ^
                   std::hash<std::uint64_t>{}(k.spi_i);
        }
    };
    // A received message after header, walk, decryption and rules.
    struct Inbound {
        IkeHeader header;
        Endpoint local;
        Endpoint remote;
        core::Bytes datagram;
        std::vector<RawPayload> payloads;
        MessageBody body;
    };

    // engine.cpp: table, dispatch, sending, timers, failure paths.
    std::uint64_t new_spi();
    std::uint32_t new_child_spi();
    IkeSa* find_sa(std::uint64_t local_spi);
    void dispatch(const Endpoint& local, const Endpoint& remote,
                  core::Bytes message);
    // Decrypts and checks a message for an existing SA; false = dropped.
    bool open_message(IkeSa& sa, const IkeHeader& h, core::Bytes message,
                      std::vector<std::uint8_t>& plaintext, Inbound& in);
    void handle_request(IkeSa& sa, Inbound& in);
    void handle_response(IkeSa& sa, Inbound& in);
    void send_request(IkeSa& sa, ExchangeType exchange,
                      std::vector<std::uint8_t> bytes,
                      const std::string& summary);
    void send_response(IkeSa& sa, ExchangeType exchange,
                       std::uint32_t message_id,
                       std::vector<std::uint8_t> bytes,
                       const std::string& summary);
    void send_raw(const Endpoint& local, const Endpoint& remote,
                  const IkeSa* sa, std::uint64_t spi_i, std::uint64_t spi_r,
                  ExchangeType exchange, bool response,
                  std::uint32_t message_id, core::Bytes bytes,
                  const std::string& summary);
    // Builds and sends an SK-protected response to in's request.
    void respond_encrypted(IkeSa& sa, const Inbound& in,
                           const PayloadList& payloads);
    core::Result<std::vector<std::uint8_t>> encrypt(IkeSa& sa,
                                                    ExchangeType exchange,
                                                    bool response,
                                                    std::uint32_t message_id,
                                                    const PayloadList& p);
    IkeHeader header_for(const IkeSa& sa, ExchangeType exchange, bool response,
                         std::uint32_t message_id) const;
    void fail_sa(IkeSa& sa, const core::Error& why, bool report);
    void down_sa(IkeSa& sa);
    void kill_sa(IkeSa& sa);
    void sweep();
    void flush_events();

    // exchange/ike_sa_init.cpp
    core::Status send_init_request(IkeSa& sa);
    void on_init_request(const Endpoint& local, const Endpoint& remote,
                         const IkeHeader& h, core::Bytes message);
    void on_init_response(IkeSa& sa, Inbound& in);
    [[nodiscard]] core::Result<core::SecretBytes> make_cookie(
        const core::Ip6Addr& initiator, std::uint64_t spi_i,
        core::Bytes ni) const;
    void answer_init_error(const Endpoint& local, const Endpoint& remote,
                           const IkeHeader& h, NotifyType type,
                           core::Bytes data);
    void add_nat_detection(PayloadList& p, std::uint64_t spi_i,
                           std::uint64_t spi_r, const Endpoint& peer);

    // exchange/ike_auth.cpp
    core::Status send_auth_request(IkeSa& sa);
    void on_auth_request(IkeSa& sa, Inbound& in);
    void on_auth_response(IkeSa& sa, Inbound& in);
    void channel_up(IkeSa& sa);

    // exchange/informational.cpp
    void on_informational_request(IkeSa& sa, Inbound& in);
    void on_informational_response(IkeSa& sa, Inbound& in);
    void send_delete_ike(IkeSa& sa);

    const core::Clock& clock_;
    Random& random_;
    // Keys the cookies this responder hands out; made at construction.
    // Not yet: rotating it (§2.6 suggests so); a cookie stays valid for
    // the life of the process, which lets an attacker who once saw one
    // replay it from the same address and SPI.
    core::SecretBytes cookie_secret_;
    IkeConfig config_;
    IkeHost& host_;
    IkeStats stats_;
    std::unordered_map<std::uint64_t, std::unique_ptr<IkeSa>> sas_;
    std::unordered_map<HalfOpenKey, std::uint64_t, HalfOpenKeyHash> half_open_;
    std::vector<std::function<void()>> events_;  // host hooks, deferred
    bool flushing_ = false;
};

}  // namespace scout6::ike
