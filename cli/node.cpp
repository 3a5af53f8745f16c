// The packet path of one SCOUT6 host.
//
// Outbound, a packet the kernel routed into the TUN:
//   1. check it is a whole IPv6 packet from one of our addresses to a
//      unicast destination in the protected scope;
//   2. look the destination up in routes_: a channel carries it, so seal
//      it as ESP (tunnel mode) and send it in UDP to the peer's 4500;
//   3. otherwise hold it and start securing the destination: discovery
//      (DOq, then RAq), or IKE at once for a configured known peer;
//   4. discovery answered: IKE_SA_INIT + IKE_AUTH to the DOr source, or
//      reuse a channel already up to it;
//   5. channel up: route the destination into it and release what was
//      held, in order. Nobody could secure it: drop (or, only with
//      on_unsecurable = "pass", send it in the clear) and remember the
//      verdict for a while so the next packet does not probe again.
//
// Inbound, a datagram on UDP 500 or 4500:
//   1. 500, or 4500 with the non-ESP marker: IKE, to the engine;
//   2. 4500 otherwise: ESP; find the SA by SPI, verify and decrypt in
//      place, check the inner packet is IPv6 inside the channel's traffic
//      selectors, then hand it to the local stack through the TUN.
//
// A SCOUT6 query for one of our addresses is answered with a DOr; a DOr
// or an ICMPv6 Parameter Problem goes to discovery.
#include "cli/node.hpp"

#include <algorithm>

#include "core/bytes.hpp"
#include "core/log.hpp"
#include "core/udp_encap.hpp"

namespace scout6::cli {

namespace {

constexpr std::size_t kIpv6HeaderBytes = 40;     // RFC 8200 §3
constexpr std::size_t kPayloadLengthOffset = 4;  // RFC 8200 §3
constexpr std::size_t kSrcOffset = 8;
constexpr std::size_t kDstOffset = 24;
constexpr std::uint16_t kIkePort = 500;
constexpr std::uint16_t kNattPort = 4500;
// Room for the largest IKE message or ESP packet we build.
constexpr std::size_t kTxBytes = 65536 + 256;
constexpr auto kSweepInterval = std::chrono::seconds(10);

struct Ip6Header {
    core::Ip6Addr src;
    core::Ip6Addr dst;
    std::size_t total = 0;  // header + payload length field
};

// The first checks of any packet, inner or outer: version 6, a whole
// header, and a payload length that fits what we got (RFC 8200 §3).
// Trailing bytes beyond the declared length are cut off by the caller.
std::optional<Ip6Header> parse_ip6_header(core::Bytes packet) {
    if (packet.size() < kIpv6HeaderBytes || (packet[0] >> 4) != 6)
        return std::nullopt;
    core::ByteReader r(packet.subspan(kPayloadLengthOffset));
    std::uint16_t payload_len = 0;
    if (!r.read_u16(payload_len)) return std::nullopt;
    Ip6Header h;
    h.total = kIpv6HeaderBytes + payload_len;
    if (h.total > packet.size()) return std::nullopt;
    h.src = core::Ip6Addr::from_bytes(&packet[kSrcOffset]);
    h.dst = core::Ip6Addr::from_bytes(&packet[kDstOffset]);
    return h;
}

core::Ip6Prefix host_prefix(const core::Ip6Addr& a) {
    return core::Ip6Prefix{a, 128};
}

}  // namespace

const char* to_string(FlowState state) {
    switch (state) {
        case FlowState::kDiscovering:
            return "discovering";
        case FlowState::kNegotiating:
            return "negotiating";
        case FlowState::kSecured:
            return "secured";
        case FlowState::kUnsecurable:
            return "unsecurable";
    }
    return "unknown";
}

Node::Node(const core::Clock& clock, ike::Random& random, NodeOptions options,
           NodeIo& io)
    : clock_(clock),
      options_(std::move(options)),
      io_(io),
      discovery_(clock, options_.discovery, *this),
      ike_(clock, random, options_.ike, *this),
      hold_(options_.hold_total, options_.hold_per_flow,
            options_.max_packet_bytes),
      next_sweep_(clock.now() + kSweepInterval),
      dor_tokens_(options_.dor_rate),
      dor_refilled_(clock.now()),
      tx_(kTxBytes) {}

Node::~Node() = default;

const core::DiscoveryStats& Node::discovery_stats() const {
    return discovery_.stats();
}

const ike::IkeStats& Node::ike_stats() const {
    return ike_.stats();
}

bool Node::in_scope(const core::Ip6Addr& a) const {
    return std::any_of(options_.scopes.begin(), options_.scopes.end(),
                       [&](const core::Ip6Prefix& p) { return p.contains(a); });
}

bool Node::is_served(const core::Ip6Addr& a) const {
    return std::find(options_.served.begin(), options_.served.end(), a) !=
           options_.served.end();
}

bool Node::is_known_peer(const core::Ip6Addr& a) const {
    return std::find(options_.known_peers.begin(), options_.known_peers.end(),
                     a) != options_.known_peers.end();
}

// ---- Outbound ------------------------------------------------------------

void Node::on_tun_packet(core::Bytes packet) {
    ++stats_.tun_packets;
    auto header = parse_ip6_header(packet);
    if (!header) {
        ++stats_.tun_malformed;
        return;
    }
    packet = packet.first(header->total);
    if (header->dst.is_multicast() || header->dst.is_link_local()) {
        ++stats_.tun_not_unicast;
        return;
    }
    // A host secures only its own traffic; forwarding for others is the
    // router role, which this Node does not play.
    if (!is_served(header->src)) {
        ++stats_.tun_foreign_source;
        return;
    }

    // A channel may also carry a peer outside our scope that built it to
    // us: its route is checked before the scope.
    auto route = routes_.find(header->dst);
    if (route != routes_.end()) {
        if (Flow* flow = touch_flow(header->src, header->dst))
            ++flow->packets_out;
        send_esp(*route->second, packet);
        return;
    }
    if (!in_scope(header->dst)) {
        ++stats_.tun_out_of_scope;
        return;
    }
    touch_flow(header->src, header->dst);
    handle_unsecured(header->src, header->dst, packet);
}

Flow* Node::touch_flow(const core::Ip6Addr& local,
                       const core::Ip6Addr& remote) {
    auto key = core::FlowKey::of(local, remote);
    auto it = flows_.find(key);
    if (it == flows_.end()) {
        if (flows_.size() >= options_.max_flows) {
            ++stats_.flow_table_full;
            return nullptr;
        }
        Flow flow;
        flow.local = local;
        flow.remote = remote;
        flow.state = routes_.count(remote) ? FlowState::kSecured
                                           : FlowState::kDiscovering;
        it = flows_.emplace(key, flow).first;
    }
    it->second.last_seen = clock_.now();
    return &it->second;
}

void Node::set_flow_state(const core::Ip6Addr& remote, FlowState state) {
    // Flows are few per destination on a host (one per local address).
    for (const auto& local : options_.served) {
        auto it = flows_.find(core::FlowKey::of(local, remote));
        if (it != flows_.end()) it->second.state = state;
    }
}

bool Node::is_negative(const core::Ip6Addr& dst) {
    auto it = negative_.find(dst);
    if (it == negative_.end()) return false;
    if (it->second <= clock_.now()) {
        negative_.erase(it);
        return false;
    }
    return true;
}

void Node::handle_unsecured(const core::Ip6Addr& src, const core::Ip6Addr& dst,
                            core::Bytes packet) {
    if (is_negative(dst)) {
        if (options_.pass_unsecurable) {
            ++stats_.unsecurable_passed;
            io_.send_raw(packet);
        } else {
            ++stats_.unsecurable_dropped;
        }
        return;
    }

    auto held = hold_.hold(dst, packet);
    if (held == core::HoldQueue::HoldResult::kHeld) {
        ++stats_.held;
    } else {
        ++stats_.hold_overflow;
        SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 5,
                               "node: {}: hold dropped a packet: {}",
                               dst.to_string(), core::to_string(held));
    }
    if (!pending_.count(dst)) start_securing(src, dst);
}

void Node::start_securing(const core::Ip6Addr& src, const core::Ip6Addr& dst) {
    Pending& pending = pending_[dst];
    pending.local = src;
    pending.started = clock_.now();

    if (is_known_peer(dst)) {
        spdlog::info("node: {}: known IKEv2 peer, no discovery",
                     dst.to_string());
        pending.endpoint = dst;
        initiate_ike(dst, pending);
        return;
    }

    pending.stage = FlowState::kDiscovering;
    set_flow_state(dst, FlowState::kDiscovering);
    switch (discovery_.start(src, dst)) {
        case core::Discovery::StartResult::kStarted:
        case core::Discovery::StartResult::kAlreadyRunning:
            return;
        case core::Discovery::StartResult::kNegativeCached:
            fail_destination(dst, "negative answer cached");
            return;
        case core::Discovery::StartResult::kTooMany:
            // Load, not a verdict on the destination: drop what is held
            // and let its next packet try again.
            pending_.erase(dst);
            stats_.discovery_busy_dropped += hold_.drop(dst);
            SCOUT6_LOG_EVERY_N_SEC(spdlog::level::warn, 10,
                                   "node: too many discoveries under way; "
                                   "dropping packets to new destinations");
            return;
    }
}

void Node::initiate_ike(const core::Ip6Addr& dst, Pending& pending) {
    pending.stage = FlowState::kNegotiating;
    set_flow_state(dst, FlowState::kNegotiating);

    // A channel to this endpoint already exists: reuse it (SPEC §4,
    // Channels), as long as its selectors cover the new destination.
    auto peer = by_peer_.find(pending.endpoint);
    if (peer != by_peer_.end() && peer->second->ts_remote.contains(dst)) {
        route_destination(dst, *peer->second);
        return;
    }

    ike::InitiateRequest request;
    request.local = pending.local;
    request.remote = pending.endpoint;
    request.ts_local = host_prefix(pending.local);
    request.ts_remote = host_prefix(dst);
    auto started = ike_.initiate(request);
    if (!started) fail_destination(dst, started.error().detail);
}

void Node::send_esp(Channel& channel, core::Bytes packet) {
    auto sealed = channel.out.seal(core::kNextHeaderIpv6, packet,
                                   core::MutableBytes(tx_));
    if (!sealed) {
        // Not yet: rekeying. A channel that used up its 2^32 sequence
        // numbers stops carrying traffic until the peer or a restart
        // replaces it; its packets are dropped and counted here.
        ++stats_.esp_seal_failed;
        SCOUT6_LOG_EVERY_N_SEC(
            spdlog::level::warn, 10, "node: {}: esp seal failed: {}",
            channel.peer.to_string(), sealed.error().describe());
        return;
    }
    ++stats_.esp_sent;
    ++channel.packets_out;
    channel.bytes_out += packet.size();
    io_.send_udp(kNattPort, channel.local, channel.peer, channel.peer_port,
                 core::Bytes(tx_.data(), *sealed));
}

void Node::fail_destination(const core::Ip6Addr& dst, const char* reason) {
    pending_.erase(dst);
    negative_[dst] = clock_.now() + options_.discovery.negative_ttl;
    set_flow_state(dst, FlowState::kUnsecurable);

    std::size_t count = 0;
    if (options_.pass_unsecurable) {
        count = hold_.release(dst, [&](core::Bytes p) { io_.send_raw(p); });
        stats_.unsecurable_passed += count;
    } else {
        count = hold_.drop(dst);
        stats_.unsecurable_dropped += count;
    }
    // A flood of flows to unreachable destinations must not flood the log;
    // the counters keep the full story.
    SCOUT6_LOG_EVERY_N_SEC(
        spdlog::level::info, 1,
        "node: {}: cannot secure: {}; {} held packets {}", dst.to_string(),
        reason, count,
        options_.pass_unsecurable ? "sent in the clear" : "dropped");
}

// ---- Inbound -------------------------------------------------------------

void Node::on_udp(const core::Ip6Addr& src, std::uint16_t src_port,
                  const core::Ip6Addr& dst, std::uint16_t dst_port,
                  core::MutableBytes payload) {
    if (dst_port == kIkePort) {
        ike_.on_datagram({dst, dst_port}, {src, src_port}, payload);
        return;
    }
    auto classified = core::classify_udp4500(payload);
    switch (classified.kind) {
        case core::UdpKind::kIke:
            ike_.on_datagram({dst, dst_port}, {src, src_port}, classified.body);
            return;
        case core::UdpKind::kEsp:
            on_esp(src, payload, classified.spi);
            return;
        case core::UdpKind::kKeepalive:
            ++stats_.udp_keepalive;
            return;
        case core::UdpKind::kInvalid:
            ++stats_.udp_invalid;
            return;
    }
}

void Node::on_esp(const core::Ip6Addr& src, core::MutableBytes packet,
                  std::uint32_t spi) {
    ++stats_.esp_received;
    auto it = channels_.find(spi);
    if (it == channels_.end()) {
        ++stats_.esp_unknown_spi;
        SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 5,
                               "node: [{}]: esp for unknown spi {:08x}",
                               src.to_string(), spi);
        return;
    }
    Channel& channel = *it->second;
    auto opened = channel.in.open(packet);
    if (!opened) {
        ++stats_.esp_open_failed;
        SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 5,
                               "node: [{}]: esp spi {:08x} dropped: {}",
                               src.to_string(), spi, opened.error().describe());
        return;
    }
    if (opened->next_header == core::kNextHeaderNone) return;  // dummy
    if (opened->next_header != core::kNextHeaderIpv6) {
        ++stats_.esp_inner_not_ipv6;
        return;
    }

    // Inner checks after decryption (RFC 4301 §5.2): a peer may only send
    // what its traffic selectors allow, whatever the key says.
    auto inner = opened->payload;
    auto header = parse_ip6_header(inner);
    if (!header) {
        ++stats_.esp_inner_malformed;
        return;
    }
    if (!channel.ts_remote.contains(header->src) ||
        !channel.ts_local.contains(header->dst)) {
        ++stats_.esp_inner_outside_ts;
        SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 5,
                               "node: [{}]: inner {} -> {} outside selectors",
                               src.to_string(), header->src.to_string(),
                               header->dst.to_string());
        return;
    }
    ++channel.packets_in;
    channel.bytes_in += header->total;
    auto flow = flows_.find(core::FlowKey::of(header->src, header->dst));
    if (flow != flows_.end()) ++flow->second.packets_in;
    io_.write_tun(inner.first(header->total));
}

void Node::on_scout_packet(core::Bytes packet) {
    auto msg = core::parse_scout_packet(options_.code_points, packet);
    if (!msg) {
        ++stats_.scout_malformed;
        SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 5,
                               "node: malformed scout6 packet: {}",
                               msg.error().describe());
        return;
    }
    switch (msg->kind) {
        case core::ScoutMessage::Kind::kDoq: {
            auto answer = core::answer_doq(*msg, is_served(msg->dst));
            if (!answer) {
                ++stats_.doq_not_served;
                return;
            }
            if (!take_dor_token()) {
                ++stats_.doq_rate_limited;
                return;
            }
            auto size = core::serialize_dor(options_.code_points, answer->src,
                                            answer->dst, options_.hop_limit,
                                            answer->mask, answer->queried,
                                            core::MutableBytes(query_));
            if (!size) {
                SCOUT6_BUG("node-001", "dor serialize failed: {}",
                           size.error().describe());
                return;
            }
            ++stats_.doq_answered;
            spdlog::debug("node: [{}]: answered doq", msg->src.to_string());
            io_.send_raw(core::Bytes(query_.data(), *size));
            return;
        }
        case core::ScoutMessage::Kind::kDor:
            discovery_.on_dor(*msg);
            return;
        case core::ScoutMessage::Kind::kRaq:
            ++stats_.raq_ignored;
            return;
    }
}

// A token bucket of options_.dor_rate tokens a second, as deep as one
// second's worth.
bool Node::take_dor_token() {
    auto now = clock_.now();
    double elapsed = std::chrono::duration<double>(now - dor_refilled_).count();
    dor_refilled_ = now;
    dor_tokens_ =
        std::min(options_.dor_rate, dor_tokens_ + elapsed * options_.dor_rate);
    if (dor_tokens_ < 1) return false;
    dor_tokens_ -= 1;
    return true;
}

void Node::on_icmp_error(const core::Ip6Addr& src, core::Bytes icmp) {
    auto pp = core::parse_param_problem(options_.code_points, src, icmp);
    if (!pp) {
        ++stats_.icmp_not_ours;
        return;
    }
    discovery_.on_param_problem(*pp);
}

// ---- Discovery -----------------------------------------------------------

void Node::send_query(core::QueryKind kind, const core::Ip6Addr& src,
                      const core::Ip6Addr& dst) {
    auto out = core::MutableBytes(query_);
    auto size = kind == core::QueryKind::kDoq
                    ? core::serialize_doq(options_.code_points, src, dst,
                                          options_.hop_limit, out)
                    : core::serialize_raq(options_.code_points, src, dst,
                                          options_.hop_limit, out);
    if (!size) {
        SCOUT6_BUG("node-002", "query serialize failed: {}",
                   size.error().describe());
        return;
    }
    io_.send_raw(core::Bytes(query_.data(), *size));
}

void Node::on_discovery_done(const core::DiscoveryResult& result) {
    auto it = pending_.find(result.destination);
    if (it == pending_.end()) return;  // secured meanwhile (peer initiated)
    Pending& pending = it->second;
    pending.discovery_time = result.elapsed;

    spdlog::info(
        "node: {}: discovery {} endpoint={} in {:.3f} ms",
        result.destination.to_string(), core::to_string(result.outcome),
        result.endpoint.to_string(),
        std::chrono::duration<double, std::milli>(result.elapsed).count());
    if (!core::is_success(result.outcome)) {
        fail_destination(result.destination, core::to_string(result.outcome));
        return;
    }
    pending.endpoint = result.endpoint;
    initiate_ike(result.destination, pending);
}

// ---- IKE -----------------------------------------------------------------

void Node::send_ike(const ike::Endpoint& local, const ike::Endpoint& remote,
                    core::Bytes message) {
    if (local.port != kNattPort) {
        io_.send_udp(local.port, local.addr, remote.addr, remote.port, message);
        return;
    }
    // RFC 3948 §2.2: IKE on 4500 starts with four zero bytes.
    if (message.size() + core::kNonEspMarkerBytes > tx_.size()) {
        SCOUT6_BUG("node-003", "ike message of {} bytes", message.size());
        return;
    }
    std::fill_n(tx_.begin(), core::kNonEspMarkerBytes, 0);
    std::copy(message.begin(), message.end(),
              tx_.begin() + core::kNonEspMarkerBytes);
    io_.send_udp(
        local.port, local.addr, remote.addr, remote.port,
        core::Bytes(tx_.data(), message.size() + core::kNonEspMarkerBytes));
}

void Node::on_channel_up(const ike::ChannelEvent& event) {
    auto out = core::EspOutboundSa::create(event.child.spi_out,
                                           event.child.keymat_out.view());
    auto in = core::EspInboundSa::create(event.child.spi_in,
                                         event.child.keymat_in.view());
    if (!out || !in) {
        // The IKE SA is up but we cannot use its keys: the flows waiting
        // for it fail like any other channel failure.
        const auto& why = !out ? out.error() : in.error();
        spdlog::warn("node: [{}]: esp sa setup failed: {}",
                     event.peer.to_string(), why.describe());
        on_channel_failed(event.local, event.peer, why);
        return;
    }
    auto channel = std::make_unique<Channel>(Channel{event.local,
                                                     event.peer,
                                                     event.peer_port,
                                                     event.initiator,
                                                     event.spi_i,
                                                     event.spi_r,
                                                     event.child.ts_local,
                                                     event.child.ts_remote,
                                                     std::move(*out),
                                                     std::move(*in),
                                                     clock_.now(),
                                                     event.setup_time,
                                                     core::Duration{0},
                                                     0,
                                                     0,
                                                     0,
                                                     0,
                                                     {}});
    Channel& ch = *channel;
    channels_[event.child.spi_in] = std::move(channel);
    by_peer_[event.peer] = &ch;
    ++stats_.channels_up;
    spdlog::info(
        "node: [{}]: channel up as {} spi_in={:08x} spi_out={:08x} "
        "setup={:.3f} ms ts={} <-> {}",
        event.peer.to_string(), event.initiator ? "initiator" : "responder",
        event.child.spi_in, event.child.spi_out,
        std::chrono::duration<double, std::milli>(event.setup_time).count(),
        ch.ts_local.to_string(), ch.ts_remote.to_string());

    // The peer's own address, when its selector names it alone: this is
    // how the responder side learns the way back (SPEC §4, return traffic
    // follows the same channel). Outside our scope the kernel would not
    // send that traffic to the TUN, so ask for a route.
    if (ch.ts_remote.length == 128) {
        if (!in_scope(ch.ts_remote.addr)) {
            io_.route_peer(ch.ts_remote.addr, true);
            ch.peer_route = true;
        }
        route_destination(ch.ts_remote.addr, ch);
    }

    // Destinations that waited for this endpoint.
    std::vector<core::Ip6Addr> waiting;
    for (const auto& [dst, pending] : pending_)
        if (pending.endpoint == event.peer || dst == event.peer)
            waiting.push_back(dst);
    for (const auto& dst : waiting) {
        if (ch.ts_remote.contains(dst)) {
            ch.discovery_time = pending_[dst].discovery_time;
            route_destination(dst, ch);
        } else {
            fail_destination(dst, "channel selectors do not cover it");
        }
    }
}

void Node::route_destination(const core::Ip6Addr& dst, Channel& channel) {
    routes_[dst] = &channel;
    if (std::find(channel.destinations.begin(), channel.destinations.end(),
                  dst) == channel.destinations.end())
        channel.destinations.push_back(dst);
    negative_.erase(dst);
    set_flow_state(dst, FlowState::kSecured);

    auto pending = pending_.find(dst);
    if (pending != pending_.end()) {
        if (channel.discovery_time == core::Duration{0})
            channel.discovery_time = pending->second.discovery_time;
        pending_.erase(pending);
    }
    std::size_t released = hold_.release(dst, [&](core::Bytes packet) {
        // Held packets passed on_tun_packet's checks: a whole header.
        auto src = core::Ip6Addr::from_bytes(&packet[kSrcOffset]);
        auto flow = flows_.find(core::FlowKey::of(src, dst));
        if (flow != flows_.end()) ++flow->second.packets_out;
        send_esp(channel, packet);
    });
    stats_.released += released;
    if (released)
        spdlog::debug("node: {}: released {} held packets", dst.to_string(),
                      released);
}

void Node::on_channel_failed(const core::Ip6Addr& local,
                             const core::Ip6Addr& peer,
                             const core::Error& why) {
    ++stats_.channels_failed;
    spdlog::info("node: [{}]: channel from {} failed: {}", peer.to_string(),
                 local.to_string(), why.describe());
    std::vector<core::Ip6Addr> waiting;
    for (const auto& [dst, pending] : pending_)
        if (pending.endpoint == peer &&
            pending.stage == FlowState::kNegotiating)
            waiting.push_back(dst);
    for (const auto& dst : waiting) fail_destination(dst, why.detail);
}

void Node::on_channel_down(const core::Ip6Addr& peer, std::uint32_t spi_in,
                           std::uint32_t spi_out) {
    ++stats_.channels_down;
    spdlog::info("node: [{}]: channel down spi_in={:08x} spi_out={:08x}",
                 peer.to_string(), spi_in, spi_out);
    remove_channel(spi_in);
}

void Node::remove_channel(std::uint32_t spi_in) {
    auto it = channels_.find(spi_in);
    if (it == channels_.end()) return;
    Channel* gone = it->second.get();

    // Another channel to the same peer (both sides initiated at once)
    // takes over its destinations; otherwise the next packet of each
    // flow starts discovery again.
    Channel* successor = nullptr;
    for (auto& [spi, other] : channels_)
        if (other.get() != gone && other->peer == gone->peer)
            successor = other.get();
    for (const auto& dst : gone->destinations) {
        auto route = routes_.find(dst);
        if (route == routes_.end() || route->second != gone) continue;
        if (successor && successor->ts_remote.contains(dst)) {
            route->second = successor;
            successor->destinations.push_back(dst);
        } else {
            routes_.erase(route);
            set_flow_state(dst, FlowState::kDiscovering);
        }
    }
    if (gone->peer_route) {
        if (successor)
            successor->peer_route = true;  // the kernel route stays
        else
            io_.route_peer(gone->ts_remote.addr, false);
    }
    auto peer = by_peer_.find(gone->peer);
    if (peer != by_peer_.end() && peer->second == gone) {
        if (successor)
            peer->second = successor;
        else
            by_peer_.erase(peer);
    }
    channels_.erase(it);
}

// ---- Timers --------------------------------------------------------------

void Node::on_timer() {
    discovery_.on_timer();
    ike_.on_timer();
    auto now = clock_.now();
    if (now >= next_sweep_) {
        sweep(now);
        next_sweep_ = now + kSweepInterval;
    }
}

void Node::sweep(core::TimePoint now) {
    for (auto it = negative_.begin(); it != negative_.end();)
        it = it->second <= now ? negative_.erase(it) : std::next(it);
    for (auto it = flows_.begin(); it != flows_.end();)
        it = it->second.last_seen + options_.flow_idle_timeout <= now
                 ? flows_.erase(it)
                 : std::next(it);
}

std::optional<core::TimePoint> Node::next_deadline() const {
    core::TimePoint next = next_sweep_;
    if (auto d = discovery_.next_deadline()) next = std::min(next, *d);
    if (auto i = ike_.next_deadline()) next = std::min(next, *i);
    return next;
}

void Node::shutdown() {
    ike_.shutdown();
    for (const auto& [dst, pending] : pending_) hold_.drop(dst);
    pending_.clear();
    routes_.clear();
    by_peer_.clear();
    channels_.clear();
}

}  // namespace scout6::cli
