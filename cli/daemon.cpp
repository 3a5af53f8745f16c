// The daemon around a Node: opens the kernel's side of things, runs the
// libuv loop, and takes it all down again.
//
// Start: remove a crashed predecessor's leftovers, open the sockets (UDP
// 500 and 4500, raw sender, ICMPv6 error socket, SCOUT6 packet tap), open
// the TUN, install routes, rule and nftables table, open the control
// socket. Every socket of ours carries the fwmark, so the policy rule
// sends it past the TUN: no loop. Stop (SIGINT, SIGTERM): IKE Delete to
// every peer, close everything, remove what was installed.
#include "cli/daemon.hpp"

#include <uv.h>

#include <cerrno>
#include <csignal>
#include <memory>
#include <optional>
#include <vector>

#include "cli/control.hpp"
#include "cli/node.hpp"
#include "core/log.hpp"
#include "tun/command_runner.hpp"
#include "tun/net_config.hpp"
#include "tun/scout_tap.hpp"
#include "tun/sockets.hpp"
#include "tun/tun_device.hpp"

namespace scout6::cli {

namespace {

// Bounded work per readiness callback, so one busy source cannot starve
// the others or the timers.
constexpr int kBatch = 256;
constexpr std::size_t kRxBytes = 65536;

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;

// The kernel side of a Node. ESP packets to one peer leave in batches:
// consecutive datagrams of one size to one destination are gathered and
// handed to the kernel in one UDP_SEGMENT send (UDP GSO). The daemon
// flushes at the end of every loop callback, so batching adds no delay
// beyond the callback itself.
class KernelIo final : public NodeIo {
public:
    tun::TunDevice* tun = nullptr;
    tun::UdpSocket* udp500 = nullptr;
    tun::UdpSocket* udp4500 = nullptr;
    tun::RawSender* raw = nullptr;
    tun::NetConfig* net = nullptr;
    const tun::NetPlan* plan = nullptr;
    std::uint64_t tun_write_errors = 0;
    std::uint64_t udp_send_errors = 0;
    std::uint64_t raw_send_errors = 0;
    std::uint64_t gso_sends = 0;

    void write_tun(core::Bytes packet) override {
        if (auto s = tun->write(packet); !s) {
            ++tun_write_errors;
            SCOUT6_LOG_EVERY_N_SEC(spdlog::level::warn, 10,
                                   "tun: {}: write failed: {}", tun->name(),
                                   s.error().describe());
        }
    }

    void send_udp(std::uint16_t src_port, const core::Ip6Addr& src,
                  const core::Ip6Addr& dst, std::uint16_t dst_port,
                  core::Bytes payload) override {
        if (!gso_ || src_port != 4500 || payload.empty() ||
            payload.size() > tun::kMaxGsoBytes) {
            flush();
            send_one(src_port, src, dst, dst_port, payload);
            return;
        }
        if (!joins_batch(src, dst, dst_port, payload.size())) {
            flush();
            batch_ = Batch{src, dst, dst_port, payload.size(), 0, 0, false};
        }
        std::copy(payload.begin(), payload.end(),
                  gso_buf_.begin() + static_cast<long>(batch_.bytes));
        batch_.bytes += payload.size();
        ++batch_.count;
        // A shorter datagram can only end a batch (UDP_SEGMENT semantics).
        if (payload.size() < batch_.segment) batch_.closed = true;
    }

    // Sends what send_udp() gathered.
    void flush() {
        if (batch_.count == 0) return;
        Batch b = batch_;
        batch_ = Batch{};
        core::Bytes all(gso_buf_.data(), b.bytes);
        if (b.count == 1) {
            send_one(4500, b.src, b.dst, b.port, all);
            return;
        }
        auto sent = udp4500->send(all, b.src, b.dst, b.port, b.segment);
        if (sent) {
            ++gso_sends;
            return;
        }
        if (sent.error().sys_errno == EIO || sent.error().sys_errno == EINVAL) {
            spdlog::info(
                "net: udp segmentation refused ({}); one datagram "
                "per send from now on",
                sent.error().describe());
            gso_ = false;
        }
        for (std::size_t off = 0; off < b.bytes; off += b.segment)
            send_one(4500, b.src, b.dst, b.port,
                     all.subspan(off, std::min(b.segment, b.bytes - off)));
    }

    void route_peer(const core::Ip6Addr& peer, bool add) override {
        // Not yet: netlink. This runs `ip` and waits for it, a few
        // milliseconds on the loop, once per channel to an out-of-scope
        // peer.
        if (auto s = net->route_host(*plan, peer, add); !s)
            spdlog::warn("net: [{}]: cannot {} the return route: {}",
                         peer.to_string(), add ? "add" : "remove",
                         s.error().describe());
    }

    void send_raw(core::Bytes packet) override {
        if (auto s = raw->send(packet); !s) {
            ++raw_send_errors;
            SCOUT6_LOG_EVERY_N_SEC(spdlog::level::warn, 10,
                                   "net: raw send failed: {}",
                                   s.error().describe());
        }
    }

private:
    struct Batch {
        core::Ip6Addr src, dst;
        std::uint16_t port = 0;
        std::size_t segment = 0;
        std::size_t count = 0;
        std::size_t bytes = 0;
        bool closed = false;
    };

    bool joins_batch(const core::Ip6Addr& src, const core::Ip6Addr& dst,
                     std::uint16_t port, std::size_t size) const {
        return batch_.count > 0 && !batch_.closed && batch_.dst == dst &&
               batch_.src == src && batch_.port == port &&
               size <= batch_.segment && batch_.count < tun::kMaxGsoSegments &&
               batch_.bytes + size <= tun::kMaxGsoBytes;
    }

    void send_one(std::uint16_t src_port, const core::Ip6Addr& src,
                  const core::Ip6Addr& dst, std::uint16_t dst_port,
                  core::Bytes payload) {
        auto* sock = src_port == 500 ? udp500 : udp4500;
        if (auto s = sock->send(payload, src, dst, dst_port); !s) {
            ++udp_send_errors;
            SCOUT6_LOG_EVERY_N_SEC(
                spdlog::level::warn, 10, "net: [{}]:{}: udp send failed: {}",
                dst.to_string(), dst_port, s.error().describe());
        }
    }

    bool gso_ = true;
    Batch batch_;
    std::vector<std::uint8_t> gso_buf_ =
        std::vector<std::uint8_t>(tun::kMaxGsoBytes);
};

NodeOptions node_options(const Config& config) {
    NodeOptions o;
    o.served = config.node.addresses;
    o.scopes = config.scope.protect;
    o.known_peers = config.ike.known_peers;
    o.pass_unsecurable = config.scope.on_unsecurable == OnUnsecurable::kPass;
    o.code_points.doq_option = config.discovery.doq_option;
    o.code_points.dor_option = config.discovery.dor_option;
    o.code_points.router_alert_value = config.discovery.router_alert_value;
    o.discovery.first_timeout = config.discovery.first_timeout;
    o.discovery.backoff_factor = config.discovery.backoff;
    o.discovery.sends_per_phase = config.discovery.sends_per_phase;
    o.discovery.raq_enabled = config.discovery.raq;
    o.discovery.negative_ttl = config.discovery.negative_cache;
    o.discovery.allow_router_modes =
        config.scope.allows(ChannelMode::kHostRouter);
    o.ike.psk = config.ike.psk;
    o.ike.retransmit_timeout = config.ike.retransmit_timeout;
    o.ike.retransmit_tries = config.ike.retransmit_tries;
    o.hold_per_flow = config.dataplane.hold_per_flow;
    o.hold_total = config.dataplane.hold_total;
    o.max_packet_bytes = config.dataplane.tun_mtu;
    return o;
}

tun::NetPlan net_plan(const Config& config) {
    tun::NetPlan plan;
    plan.instance = config.node.name;
    plan.tun_name = config.tun_name();
    plan.route_table = config.dataplane.route_table;
    plan.rule_priority = config.dataplane.rule_priority;
    plan.fwmark = config.dataplane.fwmark;
    plan.scopes = config.scope.protect;
    plan.served = config.node.addresses;
    plan.doq_option = config.discovery.doq_option;
    plan.dor_option = config.discovery.dor_option;
    plan.drop_inbound_cleartext =
        config.scope.on_unsecurable == OnUnsecurable::kDrop;
    return plan;
}

class Daemon {
public:
    Daemon(const Config& config)
        : config_(config), plan_(net_plan(config)), net_(runner_) {}

    int run();

private:
    bool open_kernel_side();
    void poll(uv_poll_t& handle, int fd, uv_poll_cb cb);
    void finish_callback();
    void stop(const char* why);
    std::string status_json();

    static Daemon& self(uv_handle_t* h) {
        return *static_cast<Daemon*>(h->data);
    }
    static void on_tun(uv_poll_t* h, int status, int events);
    static void on_udp(uv_poll_t* h, int status, int events);
    static void on_tap(uv_poll_t* h, int status, int events);
    static void on_icmp(uv_poll_t* h, int status, int events);
    static void on_timer(uv_timer_t* h);
    static void on_signal(uv_signal_t* h, int signum);
    void drain_udp(tun::UdpSocket& sock);

    const Config& config_;
    tun::NetPlan plan_;
    tun::SystemCommandRunner runner_;
    tun::NetConfig net_;
    bool installed_ = false;

    core::SteadyClock clock_;
    ike::SystemRandom random_;
    KernelIo io_;
    std::unique_ptr<Node> node_;
    core::TimePoint started_;

    std::unique_ptr<tun::TunDevice> tun_;
    std::optional<tun::UdpSocket> udp500_, udp4500_;
    std::optional<tun::RawSender> raw_;
    std::optional<tun::IcmpErrorSocket> icmp_;
    std::optional<tun::ScoutTap> tap_;

    uv_loop_t loop_{};
    uv_poll_t tun_poll_{}, udp500_poll_{}, udp4500_poll_{}, tap_poll_{},
        icmp_poll_{};
    uv_timer_t timer_{};
    uv_signal_t sigint_{}, sigterm_{};
    std::unique_ptr<ControlServer> control_;
    bool stopping_ = false;

    std::vector<std::uint8_t> rx_ = std::vector<std::uint8_t>(kRxBytes);
};

// Order matters: nothing may be removed or installed until it is certain
// no other daemon owns it. A live instance of this name answers on its
// control socket; any other daemon in this network namespace holds UDP
// 500 and 4500. Only then are a crashed instance's leftovers removed.
bool Daemon::open_kernel_side() {
    if (control_request(config_.node.control_socket, "status\n",
                        std::chrono::seconds(1))) {
        spdlog::error(
            "scout6: {}: already running (its control socket {} "
            "answers)",
            config_.node.name, config_.node.control_socket);
        return false;
    }

    auto fail = [](const char* what, const core::Error& e) {
        spdlog::error("scout6: cannot open {}: {}", what, e.describe());
        return false;
    };
    auto fwmark = config_.dataplane.fwmark;
    auto u500 = tun::UdpSocket::open(500, fwmark);
    if (!u500) return fail("udp port 500", u500.error());
    udp500_.emplace(std::move(*u500));
    auto u4500 = tun::UdpSocket::open(4500, fwmark);
    if (!u4500) return fail("udp port 4500", u4500.error());
    udp4500_.emplace(std::move(*u4500));
    if (auto gro = udp4500_->enable_gro(); !gro)
        spdlog::info("net: no udp gro: {}", gro.error().describe());
    auto raw = tun::RawSender::open(fwmark);
    if (!raw) return fail("raw ipv6 socket", raw.error());
    raw_.emplace(std::move(*raw));
    auto icmp = tun::IcmpErrorSocket::open();
    if (!icmp) return fail("icmpv6 socket", icmp.error());
    icmp_.emplace(std::move(*icmp));
    auto tap = tun::ScoutTap::open(config_.discovery.doq_option,
                                   config_.discovery.dor_option);
    if (!tap) return fail("packet tap", tap.error());
    tap_.emplace(std::move(*tap));

    if (auto s = net_.cleanup_stale(plan_); !s)
        spdlog::warn("net: cleanup of a previous instance: {}",
                     s.error().describe());
    auto tun = tun::open_tun(config_.tun_name(), config_.dataplane.tun_mtu);
    if (!tun) return fail("tun device", tun.error());
    tun_ = std::move(*tun);

    installed_ = true;  // from here on, remove() on the way out
    if (auto s = net_.install(plan_); !s) {
        spdlog::error("scout6: cannot install routes and firewall: {}",
                      s.error().describe());
        return false;
    }
    io_.tun = tun_.get();
    io_.udp500 = &*udp500_;
    io_.udp4500 = &*udp4500_;
    io_.raw = &*raw_;
    io_.net = &net_;
    io_.plan = &plan_;
    return true;
}

void Daemon::poll(uv_poll_t& handle, int fd, uv_poll_cb cb) {
    uv_poll_init(&loop_, &handle, fd);
    handle.data = this;
    uv_poll_start(&handle, UV_READABLE, cb);
}

int Daemon::run() {
    if (uv_loop_init(&loop_) != 0) {
        spdlog::error("scout6: cannot create the event loop");
        return 1;
    }
    int rc = 0;
    if (!open_kernel_side()) {
        rc = 1;
    } else {
        started_ = clock_.now();
        node_ =
            std::make_unique<Node>(clock_, random_, node_options(config_), io_);
        poll(tun_poll_, tun_->fd(), on_tun);
        poll(udp500_poll_, udp500_->fd(), on_udp);
        poll(udp4500_poll_, udp4500_->fd(), on_udp);
        poll(tap_poll_, tap_->fd(), on_tap);
        poll(icmp_poll_, icmp_->fd(), on_icmp);
        uv_timer_init(&loop_, &timer_);
        timer_.data = this;
        uv_signal_init(&loop_, &sigint_);
        uv_signal_init(&loop_, &sigterm_);
        sigint_.data = sigterm_.data = this;
        uv_signal_start(&sigint_, on_signal, SIGINT);
        uv_signal_start(&sigterm_, on_signal, SIGTERM);

        auto control = ControlServer::start(
            &loop_, config_.node.control_socket,
            [this](std::string_view request) -> std::string {
                if (request == "status") return status_json();
                return R"({"error":"unknown request"})";
            });
        if (!control) {
            spdlog::error("scout6: control socket: {}",
                          control.error().message());
            rc = 1;
            stop("control socket failed");
        } else {
            control_ = std::move(*control);
            spdlog::info(
                "scout6: {}: running: tun={} serving {} address(es), "
                "scope {} prefix(es), control {}",
                config_.node.name, config_.tun_name(),
                config_.node.addresses.size(), config_.scope.protect.size(),
                config_.node.control_socket);
            finish_callback();
        }
        uv_run(&loop_, UV_RUN_DEFAULT);
    }

    // Drain close callbacks, then undo what we installed.
    uv_walk(
        &loop_,
        [](uv_handle_t* h, void*) {
            if (!uv_is_closing(h)) uv_close(h, nullptr);
        },
        nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
    tun_.reset();
    if (installed_) {
        if (auto s = net_.remove(plan_); !s) {
            spdlog::error("scout6: removing routes and firewall: {}",
                          s.error().describe());
            rc = 1;
        }
    }
    spdlog::info("scout6: {}: stopped", config_.node.name);
    return rc;
}

void Daemon::stop(const char* why) {
    if (stopping_) return;
    stopping_ = true;
    spdlog::info("scout6: {}: stopping: {}", config_.node.name, why);
    if (node_) node_->shutdown();
    io_.flush();  // the IKE Deletes
    control_.reset();
    uv_stop(&loop_);
}

// Every loop callback ends here: send the batched datagrams, then arm the
// timer for the earliest protocol deadline.
void Daemon::finish_callback() {
    io_.flush();
    if (stopping_ || !node_) return;
    auto next = node_->next_deadline();
    if (!next) {
        uv_timer_stop(&timer_);
        return;
    }
    auto now = clock_.now();
    std::uint64_t delay =
        *next <= now ? 0
                     : static_cast<std::uint64_t>(
                           duration_cast<milliseconds>(*next - now).count()) +
                           1;
    uv_timer_start(&timer_, on_timer, delay, 0);
}

void Daemon::on_timer(uv_timer_t* h) {
    auto& d = self(reinterpret_cast<uv_handle_t*>(h));
    d.node_->on_timer();
    d.finish_callback();
}

void Daemon::on_signal(uv_signal_t* h, int signum) {
    auto& d = self(reinterpret_cast<uv_handle_t*>(h));
    d.stop(signum == SIGINT ? "SIGINT" : "SIGTERM");
}

void Daemon::on_tun(uv_poll_t* h, int status, int) {
    auto& d = self(reinterpret_cast<uv_handle_t*>(h));
    if (status < 0) return;
    for (int i = 0; i < kBatch; ++i) {
        auto n = d.tun_->read(core::MutableBytes(d.rx_));
        if (!n) {
            if (n.error().sys_errno != EAGAIN)
                SCOUT6_LOG_EVERY_N_SEC(spdlog::level::warn, 10,
                                       "tun: read failed: {}",
                                       n.error().describe());
            break;
        }
        d.node_->on_tun_packet(core::Bytes(d.rx_.data(), *n));
    }
    d.finish_callback();
}

void Daemon::drain_udp(tun::UdpSocket& sock) {
    for (int i = 0; i < kBatch; ++i) {
        auto got = sock.recv(core::MutableBytes(rx_));
        if (!got) {
            SCOUT6_LOG_EVERY_N_SEC(spdlog::level::warn, 10,
                                   "net: udp {} receive failed: {}",
                                   sock.port(), got.error().describe());
            break;
        }
        if (!*got) break;
        // With GRO the buffer holds several datagrams of one flow.
        const auto& dg = **got;
        std::size_t step = dg.segment_size ? dg.segment_size : dg.size;
        for (std::size_t off = 0; off < dg.size; off += step)
            node_->on_udp(dg.src, dg.src_port, dg.dst, sock.port(),
                          core::MutableBytes(rx_.data() + off,
                                             std::min(step, dg.size - off)));
    }
}

void Daemon::on_udp(uv_poll_t* h, int status, int) {
    auto& d = self(reinterpret_cast<uv_handle_t*>(h));
    if (status < 0) return;
    d.drain_udp(h == &d.udp500_poll_ ? *d.udp500_ : *d.udp4500_);
    d.finish_callback();
}

void Daemon::on_tap(uv_poll_t* h, int status, int) {
    auto& d = self(reinterpret_cast<uv_handle_t*>(h));
    if (status < 0) return;
    for (int i = 0; i < kBatch; ++i) {
        auto got = d.tap_->recv(core::MutableBytes(d.rx_));
        if (!got || !*got) break;
        d.node_->on_scout_packet(core::Bytes(d.rx_.data(), (*got)->size));
    }
    d.finish_callback();
}

void Daemon::on_icmp(uv_poll_t* h, int status, int) {
    auto& d = self(reinterpret_cast<uv_handle_t*>(h));
    if (status < 0) return;
    for (int i = 0; i < kBatch; ++i) {
        auto got = d.icmp_->recv(core::MutableBytes(d.rx_));
        if (!got || !*got) break;
        d.node_->on_icmp_error((*got)->src,
                               core::Bytes(d.rx_.data(), (*got)->size));
    }
    d.finish_callback();
}

std::string Daemon::status_json() {
    StatusSnapshot s;
    s.node = config_.node.name;
    auto now = clock_.now();
    s.uptime = duration_cast<milliseconds>(now - started_);

    std::unordered_map<core::Ip6Addr, const Channel*, core::Ip6AddrHash>
        carrier;
    node_->for_each_channel([&](const Channel& ch) {
        ChannelStatus c;
        c.local = ch.local.to_string();
        c.peer = ch.peer.to_string();
        c.mode = "host-host";
        c.initiator = ch.initiator;
        c.spi_in = ch.in.spi();
        c.spi_out = ch.out.spi();
        c.packets_in = ch.packets_in;
        c.packets_out = ch.packets_out;
        c.bytes_in = ch.bytes_in;
        c.bytes_out = ch.bytes_out;
        c.established_ago = duration_cast<milliseconds>(now - ch.established);
        c.setup_time = duration_cast<microseconds>(ch.setup_time);
        c.discovery_time = duration_cast<microseconds>(ch.discovery_time);
        s.channels.push_back(std::move(c));
        for (const auto& dst : ch.destinations) carrier[dst] = &ch;
    });
    for (const auto& [key, flow] : node_->flows()) {
        FlowStatus f;
        f.destination = flow.remote.to_string();
        f.state = to_string(flow.state);
        if (auto it = carrier.find(flow.remote); it != carrier.end()) {
            f.mode = "host-host";
            f.channel_peer = it->second->peer.to_string();
        }
        f.packets_sent = flow.packets_out;
        s.flows.push_back(std::move(f));
    }
    auto& node_counters = s.counters["node"];
    node_->stats().for_each(
        [&](const char* name, std::uint64_t v) { node_counters[name] = v; });
    auto& disc = s.counters["discovery"];
    node_->discovery_stats().for_each(
        [&](const char* name, std::uint64_t v) { disc[name] = v; });
    auto& ike = s.counters["ike"];
    node_->ike_stats().for_each(
        [&](const char* name, std::uint64_t v) { ike[name] = v; });
    auto& io = s.counters["io"];
    io["tun_write_errors"] = io_.tun_write_errors;
    io["udp_send_errors"] = io_.udp_send_errors;
    io["raw_send_errors"] = io_.raw_send_errors;
    io["udp_gso_sends"] = io_.gso_sends;
    io["bugs"] = core::bug_count();
    if (auto fw = net_.read_counters(plan_)) {
        auto& nft = s.counters["firewall"];
        for (const auto& [name, v] : *fw) nft[name] = v;
    }
    return to_json(s);
}

}  // namespace

int run_daemon(const Config& config) {
    if (config.node.role == Role::kRouter) {
        // Not yet: the router role (forwarding for directly linked hosts,
        // answering RAq). A router config is refused rather than run as a
        // host that would not protect the hosts behind it.
        spdlog::error(
            "scout6: {}: role \"router\" is not supported yet; "
            "run scout6 on the hosts",
            config.source);
        return 2;
    }
    Daemon daemon(config);
    return daemon.run();
}

}  // namespace scout6::cli
