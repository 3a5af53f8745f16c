// libFuzzer target: a whole Node (cli/node.hpp) fed arbitrary TUN packets,
// UDP datagrams on 500 and 4500, SCOUT6 packets, ICMPv6 errors and timer
// events.
//
// Input: frames (fuzz_util.hpp) with the node ops of fuzz_setup.hpp. The
// Node runs with on_unsecurable = drop, so the seeds recorded by seed_gen
// (discovery, IKEv2 and ESP with a real peer) replay to an established
// channel, and the fuzzer mutates from there.
//
// Checked beyond "no crash": no SCOUT6_BUG; every packet the Node hands to
// NodeIo::send_raw() is a SCOUT6 message (anything else is a flow's packet
// leaving in the clear); UDP leaves only from ports 500 and 4500 and never
// carries a TUN packet of this input verbatim.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cli/node.hpp"
#include "core/scout_wire.hpp"
#include "tests/fuzz/fuzz_setup.hpp"
#include "tests/fuzz/fuzz_util.hpp"

using namespace scout6;

namespace {

// Shorter packets could appear inside an IKE message by chance; a 64-byte
// copy cannot.
constexpr std::size_t kLeakCheckMinBytes = 64;

class Io final : public cli::NodeIo {
public:
    explicit Io(const core::CodePoints& cp) : cp_(cp) {}

    void write_tun(core::Bytes) override {}

    void send_udp(std::uint16_t src_port, const core::Ip6Addr&,
                  const core::Ip6Addr&, std::uint16_t,
                  core::Bytes payload) override {
        if (src_port != ike::kIkePort && src_port != ike::kNattPort)
            fuzz::invariant_failed("node: UDP from a port other than 500/4500");
        for (const auto& p : tun_packets) {
            if (std::search(payload.begin(), payload.end(), p.begin(),
                            p.end()) != payload.end())
                fuzz::invariant_failed("node: a TUN packet left in UDP clear");
        }
    }

    void send_raw(core::Bytes packet) override {
        if (!core::parse_scout_packet(cp_, packet))
            fuzz::invariant_failed(
                "node: send_raw carried something other than SCOUT6");
    }

    void route_peer(const core::Ip6Addr&, bool) override {}

    std::vector<std::vector<std::uint8_t>> tun_packets;

private:
    core::CodePoints cp_;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet_logs();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
    fuzz::BugCheck bug_check;
    core::FakeClock clock;
    ike::SeededRandom random(fuzz::kNodeSelfSeed);
    const core::Ip6Addr self = fuzz::node_self();
    const core::Ip6Addr peer = fuzz::node_peer();
    cli::NodeOptions options = fuzz::node_options(self);
    Io io(options.code_points);
    cli::Node node(clock, random, options, io);

    fuzz::FrameReader frames(core::Bytes(data, size));
    fuzz::Frame f;
    std::vector<std::uint8_t> buf;
    while (frames.next(f)) {
        buf.assign(f.data.begin(), f.data.end());
        switch (f.op % fuzz::kNodeOps) {
            case fuzz::kNodeOpTun:
                if (buf.size() >= kLeakCheckMinBytes)
                    io.tun_packets.push_back(buf);
                node.on_tun_packet(buf);
                break;
            case fuzz::kNodeOpUdp500:
                node.on_udp(peer, ike::kIkePort, self, ike::kIkePort, buf);
                break;
            case fuzz::kNodeOpUdp4500:
                node.on_udp(peer, ike::kNattPort, self, ike::kNattPort, buf);
                break;
            case fuzz::kNodeOpScout:
                node.on_scout_packet(buf);
                break;
            case fuzz::kNodeOpIcmp:
                node.on_icmp_error(fuzz::node_stranger(), buf);
                break;
            case fuzz::kNodeOpTimer:
                fuzz::fuzz_advance(clock, node.next_deadline(), f.data);
                node.on_timer();
                break;
            case fuzz::kNodeOpStranger:
                node.on_udp(fuzz::node_stranger(), ike::kNattPort, self,
                            ike::kNattPort, buf);
                break;
        }
    }
    node.shutdown();
    return 0;
}
