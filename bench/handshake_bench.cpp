// CPU cost of building one channel, in process, with no network and no
// sleeping:
//
//   BM_IkeChannelSetup       two IkeEngines, IKE_SA_INIT + IKE_AUTH from
//                            initiate() to on_channel_up on both sides.
//                            Counters split the CPU between initiator and
//                            responder (thread CPU clock around each call).
//   BM_NodeDiscoveryChannel  two cli::Nodes over bench/bench_net.hpp: the
//                            first packet of a flow, DOq, DOr, IKE_SA_INIT,
//                            IKE_AUTH, ESP SA setup, the held packet
//                            released and delivered.
//
// Engines and Nodes are built fresh for each iteration with the timer
// paused, so every iteration is a first contact with a new peer. The
// randomness is the real CSPRNG (SystemRandom): its cost is part of a
// handshake. Project target: under 1.5 ms of CPU for both sides together.
#include <benchmark/benchmark.h>
#include <time.h>

#include <deque>
#include <stdexcept>
#include <string>

#include "bench/bench_net.hpp"
#include "core/log.hpp"
#include "ike/engine.hpp"

using namespace scout6;

namespace {

constexpr std::uint16_t kIkePort = 500;

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) +
           static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Datagram {
    ike::Endpoint from;
    ike::Endpoint to;
    std::vector<std::uint8_t> bytes;
};

// One IkeEngine and what it reported; datagrams go to a shared queue.
class EngineSide final : public ike::IkeHost {
public:
    EngineSide(const core::Clock& clock, ike::Random& random,
               std::deque<Datagram>& queue, const char* address)
        : address_(bench::addr(address)),
          queue_(queue),
          engine_(clock, random, config(), *this) {}

    void send_ike(const ike::Endpoint& local, const ike::Endpoint& remote,
                  core::Bytes message) override {
        queue_.push_back({local, remote, {message.begin(), message.end()}});
    }
    void on_channel_up(const ike::ChannelEvent&) override { ++ups; }
    void on_channel_failed(const core::Ip6Addr&, const core::Ip6Addr&,
                           const core::Error&) override {
        ++fails;
    }
    void on_channel_down(const core::Ip6Addr&, std::uint32_t,
                         std::uint32_t) override {}

    ike::IkeEngine& engine() { return engine_; }
    const core::Ip6Addr& address() const { return address_; }

    int ups = 0;
    int fails = 0;

private:
    static ike::IkeConfig config() {
        ike::IkeConfig c;
        std::string psk(bench::kBenchPsk);
        c.psk = core::SecretBytes(core::Bytes(
            reinterpret_cast<const std::uint8_t*>(psk.data()), psk.size()));
        return c;
    }

    core::Ip6Addr address_;
    std::deque<Datagram>& queue_;
    ike::IkeEngine engine_;
};

void BM_IkeChannelSetup(benchmark::State& state) {
    spdlog::set_level(spdlog::level::warn);
    core::FakeClock clock;
    ike::SystemRandom random;
    double cpu_initiator = 0;
    double cpu_responder = 0;
    std::size_t messages = 0;

    for (auto _ : state) {
        state.PauseTiming();
        std::deque<Datagram> queue;
        auto a =
            std::make_unique<EngineSide>(clock, random, queue, "fd00:10::1");
        auto b =
            std::make_unique<EngineSide>(clock, random, queue, "fd00:10::2");
        state.ResumeTiming();

        double t0 = thread_cpu_seconds();
        auto started = a->engine().initiate(ike::InitiateRequest{
            a->address(), b->address(), core::Ip6Prefix{a->address(), 128},
            core::Ip6Prefix{b->address(), 128}});
        double t1 = thread_cpu_seconds();
        cpu_initiator += t1 - t0;
        if (!started) {
            state.SkipWithError("initiate failed");
            break;
        }
        while (!queue.empty()) {
            Datagram d = std::move(queue.front());
            queue.pop_front();
            ++messages;
            EngineSide& to = d.to.addr == a->address() ? *a : *b;
            double s0 = thread_cpu_seconds();
            to.engine().on_datagram(d.to, d.from, d.bytes);
            double s1 = thread_cpu_seconds();
            (&to == a.get() ? cpu_initiator : cpu_responder) += s1 - s0;
        }

        state.PauseTiming();
        bool ok = a->ups == 1 && b->ups == 1;
        a.reset();
        b.reset();
        state.ResumeTiming();
        if (!ok) {
            state.SkipWithError("channel did not come up on both sides");
            break;
        }
    }
    auto avg = benchmark::Counter::kAvgIterations;
    state.counters["initiator_us"] =
        benchmark::Counter(cpu_initiator * 1e6, avg);
    state.counters["responder_us"] =
        benchmark::Counter(cpu_responder * 1e6, avg);
    state.counters["messages"] =
        benchmark::Counter(static_cast<double>(messages), avg);
}
BENCHMARK(BM_IkeChannelSetup)->Unit(benchmark::kMicrosecond);

void BM_NodeDiscoveryChannel(benchmark::State& state) {
    spdlog::set_level(spdlog::level::warn);
    const auto h1 = bench::addr("fd00:a::10");
    const auto h2 = bench::addr("fd00:b::20");
    const auto first = bench::make_packet(h1, h2);
    std::size_t delivered = 0;

    for (auto _ : state) {
        state.PauseTiming();
        auto net = std::make_unique<bench::BenchNet>();
        auto& a = net->add({h1}, bench::bench_options({}));
        auto& b = net->add({h2}, bench::bench_options({}));
        state.ResumeTiming();

        a.node->on_tun_packet(first);
        net->run();

        state.PauseTiming();
        bool ok = bench::channel_count(*a.node) == 1 &&
                  bench::channel_count(*b.node) == 1 && b.delivered == 1;
        delivered += b.delivered;
        net.reset();
        state.ResumeTiming();
        if (!ok) {
            state.SkipWithError("no channel, or the first packet was lost");
            break;
        }
    }
    state.counters["first_packets_delivered"] = benchmark::Counter(
        static_cast<double>(delivered), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_NodeDiscoveryChannel)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
