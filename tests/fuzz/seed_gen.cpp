// Writes the seed corpora of every fuzz target from real messages:
//
//   seed_gen OUT_DIR [EXAMPLE_CONFIG]
//
// creates OUT_DIR/<target>/<name> for scout_fuzz, esp_fuzz, ike_wire_fuzz,
// ike_engine_fuzz, node_fuzz and config_fuzz. The engine and node seeds are
// recordings: two real engines (or nodes) talk over an in-memory network in
// the deterministic worlds of fuzz_setup.hpp, and everything one side
// receives is written in that target's frame format, so replaying a seed
// drives the fuzzed side through the same exchange. Seeds are generated,
// not checked in, so they follow the codecs when those change.
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/control.hpp"
#include "cli/node.hpp"
#include "core/esp_sa.hpp"
#include "core/scout_wire.hpp"
#include "ike/engine.hpp"
#include "ike/wire/message.hpp"
#include "tests/fuzz/fuzz_setup.hpp"
#include "tests/fuzz/fuzz_util.hpp"

using namespace scout6;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using ByteVec = std::vector<std::uint8_t>;

namespace {

fs::path g_out;
int g_written = 0;

void write_seed(const char* target, const std::string& name,
                const ByteVec& bytes) {
    fs::path dir = g_out / target;
    fs::create_directories(dir);
    std::ofstream f(dir / name, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
    if (!f) {
        std::fprintf(stderr, "seed_gen: cannot write %s/%s\n", target,
                     name.c_str());
        std::exit(1);
    }
    ++g_written;
}

ByteVec with_prefix(std::initializer_list<std::uint8_t> prefix,
                    core::Bytes rest) {
    ByteVec v(prefix);
    v.insert(v.end(), rest.begin(), rest.end());
    return v;
}

// An IPv6 packet with No Next Header and `body` bytes of `tag`.
ByteVec ipv6_packet(const core::Ip6Addr& src, const core::Ip6Addr& dst,
                    std::uint8_t tag, std::size_t body = 32) {
    ByteVec p(40 + body, tag);
    p[0] = 0x60;
    p[1] = p[2] = p[3] = 0;
    p[4] = static_cast<std::uint8_t>(body >> 8);
    p[5] = static_cast<std::uint8_t>(body);
    p[6] = 59;
    p[7] = 64;
    std::copy(src.bytes.begin(), src.bytes.end(), p.begin() + 8);
    std::copy(dst.bytes.begin(), dst.bytes.end(), p.begin() + 24);
    return p;
}

// ---------------------------------------------------------------- scout

ByteVec doq_bytes(const core::Ip6Addr& src, const core::Ip6Addr& dst) {
    ByteVec b(core::kDoqBytes);
    if (!core::serialize_doq({}, src, dst, 64, b)) std::exit(1);
    return b;
}

void scout_seeds() {
    core::CodePoints cp;
    auto a = fuzz::fixed_addr("fd00:a::10");
    auto b = fuzz::fixed_addr("fd00:b::20");
    ByteVec doq = doq_bytes(a, b);
    ByteVec raq(core::kRaqBytes), dor(core::kDorBytes);
    if (!core::serialize_raq(cp, a, b, 64, raq) ||
        !core::serialize_dor(cp, b, a, 64, core::kCapIkev2, b, dor))
        std::exit(1);
    write_seed("scout_fuzz", "doq", with_prefix({0}, doq));
    write_seed("scout_fuzz", "raq", with_prefix({0}, raq));
    write_seed("scout_fuzz", "dor", with_prefix({0}, dor));
    // Odd code points: DOq option 0xC5, DOr option 0x43, router alert 7.
    core::CodePoints odd{0xC5, 0x43, 7};
    ByteVec odd_doq(core::kDoqBytes);
    if (!core::serialize_doq(odd, a, b, 1, odd_doq)) std::exit(1);
    write_seed("scout_fuzz", "doq_odd_code_points",
               with_prefix({1, 0xC5, 0x43, 0, 7}, odd_doq));
    // ICMPv6 Parameter Problem, code 2, pointer 42, quoting the DOq.
    ByteVec icmp{4, 2, 0, 0, 0, 0, 0, 42};
    icmp.insert(icmp.end(), doq.begin(), doq.end());
    write_seed("scout_fuzz", "param_problem", with_prefix({0}, icmp));
}

// ------------------------------------------------------------------ esp

void esp_seeds() {
    constexpr std::uint32_t kSpi = 0x5c060001;  // esp_fuzz's SA
    ByteVec other_key(core::kEspKeymatBytes, 0x55);
    auto out = core::EspOutboundSa::create(kSpi, other_key);
    if (!out) std::exit(1);
    ByteVec inner = ipv6_packet(fuzz::node_peer(), fuzz::node_self(), 0xab);
    ByteVec sealed(core::esp_sealed_size(inner.size()));
    if (!out->seal(core::kNextHeaderIpv6, inner, sealed)) std::exit(1);
    // Mode 0: raw datagrams (a sealed packet under another key reaches
    // the ICV check; the fuzzer holds no key).
    write_seed("esp_fuzz", "raw_esp", with_prefix({0}, sealed));
    write_seed("esp_fuzz", "raw_keepalive", ByteVec{0, 0xff});
    write_seed("esp_fuzz", "raw_ike_marker",
               ByteVec{0, 0, 0, 0, 0, 0x01, 0x02, 0x03});
    // Mode 1: seq 0 | flip at 20 | mask 0x01 | next header 41 | payload.
    ByteVec m1{1, 0, 0, 0, 0, 0, 20, 0x01, 41};
    m1.insert(m1.end(), inner.begin(), inner.end());
    write_seed("esp_fuzz", "seal_open_flip", m1);
    // Mode 2: seq 1 | payload "abcde" | pad 1, 2, 3 | pad length 3 | 41.
    write_seed("esp_fuzz", "authentic_trailer",
               ByteVec{2, 0, 0, 0, 1, 'a', 'b', 'c', 'd', 'e', 1, 2, 3, 3, 41});
}

// -------------------------------------------------------- engine world

struct InFlight {
    ike::Endpoint from;
    ike::Endpoint to;
    ByteVec bytes;
};

class EngineSide final : public ike::IkeHost {
public:
    EngineSide(std::deque<InFlight>& net, const core::Clock& clock,
               std::uint64_t seed, std::uint8_t role)
        : net_(net),
          random_(seed),
          engine(clock, random_, fuzz::engine_config(), *this) {
        record.raw(role);
    }
    void send_ike(const ike::Endpoint& local, const ike::Endpoint& remote,
                  core::Bytes m) override {
        net_.push_back({local, remote, ByteVec(m.begin(), m.end())});
    }
    void on_channel_up(const ike::ChannelEvent&) override { ++ups; }
    void on_channel_failed(const core::Ip6Addr&, const core::Ip6Addr&,
                           const core::Error&) override {}
    void on_channel_down(const core::Ip6Addr&, std::uint32_t,
                         std::uint32_t) override {}

    int ups = 0;
    fuzz::FrameWriter record;
    std::vector<ByteVec> received;

private:
    std::deque<InFlight>& net_;
    ike::SeededRandom random_;

public:
    ike::IkeEngine engine;
};

struct EngineWorld {
    core::FakeClock clock;
    std::deque<InFlight> net;
    EngineSide initiator{net, clock, fuzz::kEngineInitiatorSeed, 1};
    EngineSide responder{net, clock, fuzz::kEngineResponderSeed, 0};

    void pump() {
        while (!net.empty()) {
            InFlight m = std::move(net.front());
            net.pop_front();
            EngineSide& to = m.to.addr == fuzz::engine_initiator_addr()
                                 ? initiator
                                 : responder;
            to.record.add(m.to.port == ike::kIkePort ? fuzz::kEngineOpPeer500
                                                     : fuzz::kEngineOpPeer4500,
                          m.bytes);
            to.received.push_back(m.bytes);
            to.engine.on_datagram(m.to, m.from, m.bytes);
        }
    }

    void establish() {
        if (!initiator.engine.initiate(fuzz::engine_request())) std::exit(1);
        pump();
        if (initiator.ups != 1 || responder.ups != 1) {
            std::fprintf(stderr, "seed_gen: engines did not establish\n");
            std::exit(1);
        }
    }

    void save(const std::string& name) {
        write_seed("ike_engine_fuzz", "initiator_" + name,
                   initiator.record.bytes());
        write_seed("ike_engine_fuzz", "responder_" + name,
                   responder.record.bytes());
    }
};

// Walks one recorded message and writes its parts as ike_wire_fuzz seeds.
void wire_seeds_from(const std::string& name, const ByteVec& msg) {
    write_seed("ike_wire_fuzz", "datagram_" + name, with_prefix({0}, msg));
    auto h = ike::parse_header(msg);
    if (!h) return;
    core::Bytes chain_bytes = core::Bytes(msg).subspan(ike::kIkeHeaderBytes);
    std::uint8_t role = static_cast<std::uint8_t>(
        (static_cast<std::uint8_t>(h->exchange) - 34) & 3 |
        (h->is_response() ? 4 : 0));
    write_seed(
        "ike_wire_fuzz", "chain_" + name,
        with_prefix({1, static_cast<std::uint8_t>(h->next_payload), role},
                    chain_bytes));
    auto chain = ike::walk_payloads(h->next_payload, chain_bytes);
    if (!chain) return;
    int i = 0;
    for (const auto& p : chain->payloads) {
        int parser = -1;
        switch (p.type) {
            case ike::PayloadType::kSa:
                parser = 0;
                break;
            case ike::PayloadType::kKe:
                parser = 1;
                break;
            case ike::PayloadType::kNonce:
                parser = 4;
                break;
            case ike::PayloadType::kNotify:
                parser = 5;
                break;
            default:
                break;
        }
        if (parser < 0) continue;
        write_seed("ike_wire_fuzz",
                   "payload_" + name + "_" + std::to_string(i++),
                   with_prefix({2, static_cast<std::uint8_t>(parser)}, p.body));
    }
}

void wire_inner_seeds() {
    // The inner chain of an IKE_AUTH request: IDi, AUTH, SA, TSi, TSr.
    auto a = fuzz::engine_initiator_addr();
    auto b = fuzz::engine_responder_addr();
    ike::PayloadList p;
    p.add_id(ike::PayloadType::kIdi, ike::IdType::kIpv6Addr, a.bytes);
    ByteVec mic(32, 0x4d);
    p.add_auth(ike::AuthMethod::kSharedKeyMic, mic);
    ike::SaPayload sa;
    ike::Proposal prop;
    prop.protocol = ike::ProtocolId::kEsp;
    prop.spi = {0x11, 0x22, 0x33, 0x44};
    prop.transforms = {
        {ike::TransformType::kEncr, ike::kEncrAesGcm16, 256, false},
        {ike::TransformType::kEsn, ike::kEsnNone, std::nullopt, false}};
    sa.proposals.push_back(prop);
    p.add_sa(sa);
    ike::TsPayload tsi{{ike::selector_from_prefix({a, 128})}};
    ike::TsPayload tsr{{ike::selector_from_prefix({b, 128})}};
    p.add_ts(ike::PayloadType::kTsi, tsi);
    p.add_ts(ike::PayloadType::kTsr, tsr);
    ByteVec chain(ike::chain_size(p));
    core::ByteWriter w(chain);
    if (!ike::serialize_chain(p, w)) std::exit(1);
    chain.push_back(0);  // pad length
    write_seed(
        "ike_wire_fuzz", "sealed_auth_request",
        with_prefix({3, static_cast<std::uint8_t>(ike::PayloadType::kIdi), 1},
                    chain));

    ike::DeletePayload d{ike::ProtocolId::kEsp, {0x11223344, 0x55667788}};
    ByteVec body(64);
    core::ByteWriter dw(body);
    ike::serialize_delete(d, dw);
    body.resize(dw.size());
    write_seed("ike_wire_fuzz", "payload_delete", with_prefix({2, 6}, body));
    ByteVec ts(128);
    core::ByteWriter tw(ts);
    ike::serialize_ts(tsi, tw);
    ts.resize(tw.size());
    write_seed("ike_wire_fuzz", "payload_ts", with_prefix({2, 7}, ts));
    ByteVec id(64);
    core::ByteWriter iw(id);
    ike::serialize_id(ike::IdType::kIpv6Addr, a.bytes, iw);
    id.resize(iw.size());
    write_seed("ike_wire_fuzz", "payload_id", with_prefix({2, 2}, id));
}

void engine_seeds() {
    {
        EngineWorld w;
        w.establish();
        w.save("exchange");
        // The clear and the first protected message of each direction.
        const auto& to_r = w.responder.received;
        const auto& to_i = w.initiator.received;
        if (to_r.size() >= 2 && to_i.size() >= 2) {
            wire_seeds_from("init_request", to_r[0]);
            wire_seeds_from("init_response", to_i[0]);
            wire_seeds_from("auth_request", to_r[1]);
            wire_seeds_from("auth_response", to_i[1]);
        }
    }
    {
        EngineWorld w;
        w.establish();
        ike::PayloadList empty;
        if (!w.initiator.engine.send_informational_for_test(
                fuzz::engine_responder_addr(), empty) ||
            !w.responder.engine.send_informational_for_test(
                fuzz::engine_initiator_addr(), empty))
            std::exit(1);
        w.pump();
        w.save("informational");
    }
    {
        EngineWorld w;
        w.establish();
        w.responder.engine.shutdown();
        w.pump();
        w.save("peer_deleted");
    }
    {
        // The initiator's request goes unanswered: retransmits, then the
        // give-up path.
        fuzz::FrameWriter f;
        f.raw(1);
        for (int i = 0; i < 8; ++i) f.add(fuzz::kEngineOpTimer, {});
        write_seed("ike_engine_fuzz", "initiator_unanswered", f.bytes());
    }
}

// ---------------------------------------------------------- node world

class NodeWorld;

class NodeHost final : public cli::NodeIo {
public:
    NodeHost(NodeWorld& world, const core::Ip6Addr& self)
        : world_(world), self_(self) {}
    void write_tun(core::Bytes) override { ++delivered; }
    void send_udp(std::uint16_t src_port, const core::Ip6Addr& src,
                  const core::Ip6Addr& dst, std::uint16_t dst_port,
                  core::Bytes payload) override;
    void send_raw(core::Bytes packet) override;
    void route_peer(const core::Ip6Addr&, bool) override {}

    int delivered = 0;

private:
    NodeWorld& world_;
    core::Ip6Addr self_;
};

struct Wire {
    enum class Kind { kUdp, kRaw, kIcmp } kind;
    core::Ip6Addr src, dst;
    std::uint16_t src_port = 0, dst_port = 0;
    ByteVec bytes;
};

class NodeWorld {
public:
    NodeWorld()
        : self_host_(*this, fuzz::node_self()),
          peer_host_(*this, fuzz::node_peer()),
          self_random_(fuzz::kNodeSelfSeed),
          peer_random_(fuzz::kNodePeerSeed),
          self(clock_, self_random_, fuzz::node_options(fuzz::node_self()),
               self_host_),
          peer(clock_, peer_random_, fuzz::node_options(fuzz::node_peer()),
               peer_host_) {}

    void self_tun(const ByteVec& p) {
        record.add(fuzz::kNodeOpTun, p);
        self.on_tun_packet(p);
    }

    void deliver(Wire& w) {
        bool to_self = w.dst == fuzz::node_self();
        if (w.dst == fuzz::node_stranger()) {
            // No scout6 there: a DOq earns a Parameter Problem (SPEC §3).
            if (w.kind == Wire::Kind::kRaw && w.bytes.size() >= 44 &&
                w.bytes[6] == 60) {
                ByteVec icmp{4, 2, 0, 0, 0, 0, 0, 42};
                icmp.insert(icmp.end(), w.bytes.begin(), w.bytes.end());
                queue.push_back({Wire::Kind::kIcmp, w.dst, w.src, 0, 0, icmp});
            }
            return;
        }
        if (!to_self && w.dst != fuzz::node_peer()) return;
        cli::Node& node = to_self ? self : peer;
        switch (w.kind) {
            case Wire::Kind::kUdp:
                if (to_self)
                    record.add(w.dst_port == ike::kIkePort
                                   ? fuzz::kNodeOpUdp500
                                   : fuzz::kNodeOpUdp4500,
                               w.bytes);
                node.on_udp(w.src, w.src_port, w.dst, w.dst_port, w.bytes);
                return;
            case Wire::Kind::kRaw:
                if (to_self) record.add(fuzz::kNodeOpScout, w.bytes);
                node.on_scout_packet(w.bytes);
                return;
            case Wire::Kind::kIcmp:
                if (to_self) record.add(fuzz::kNodeOpIcmp, w.bytes);
                node.on_icmp_error(w.src, w.bytes);
                return;
        }
    }

    // Delivers until quiet and fires due timers, for `limit` of fake time.
    void run(core::Duration limit) {
        auto end = clock_.now() + limit;
        while (true) {
            while (!queue.empty()) {
                Wire w = std::move(queue.front());
                queue.pop_front();
                deliver(w);
            }
            auto a = self.next_deadline();
            auto b = peer.next_deadline();
            std::optional<core::TimePoint> next = a;
            if (b && (!next || *b < *next)) next = b;
            if (!next || *next > end) break;
            if (*next > clock_.now()) clock_.advance(*next - clock_.now());
            if (a && *a <= clock_.now()) {
                record.add(fuzz::kNodeOpTimer, {});
                self.on_timer();
            }
            if (b && *b <= clock_.now()) peer.on_timer();
        }
    }

    void save(const std::string& name) {
        write_seed("node_fuzz", name, record.bytes());
    }

    std::deque<Wire> queue;
    fuzz::FrameWriter record;

private:
    core::FakeClock clock_;
    NodeHost self_host_;
    NodeHost peer_host_;
    ike::SeededRandom self_random_;
    ike::SeededRandom peer_random_;

public:
    cli::Node self;
    cli::Node peer;
};

void NodeHost::send_udp(std::uint16_t src_port, const core::Ip6Addr& src,
                        const core::Ip6Addr& dst, std::uint16_t dst_port,
                        core::Bytes payload) {
    world_.queue.push_back({Wire::Kind::kUdp, src, dst, src_port, dst_port,
                            ByteVec(payload.begin(), payload.end())});
}

void NodeHost::send_raw(core::Bytes p) {
    if (p.size() < 40) return;
    world_.queue.push_back({Wire::Kind::kRaw, self_,
                            core::Ip6Addr::from_bytes(p.data() + 24), 0, 0,
                            ByteVec(p.begin(), p.end())});
}

std::size_t channel_count(const cli::Node& n) {
    std::size_t c = 0;
    n.for_each_channel([&](const cli::Channel&) { ++c; });
    return c;
}

void node_seeds() {
    auto self = fuzz::node_self();
    auto peer = fuzz::node_peer();
    {
        NodeWorld w;
        w.self_tun(ipv6_packet(self, peer, 1));
        w.self_tun(ipv6_packet(self, peer, 2));
        w.run(5s);
        w.peer.on_tun_packet(ipv6_packet(peer, self, 3));
        w.run(5s);
        if (channel_count(w.self) != 1) {
            std::fprintf(stderr, "seed_gen: nodes did not build a channel\n");
            std::exit(1);
        }
        w.save("self_initiates");
        // Then the flow idles out and the peer goes away.
        fuzz::FrameWriter idle = w.record;
        idle.add_u32(fuzz::kNodeOpTimer, 6 * 60 * 1000);
        write_seed("node_fuzz", "self_initiates_then_idle", idle.bytes());
        w.peer.shutdown();
        w.run(5s);
        w.save("self_initiates_peer_leaves");
    }
    {
        NodeWorld w;
        w.peer.on_tun_packet(ipv6_packet(peer, self, 4));
        w.run(5s);
        w.self_tun(ipv6_packet(self, peer, 5));
        w.run(5s);
        w.save("peer_initiates");
    }
    {
        NodeWorld w;
        auto stranger = fuzz::node_stranger();
        w.self_tun(ipv6_packet(self, stranger, 6));
        w.run(10s);
        w.self_tun(ipv6_packet(self, stranger, 7));
        w.run(1s);
        w.save("stranger");
    }
}

// ------------------------------------------------------------- config

void config_seeds(const char* example_path) {
    if (example_path != nullptr) {
        std::ifstream f(example_path, std::ios::binary);
        ByteVec text{0};
        text.insert(text.end(), std::istreambuf_iterator<char>(f),
                    std::istreambuf_iterator<char>());
        if (text.size() > 1) write_seed("config_fuzz", "example_toml", text);
    }
    std::string minimal =
        "[node]\nname = \"h1\"\naddresses = [\"fd00::1\"]\n"
        "[scope]\nprotect = [\"fd00::/8\"]\n"
        "[ike]\npsk = \"0123456789abcdef0123\"\n";
    ByteVec m{0};
    m.insert(m.end(), minimal.begin(), minimal.end());
    write_seed("config_fuzz", "minimal_toml", m);

    cli::StatusSnapshot s;
    s.node = "h1";
    s.uptime = std::chrono::milliseconds(123456);
    s.flows.push_back(
        {"fd00:b::20", "secured", "host-host", "fd00:b::20", 0, 17});
    cli::ChannelStatus ch;
    ch.local = "fd00:a::10";
    ch.peer = "fd00:b::20";
    ch.mode = "host-host";
    ch.initiator = true;
    ch.spi_in = 0xc0ffee01;
    ch.spi_out = 0xc0ffee02;
    ch.packets_in = 3;
    ch.bytes_out = 999;
    ch.established_ago = std::chrono::milliseconds(5000);
    s.channels.push_back(ch);
    s.counters["ike"]["sas_established"] = 1;
    s.counters["esp"]["auth_failures"] = 0;
    std::string json = cli::to_json(s);
    ByteVec j{1};
    j.insert(j.end(), json.begin(), json.end());
    write_seed("config_fuzz", "status_json", j);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: seed_gen OUT_DIR [EXAMPLE_CONFIG]\n");
        return 2;
    }
    fuzz::quiet_logs();
    g_out = argv[1];
    scout_seeds();
    esp_seeds();
    wire_inner_seeds();
    engine_seeds();
    node_seeds();
    config_seeds(argc > 2 ? argv[2] : nullptr);
    std::printf("seed_gen: wrote %d seeds under %s\n", g_written, argv[1]);
    return 0;
}
