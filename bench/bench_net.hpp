// BenchNet: an in-process network for benchmarks of whole cli::Node
// objects. Hosts own one or more addresses; datagrams and raw packets go
// into one FIFO and are handed to the Node that owns the destination
// address until nothing is left to deliver. No loss, no timers fire, no
// kernel: what is left to measure is the Nodes' own CPU and memory.
//
// Unlike the test fake network (tests/cli/node_test.cpp) it keeps no log
// of what crossed it, so memory stays flat however many packets pass, and
// it can be told to discard UDP (send_udp becomes a counter) while a
// benchmark times the outbound packet path alone.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "cli/node.hpp"
#include "core/clock.hpp"
#include "core/ip6.hpp"
#include "ike/crypto_suite.hpp"

namespace scout6::bench {

constexpr std::size_t kIpv6HeaderBytes = 40;  // RFC 8200 §3
constexpr std::size_t kSrcOffset = 8;         // RFC 8200 §3
constexpr std::size_t kDstOffset = 24;        // RFC 8200 §3
constexpr std::uint8_t kNextHeaderNone = 59;  // RFC 8200 §4.7
constexpr const char* kBenchPsk = "bench-psk-0123456789abcdef";

inline core::Ip6Addr addr(const char* text) {
    auto a = core::Ip6Addr::parse(text);
    if (!a) throw std::runtime_error(std::string("bad address ") + text);
    return *a;
}

// fd00:<group>::<index>, for building many distinct addresses.
inline core::Ip6Addr indexed(std::uint16_t group, std::uint32_t index) {
    core::Ip6Addr a = addr("fd00::");
    a.bytes[2] = static_cast<std::uint8_t>(group >> 8);
    a.bytes[3] = static_cast<std::uint8_t>(group);
    a.bytes[12] = static_cast<std::uint8_t>(index >> 24);
    a.bytes[13] = static_cast<std::uint8_t>(index >> 16);
    a.bytes[14] = static_cast<std::uint8_t>(index >> 8);
    a.bytes[15] = static_cast<std::uint8_t>(index);
    return a;
}

// An IPv6 packet with No Next Header and `body` payload bytes.
inline std::vector<std::uint8_t> make_packet(const core::Ip6Addr& src,
                                             const core::Ip6Addr& dst,
                                             std::size_t body = 64) {
    std::vector<std::uint8_t> p(kIpv6HeaderBytes + body, 0xab);
    p[0] = 0x60;
    p[1] = p[2] = p[3] = 0;
    p[4] = static_cast<std::uint8_t>(body >> 8);
    p[5] = static_cast<std::uint8_t>(body);
    p[6] = kNextHeaderNone;
    p[7] = 64;
    std::copy(src.bytes.begin(), src.bytes.end(), p.begin() + kSrcOffset);
    std::copy(dst.bytes.begin(), dst.bytes.end(), p.begin() + kDstOffset);
    return p;
}

inline cli::NodeOptions bench_options(std::vector<core::Ip6Addr> served) {
    cli::NodeOptions o;
    o.served = std::move(served);
    o.scopes = {*core::Ip6Prefix::parse("fd00::/8")};
    auto psk = std::string(kBenchPsk);
    o.ike.psk = core::SecretBytes(core::Bytes(
        reinterpret_cast<const std::uint8_t*>(psk.data()), psk.size()));
    return o;
}

class BenchNet;

class BenchHost final : public cli::NodeIo {
public:
    BenchHost(BenchNet& net, core::Ip6Addr primary)
        : net_(net), primary_(primary) {}

    void write_tun(core::Bytes) override { ++delivered; }
    void send_udp(std::uint16_t src_port, const core::Ip6Addr& src,
                  const core::Ip6Addr& dst, std::uint16_t dst_port,
                  core::Bytes payload) override;
    void send_raw(core::Bytes packet) override;
    // Every address routes to its owner here; nothing to install.
    void route_peer(const core::Ip6Addr&, bool) override {}

    std::uint64_t delivered = 0;
    std::unique_ptr<cli::Node> node;

private:
    BenchNet& net_;
    core::Ip6Addr primary_;
};

class BenchNet {
public:
    struct Wire {
        bool udp = false;
        core::Ip6Addr src, dst;
        std::uint16_t src_port = 0, dst_port = 0;
        std::vector<std::uint8_t> bytes;
    };

    // Makes a host with a Node serving `served` (the first is its primary
    // address); every served address routes to it.
    BenchHost& add(std::vector<core::Ip6Addr> served,
                   cli::NodeOptions options) {
        hosts_.push_back(std::make_unique<BenchHost>(*this, served.at(0)));
        BenchHost& host = *hosts_.back();
        for (const auto& a : served) by_addr_[a] = &host;
        options.served = std::move(served);
        host.node = std::make_unique<cli::Node>(clock, random,
                                                std::move(options), host);
        return host;
    }

    // Destroys a host's Node and forgets its addresses (its memory goes
    // back to the allocator, so what remains is the other side's).
    void remove(BenchHost& host) {
        for (auto it = by_addr_.begin(); it != by_addr_.end();)
            it = it->second == &host ? by_addr_.erase(it) : std::next(it);
        host.node.reset();
    }

    void enqueue(Wire w) { queue_.push_back(std::move(w)); }

    // Delivers until the queue is empty; returns how many were handled.
    std::size_t run() {
        std::size_t n = 0;
        while (!queue_.empty()) {
            Wire w = std::move(queue_.front());
            queue_.pop_front();
            ++n;
            auto it = by_addr_.find(w.dst);
            if (it == by_addr_.end() || !it->second->node) continue;
            cli::Node& node = *it->second->node;
            if (w.udp)
                node.on_udp(w.src, w.src_port, w.dst, w.dst_port,
                            core::MutableBytes(w.bytes));
            else
                node.on_scout_packet(w.bytes);
        }
        queue_.shrink_to_fit();
        return n;
    }

    core::FakeClock clock;
    ike::SystemRandom random;
    // true: UDP output is counted in udp_discarded, not queued.
    bool discard_udp = false;
    std::uint64_t udp_discarded = 0;

private:
    std::vector<std::unique_ptr<BenchHost>> hosts_;
    std::unordered_map<core::Ip6Addr, BenchHost*, core::Ip6AddrHash> by_addr_;
    std::deque<Wire> queue_;
};

inline void BenchHost::send_udp(std::uint16_t src_port,
                                const core::Ip6Addr& src,
                                const core::Ip6Addr& dst,
                                std::uint16_t dst_port, core::Bytes payload) {
    if (net_.discard_udp) {
        ++net_.udp_discarded;
        return;
    }
    net_.enqueue({true, src, dst, src_port, dst_port,
                  std::vector<std::uint8_t>(payload.begin(), payload.end())});
}

inline void BenchHost::send_raw(core::Bytes packet) {
    if (packet.size() < kIpv6HeaderBytes) return;
    net_.enqueue({false, core::Ip6Addr::from_bytes(&packet[kSrcOffset]),
                  core::Ip6Addr::from_bytes(&packet[kDstOffset]), 0, 0,
                  std::vector<std::uint8_t>(packet.begin(), packet.end())});
}

inline std::size_t channel_count(const cli::Node& node) {
    std::size_t n = 0;
    node.for_each_channel([&](const cli::Channel&) { ++n; });
    return n;
}

}  // namespace scout6::bench
