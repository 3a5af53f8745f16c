// Test doubles for IkeEngine: a fake network that queues datagrams between
// engines until the test pumps them (and can drop, duplicate or rewrite a
// chosen one), and a host that records what the engine reports.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <vector>

#include "ike/engine.hpp"

namespace scout6::ike::test {

struct Datagram {
    Endpoint from;
    Endpoint to;
    std::vector<std::uint8_t> bytes;

    IkeHeader header() const { return *parse_header(bytes); }
};

class FakeNet;

class RecordingHost final : public IkeHost {
public:
    explicit RecordingHost(FakeNet& net) : net_(net) {}

    void send_ike(const Endpoint& local, const Endpoint& remote,
                  core::Bytes message) override;
    void on_channel_up(const ChannelEvent& ev) override { ups.push_back(ev); }
    void on_channel_failed(const core::Ip6Addr&, const core::Ip6Addr&,
                           const core::Error& why) override {
        fails.push_back(why);
    }
    void on_channel_down(const core::Ip6Addr& peer, std::uint32_t in,
                         std::uint32_t out) override {
        downs.push_back(Down{peer, in, out});
    }

    struct Down {
        core::Ip6Addr peer;
        std::uint32_t spi_in;
        std::uint32_t spi_out;
    };
    std::vector<ChannelEvent> ups;
    std::vector<core::Error> fails;
    std::vector<Down> downs;
    std::vector<Datagram> sent;

private:
    FakeNet& net_;
};

// What to do with a datagram about to be delivered.
enum class Fate { kDeliver, kDrop, kDuplicate, kHold };

class FakeNet {
public:
    void attach(const core::Ip6Addr& addr, IkeEngine& engine) {
        engines_[addr] = &engine;
    }
    void enqueue(Datagram d) { queue.push_back(std::move(d)); }

    void deliver(const Datagram& d) {
        Datagram copy = d;
        if (rewrite) rewrite(copy);
        auto it = engines_.find(copy.to.addr);
        if (it != engines_.end())
            it->second->on_datagram(copy.to, copy.from, copy.bytes);
    }

    // Delivers queued datagrams (and those they cause) until the queue is
    // empty or `max` were handled; `fate` decides each one.
    std::size_t pump(std::function<Fate(const Datagram&)> fate = {},
                     std::size_t max = 100) {
        std::size_t n = 0;
        std::deque<Datagram> held;
        while (!queue.empty() && n < max) {
            Datagram d = std::move(queue.front());
            queue.pop_front();
            ++n;
            Fate f = fate ? fate(d) : Fate::kDeliver;
            if (f == Fate::kDrop) continue;
            if (f == Fate::kHold) {
                held.push_back(std::move(d));
                continue;
            }
            deliver(d);
            if (f == Fate::kDuplicate) deliver(d);
        }
        for (auto& d : held) queue.push_back(std::move(d));
        return n;
    }

    std::deque<Datagram> queue;
    std::function<void(Datagram&)> rewrite;

private:
    std::map<core::Ip6Addr, IkeEngine*> engines_;
};

inline void RecordingHost::send_ike(const Endpoint& local,
                                    const Endpoint& remote,
                                    core::Bytes message) {
    Datagram d{local, remote, {message.begin(), message.end()}};
    sent.push_back(d);
    net_.enqueue(std::move(d));
}

// One engine with its host, on the shared clock and net.
struct Node {
    Node(FakeNet& net, const core::Clock& clock, const char* address,
         const char* psk, std::uint64_t seed, IkeConfig base = {})
        : addr(*core::Ip6Addr::parse(address)),
          random(seed),
          host(net),
          engine(clock, random, with_psk(std::move(base), psk), host) {
        net.attach(addr, engine);
    }

    static IkeConfig with_psk(IkeConfig c, const char* psk) {
        std::string s(psk);
        c.psk = core::SecretBytes(core::Bytes(
            reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
        return c;
    }

    core::Ip6Addr addr;
    SeededRandom random;
    RecordingHost host;
    IkeEngine engine;
};

}  // namespace scout6::ike::test
