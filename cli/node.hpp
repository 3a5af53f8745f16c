// Node: one SCOUT6 host, as pure logic. It joins discovery (core/), the
// IKEv2 engine (ike/) and the ESP data path (core/esp_*) and decides what
// happens to every packet; the daemon feeds it packets and timer events
// and carries out its output through NodeIo. No sockets, no libuv, no
// syscalls here, so two Nodes can talk over a fake network in a test.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/discovery.hpp"
#include "core/esp_sa.hpp"
#include "core/hold_queue.hpp"
#include "core/ip6.hpp"
#include "core/scout_wire.hpp"
#include "ike/crypto_suite.hpp"
#include "ike/engine.hpp"

namespace scout6::cli {

// Where a Node's output goes. Calls are synchronous; the bytes are only
// valid during the call.
class NodeIo {
public:
    virtual ~NodeIo() = default;
    // A decrypted inner packet for the local stack.
    virtual void write_tun(core::Bytes ipv6_packet) = 0;
    // A datagram from our UDP socket bound to src_port (500 or 4500).
    virtual void send_udp(std::uint16_t src_port, const core::Ip6Addr& src,
                          const core::Ip6Addr& dst, std::uint16_t dst_port,
                          core::Bytes payload) = 0;
    // A whole IPv6 packet, header included, sent outside the TUN: SCOUT6
    // messages, and cleartext only where on_unsecurable = "pass".
    virtual void send_raw(core::Bytes ipv6_packet) = 0;
    // Routes `peer` into the TUN (add) or stops (remove): a peer outside
    // our protected scope built a channel to us, and our answers to it
    // must follow that channel rather than leave in the clear.
    virtual void route_peer(const core::Ip6Addr& peer, bool add) = 0;
};

struct NodeOptions {
    std::vector<core::Ip6Addr> served;       // our addresses
    std::vector<core::Ip6Prefix> scopes;     // destinations we secure
    std::vector<core::Ip6Addr> known_peers;  // IKEv2 without SCOUT6
    bool pass_unsecurable = false;
    core::CodePoints code_points;
    core::DiscoveryConfig discovery;
    ike::IkeConfig ike;
    std::size_t hold_per_flow = 32;
    std::size_t hold_total = 4096;
    std::size_t max_packet_bytes = 1500;  // the TUN MTU
    std::size_t max_flows = 100000;
    std::uint8_t hop_limit = 64;
    core::Duration flow_idle_timeout = std::chrono::minutes(5);
    // DOr answers per second (and burst). A DOq's source can be forged,
    // and the answer is larger than the query: without a limit a node
    // would be a reflector, as ICMP error rate limits exist for.
    double dor_rate = 1000;
};

// Why a packet was dropped; each has a counter in NodeStats.
struct NodeStats {
    std::uint64_t tun_packets = 0;
    std::uint64_t tun_malformed = 0;       // not a whole IPv6 packet
    std::uint64_t tun_not_unicast = 0;     // multicast or link-local dst
    std::uint64_t tun_out_of_scope = 0;    // routed to us, not in scope
    std::uint64_t tun_foreign_source = 0;  // source is not ours
    std::uint64_t held = 0;
    std::uint64_t hold_overflow = 0;        // newest packet dropped
    std::uint64_t released = 0;             // held, then sent in a channel
    std::uint64_t unsecurable_dropped = 0;  // no channel could be built
    std::uint64_t unsecurable_passed = 0;   // sent clear: on_unsecurable=pass
    std::uint64_t discovery_busy_dropped = 0;  // too many discoveries
    std::uint64_t esp_sent = 0;
    std::uint64_t esp_seal_failed = 0;
    std::uint64_t esp_received = 0;
    std::uint64_t esp_unknown_spi = 0;
    std::uint64_t esp_open_failed = 0;  // ICV, replay, trailer
    std::uint64_t esp_inner_malformed = 0;
    std::uint64_t esp_inner_not_ipv6 = 0;
    std::uint64_t esp_inner_outside_ts = 0;  // spoofed inner address
    std::uint64_t udp_invalid = 0;
    std::uint64_t udp_keepalive = 0;
    std::uint64_t scout_malformed = 0;
    std::uint64_t doq_answered = 0;
    std::uint64_t doq_not_served = 0;
    std::uint64_t doq_rate_limited = 0;  // answers over dor_rate
    std::uint64_t raq_ignored = 0;       // hosts do not answer RAq
    std::uint64_t icmp_not_ours = 0;
    std::uint64_t channels_up = 0;
    std::uint64_t channels_failed = 0;
    std::uint64_t channels_down = 0;
    std::uint64_t flow_table_full = 0;

    template <typename F>
    void for_each(F&& f) const {
        f("tun_packets", tun_packets);
        f("tun_malformed", tun_malformed);
        f("tun_not_unicast", tun_not_unicast);
        f("tun_out_of_scope", tun_out_of_scope);
        f("tun_foreign_source", tun_foreign_source);
        f("held", held);
        f("hold_overflow", hold_overflow);
        f("released", released);
        f("unsecurable_dropped", unsecurable_dropped);
        f("unsecurable_passed", unsecurable_passed);
        f("discovery_busy_dropped", discovery_busy_dropped);
        f("esp_sent", esp_sent);
        f("esp_seal_failed", esp_seal_failed);
        f("esp_received", esp_received);
        f("esp_unknown_spi", esp_unknown_spi);
        f("esp_open_failed", esp_open_failed);
        f("esp_inner_malformed", esp_inner_malformed);
        f("esp_inner_not_ipv6", esp_inner_not_ipv6);
        f("esp_inner_outside_ts", esp_inner_outside_ts);
        f("udp_invalid", udp_invalid);
        f("udp_keepalive", udp_keepalive);
        f("scout_malformed", scout_malformed);
        f("doq_answered", doq_answered);
        f("doq_not_served", doq_not_served);
        f("doq_rate_limited", doq_rate_limited);
        f("raq_ignored", raq_ignored);
        f("icmp_not_ours", icmp_not_ours);
        f("channels_up", channels_up);
        f("channels_failed", channels_failed);
        f("channels_down", channels_down);
        f("flow_table_full", flow_table_full);
    }
};

// The state of one IP-flow, as `scout6 status` shows it.
enum class FlowState {
    kDiscovering,  // DOq/RAq under way, packets held
    kNegotiating,  // IKEv2 under way, packets held
    kSecured,      // a channel carries it
    kUnsecurable,  // nobody could secure it: dropped (or passed)
};
const char* to_string(FlowState state);

struct Channel {
    core::Ip6Addr local;
    core::Ip6Addr peer;
    std::uint16_t peer_port = 0;
    bool initiator = false;
    std::uint64_t ike_spi_i = 0;
    std::uint64_t ike_spi_r = 0;
    core::Ip6Prefix ts_local;
    core::Ip6Prefix ts_remote;
    core::EspOutboundSa out;
    core::EspInboundSa in;
    core::TimePoint established;
    core::Duration setup_time{0};
    core::Duration discovery_time{0};
    std::uint64_t packets_in = 0, bytes_in = 0;
    std::uint64_t packets_out = 0, bytes_out = 0;
    std::vector<core::Ip6Addr> destinations;  // routed into this channel
    bool peer_route = false;  // NodeIo::route_peer(peer, true) was called
};

struct Flow {
    core::Ip6Addr local;
    core::Ip6Addr remote;
    FlowState state = FlowState::kDiscovering;
    std::uint64_t packets_out = 0;
    std::uint64_t packets_in = 0;
    core::TimePoint last_seen;
};

class Node final : private core::DiscoverySink, private ike::IkeHost {
public:
    // `clock`, `random` and `io` must outlive the Node.
    Node(const core::Clock& clock, ike::Random& random, NodeOptions options,
         NodeIo& io);
    ~Node() override;
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    // A packet the local stack routed into the TUN. It may be held, so
    // the Node copies what it keeps.
    void on_tun_packet(core::Bytes packet);
    // A datagram that arrived on our UDP port `dst_port` (500 or 4500).
    // Decrypts in place, hence mutable.
    void on_udp(const core::Ip6Addr& src, std::uint16_t src_port,
                const core::Ip6Addr& dst, std::uint16_t dst_port,
                core::MutableBytes payload);
    // A DOq, RAq or DOr seen by the packet tap (whole IPv6 packet).
    void on_scout_packet(core::Bytes packet);
    // An ICMPv6 error from `src`, starting at the ICMPv6 header.
    void on_icmp_error(const core::Ip6Addr& src, core::Bytes icmp);

    void on_timer();
    std::optional<core::TimePoint> next_deadline() const;

    // Tells every peer we are going (IKE Delete) and forgets all state.
    void shutdown();

    const NodeStats& stats() const { return stats_; }
    const core::DiscoveryStats& discovery_stats() const;
    const ike::IkeStats& ike_stats() const;
    const std::unordered_map<core::FlowKey, Flow, core::FlowKeyHash>& flows()
        const {
        return flows_;
    }
    // Every channel, newest per peer first in no particular order.
    template <typename F>
    void for_each_channel(F&& f) const {
        for (const auto& [spi, channel] : channels_) f(*channel);
    }

private:
    struct Pending {
        core::Ip6Addr local;
        core::Ip6Addr endpoint;  // known once discovery answered
        FlowState stage = FlowState::kDiscovering;
        core::TimePoint started;
        core::Duration discovery_time{0};
    };

    // Outbound stages.
    bool in_scope(const core::Ip6Addr& a) const;
    bool is_served(const core::Ip6Addr& a) const;
    bool is_known_peer(const core::Ip6Addr& a) const;
    Flow* touch_flow(const core::Ip6Addr& local, const core::Ip6Addr& remote);
    void handle_unsecured(const core::Ip6Addr& src, const core::Ip6Addr& dst,
                          core::Bytes packet);
    void start_securing(const core::Ip6Addr& src, const core::Ip6Addr& dst);
    void initiate_ike(const core::Ip6Addr& dst, Pending& pending);
    void send_esp(Channel& channel, core::Bytes packet);
    void fail_destination(const core::Ip6Addr& dst, const char* reason);
    bool is_negative(const core::Ip6Addr& dst);
    bool take_dor_token();
    void set_flow_state(const core::Ip6Addr& remote, FlowState state);

    // Inbound stages.
    void on_esp(const core::Ip6Addr& src, core::MutableBytes packet,
                std::uint32_t spi);

    // Channels.
    void route_destination(const core::Ip6Addr& dst, Channel& channel);
    void remove_channel(std::uint32_t spi_in);
    void sweep(core::TimePoint now);

    // core::DiscoverySink
    void send_query(core::QueryKind kind, const core::Ip6Addr& src,
                    const core::Ip6Addr& dst) override;
    void on_discovery_done(const core::DiscoveryResult& result) override;

    // ike::IkeHost
    void send_ike(const ike::Endpoint& local, const ike::Endpoint& remote,
                  core::Bytes message) override;
    void on_channel_up(const ike::ChannelEvent& event) override;
    void on_channel_failed(const core::Ip6Addr& local,
                           const core::Ip6Addr& peer,
                           const core::Error& why) override;
    void on_channel_down(const core::Ip6Addr& peer, std::uint32_t spi_in,
                         std::uint32_t spi_out) override;

    const core::Clock& clock_;
    NodeOptions options_;
    NodeIo& io_;
    core::Discovery discovery_;
    ike::IkeEngine ike_;
    core::HoldQueue hold_;

    // spi_in -> channel; owns every channel.
    std::unordered_map<std::uint32_t, std::unique_ptr<Channel>> channels_;
    // destination -> channel that carries it: the one per-packet lookup.
    std::unordered_map<core::Ip6Addr, Channel*, core::Ip6AddrHash> routes_;
    // peer -> newest channel to it, for reuse by a new flow.
    std::unordered_map<core::Ip6Addr, Channel*, core::Ip6AddrHash> by_peer_;
    std::unordered_map<core::Ip6Addr, Pending, core::Ip6AddrHash> pending_;
    std::unordered_map<core::Ip6Addr, core::TimePoint, core::Ip6AddrHash>
        negative_;
    std::unordered_map<core::FlowKey, Flow, core::FlowKeyHash> flows_;
    core::TimePoint next_sweep_;
    double dor_tokens_ = 0;
    core::TimePoint dor_refilled_;

    NodeStats stats_;
    // Output buffers, allocated once: ESP out, IKE with marker, queries.
    std::vector<std::uint8_t> tx_;
    std::array<std::uint8_t, core::kDorBytes> query_{};
};

}  // namespace scout6::cli
