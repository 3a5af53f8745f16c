// Memory and per-packet cost of one cli::Node holding many channels and
// flows (project targets: 10,000 channels, 100,000 flows).
//
// How the state is built (no test seam in Node is needed): node A serves
// `locals` addresses fd00:a::1.. and talks over bench/bench_net.hpp to
// ten responder Nodes that together serve `channels` addresses
// fd00:b::1... A sends one packet from its first address to every remote
// address, so each remote goes through the real path: DOq, DOr,
// IKE_SA_INIT, IKE_AUTH, ESP SAs, release of the held packet. That gives
// one channel (and one flow) per remote. The responders are then
// destroyed, so what the allocator still holds is A's alone. Finally A
// sends one packet from each of its other addresses to every remote,
// which adds (locals - 1) flows per channel without new channels; UDP
// output is discarded from here on.
//
// Figures printed:
//   heap   bytes in use by malloc (mallinfo2), the precise figure;
//   RSS    VmRSS from /proc/self/status, what the OS sees (includes
//          allocator slack and pages not returned after free).
// Per-packet cost: on_tun_packet for a hot destination (the same packet
// again and again) and rotating over every flow, for the big node and
// for a small node with 10 channels and 10 flows. Equal hot figures mean
// the lookups are O(1); the rotating figure adds cache misses.
//
// Usage: scale_bench [--channels=N] [--locals=M] [--packets=P]
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <string>
#include <string_view>

#include "bench/bench_net.hpp"
#include "core/log.hpp"

using namespace scout6;

namespace {

constexpr std::size_t kResponders = 10;
constexpr std::size_t kBatch = 500;  // below IkeConfig::max_half_open
constexpr std::uint16_t kLocalGroup = 0xa;
constexpr std::uint16_t kRemoteGroup = 0xb;

struct Args {
    std::size_t channels = 10000;
    std::size_t locals = 10;
    std::size_t packets = 1000000;
};

Args parse_args(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string_view s(argv[i]);
        auto value = [&](std::string_view flag) -> std::size_t {
            return std::strtoull(std::string(s.substr(flag.size())).c_str(),
                                 nullptr, 10);
        };
        if (s.rfind("--channels=", 0) == 0)
            a.channels = value("--channels=");
        else if (s.rfind("--locals=", 0) == 0)
            a.locals = value("--locals=");
        else if (s.rfind("--packets=", 0) == 0)
            a.packets = value("--packets=");
        else {
            std::fprintf(stderr,
                         "usage: scale_bench [--channels=N] [--locals=M] "
                         "[--packets=P]\n");
            std::exit(2);
        }
    }
    if (a.channels == 0 || a.locals == 0 || a.packets == 0) {
        std::fprintf(stderr, "scale_bench: values must be positive\n");
        std::exit(2);
    }
    return a;
}

struct Memory {
    double heap = 0;  // bytes
    double rss = 0;   // bytes
};

Memory memory_now() {
    malloc_trim(0);
    Memory m;
    m.heap = static_cast<double>(mallinfo2().uordblks);
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0)
            m.rss = std::strtod(line.c_str() + 6, nullptr) * 1024.0;
    return m;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
        .count();
}

double thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 +
           static_cast<double>(ts.tv_nsec);
}

[[noreturn]] void die(const std::string& why) {
    std::fprintf(stderr, "scale_bench: FAILED: %s\n", why.c_str());
    std::exit(1);
}

// A node with channels to `channels` remotes and `locals` flows each.
struct Scenario {
    std::unique_ptr<bench::BenchNet> net;
    bench::BenchHost* a = nullptr;
    std::vector<core::Ip6Addr> locals;
    std::vector<core::Ip6Addr> remotes;
    Memory base, both_sides, channels_only, with_flows;
    double build_seconds = 0;
};

Scenario build(std::size_t channels, std::size_t locals, bool verbose) {
    Scenario s;
    s.net = std::make_unique<bench::BenchNet>();
    for (std::size_t i = 0; i < locals; ++i)
        s.locals.push_back(
            bench::indexed(kLocalGroup, static_cast<std::uint32_t>(i + 1)));
    for (std::size_t i = 0; i < channels; ++i)
        s.remotes.push_back(
            bench::indexed(kRemoteGroup, static_cast<std::uint32_t>(i + 1)));

    auto options = bench::bench_options({});
    options.max_flows =
        std::max<std::size_t>(options.max_flows, channels * locals);
    options.ike.max_sas =
        std::max<std::size_t>(options.ike.max_sas, channels + 1);
    s.a = &s.net->add(s.locals, options);
    s.base = memory_now();

    std::vector<bench::BenchHost*> responders;
    std::size_t per = (channels + kResponders - 1) / kResponders;
    for (std::size_t r = 0; r * per < channels; ++r) {
        std::vector<core::Ip6Addr> served(
            s.remotes.begin() + static_cast<std::ptrdiff_t>(r * per),
            s.remotes.begin() +
                static_cast<std::ptrdiff_t>(std::min(channels, (r + 1) * per)));
        auto o = bench::bench_options({});
        o.ike.max_sas = std::max<std::size_t>(o.ike.max_sas, served.size());
        responders.push_back(&s.net->add(std::move(served), o));
    }

    auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < channels; i += kBatch) {
        for (std::size_t j = i; j < std::min(channels, i + kBatch); ++j)
            s.a->node->on_tun_packet(
                bench::make_packet(s.locals[0], s.remotes[j]));
        s.net->run();
    }
    s.build_seconds = seconds_since(t0);

    std::uint64_t delivered = 0;
    for (auto* r : responders) delivered += r->delivered;
    auto built = bench::channel_count(*s.a->node);
    if (built != channels || delivered != channels)
        die("built " + std::to_string(built) + " channels and delivered " +
            std::to_string(delivered) + " first packets, wanted " +
            std::to_string(channels));
    s.both_sides = memory_now();
    for (auto* r : responders) s.net->remove(*r);
    s.channels_only = memory_now();

    s.net->discard_udp = true;
    for (std::size_t l = 1; l < locals; ++l)
        for (const auto& remote : s.remotes)
            s.a->node->on_tun_packet(bench::make_packet(s.locals[l], remote));
    s.with_flows = memory_now();
    if (s.a->node->flows().size() != channels * locals)
        die("have " + std::to_string(s.a->node->flows().size()) +
            " flows, wanted " + std::to_string(channels * locals));
    if (s.a->node->stats().esp_sent != channels * locals)
        die("not every packet left as ESP");
    if (verbose)
        std::printf(
            "built %zu channels in %.1f s (%.0f channel setups/s, "
            "both sides on this one thread)\n",
            channels, s.build_seconds,
            static_cast<double>(channels) / s.build_seconds);
    return s;
}

// Median ns of CPU per on_tun_packet over 7 runs of `count` packets,
// cycling through `packets`.
double per_packet_ns(cli::Node& node,
                     const std::vector<std::vector<std::uint8_t>>& packets,
                     std::size_t count) {
    std::vector<double> runs;
    for (int r = 0; r < 7; ++r) {
        double t0 = thread_cpu_ns();
        std::size_t k = 0;
        for (std::size_t i = 0; i < count; ++i) {
            node.on_tun_packet(packets[k]);
            if (++k == packets.size()) k = 0;
        }
        runs.push_back((thread_cpu_ns() - t0) / static_cast<double>(count));
    }
    std::sort(runs.begin(), runs.end());
    return runs[runs.size() / 2];
}

std::vector<std::vector<std::uint8_t>> all_flows(const Scenario& s) {
    std::vector<std::vector<std::uint8_t>> out;
    out.reserve(s.locals.size() * s.remotes.size());
    // Remote-major order with a stride, so consecutive packets hit
    // unrelated hash buckets.
    for (const auto& remote : s.remotes)
        for (const auto& local : s.locals)
            out.push_back(bench::make_packet(local, remote));
    std::size_t n = out.size();
    std::vector<std::vector<std::uint8_t>> shuffled;
    shuffled.reserve(n);
    std::size_t stride = 7919;  // a prime: visits every index once
    while (std::gcd(stride, n) != 1) ++stride;
    for (std::size_t i = 0, k = 0; i < n; ++i, k = (k + stride) % n)
        shuffled.push_back(out[k]);
    return shuffled;
}

}  // namespace

int main(int argc, char** argv) {
    Args args = parse_args(argc, argv);
    spdlog::set_level(spdlog::level::warn);

    std::printf(
        "scale_bench: %zu channels x %zu local addresses = %zu "
        "flows in one cli::Node\n",
        args.channels, args.locals, args.channels * args.locals);
    Scenario big = build(args.channels, args.locals, true);
    const double nch = static_cast<double>(args.channels);
    const double nflows_extra =
        static_cast<double>(args.channels * (args.locals - 1));
    auto mib = [](double b) { return b / (1024.0 * 1024.0); };

    std::printf("\nmemory (heap = malloc in use, RSS = VmRSS)\n");
    std::printf("  %-44s %10s %10s\n", "", "heap MiB", "RSS MiB");
    std::printf("  %-44s %10.1f %10.1f\n", "node A alone, empty",
                mib(big.base.heap), mib(big.base.rss));
    std::printf("  %-44s %10.1f %10.1f\n", "A + responders, channels up",
                mib(big.both_sides.heap), mib(big.both_sides.rss));
    std::printf("  %-44s %10.1f %10.1f\n", "A alone, channels up (1 flow each)",
                mib(big.channels_only.heap), mib(big.channels_only.rss));
    std::printf("  %-44s %10.1f %10.1f\n", "A alone, channels + all flows",
                mib(big.with_flows.heap), mib(big.with_flows.rss));

    double flow_heap =
        args.locals > 1
            ? (big.with_flows.heap - big.channels_only.heap) / nflows_extra
            : 0;
    double flow_rss =
        args.locals > 1
            ? (big.with_flows.rss - big.channels_only.rss) / nflows_extra
            : 0;
    double chan_heap = (big.channels_only.heap - big.base.heap) / nch;
    double chan_rss = (big.channels_only.rss - big.base.rss) / nch;
    std::printf(
        "\n  per channel, incl. its IKE SA, route and first flow: "
        "%.0f B heap, %.0f B RSS\n",
        chan_heap, chan_rss);
    if (args.locals > 1)
        std::printf(
            "  per additional flow:                                "
            "%.0f B heap, %.0f B RSS\n",
            flow_heap, flow_rss);
    std::printf(
        "  total for %zu channels + %zu flows:                 "
        "%.1f MiB heap, %.1f MiB RSS\n",
        args.channels, args.channels * args.locals,
        mib(big.with_flows.heap - big.base.heap),
        mib(big.with_flows.rss - big.base.rss));

    Scenario small = build(10, 1, false);
    small.net->discard_udp = true;

    auto hot_big = std::vector<std::vector<std::uint8_t>>{
        bench::make_packet(big.locals[0], big.remotes[args.channels / 2])};
    auto hot_small = std::vector<std::vector<std::uint8_t>>{
        bench::make_packet(small.locals[0], small.remotes[5])};
    auto rot_big = all_flows(big);
    auto rot_small = all_flows(small);

    double hb = per_packet_ns(*big.a->node, hot_big, args.packets);
    double hs = per_packet_ns(*small.a->node, hot_small, args.packets);
    double rb = per_packet_ns(*big.a->node, rot_big, args.packets);
    double rs = per_packet_ns(*small.a->node, rot_small, args.packets);

    std::printf(
        "\non_tun_packet CPU per packet (64-byte payload, ESP seal "
        "included; median of 7 x %zu)\n",
        args.packets);
    std::printf("  %-34s %12s %12s %8s\n", "", "big node", "10 flows", "ratio");
    std::printf("  %-34s %9.0f ns %9.0f ns %8.2f\n", "hot destination", hb, hs,
                hb / hs);
    std::printf("  %-34s %9.0f ns %9.0f ns %8.2f\n", "rotating over every flow",
                rb, rs, rb / rs);
    std::printf("  (big node: %zu channels, %zu flows)\n", args.channels,
                big.a->node->flows().size());
    if (big.a->node->stats().esp_seal_failed ||
        small.a->node->stats().esp_seal_failed)
        die("esp seal failures during timing");
    return 0;
}
