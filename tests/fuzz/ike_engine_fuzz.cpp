// libFuzzer target: IkeEngine::on_datagram() and on_timer() with arbitrary
// datagrams, as responder and as an initiator mid-exchange.
//
// Input: a role byte (even: responder; odd: an initiator that has already
// sent IKE_SA_INIT to engine_responder_addr()), then frames (fuzz_util.hpp)
// with the ops of fuzz_setup.hpp. The world is deterministic, so the seeds
// (recorded by seed_gen between two real engines) replay whole exchanges:
// IKE_AUTH decrypts, INFORMATIONAL and Delete reach established SAs.
//
// Checked beyond "no crash": no SCOUT6_BUG, every message the engine sends
// parses as an IKE header (which checks the length it claims), and a
// channel comes up only with full-size ESP keying material.
#include <cstddef>
#include <cstdint>

#include "ike/engine.hpp"
#include "ike/wire/payloads.hpp"
#include "tests/fuzz/fuzz_setup.hpp"
#include "tests/fuzz/fuzz_util.hpp"

using namespace scout6;

namespace {

class Host final : public ike::IkeHost {
public:
    void send_ike(const ike::Endpoint&, const ike::Endpoint&,
                  core::Bytes message) override {
        auto h = ike::parse_header(message);
        if (!h) fuzz::invariant_failed("engine: sent an unparsable header");
    }
    void on_channel_up(const ike::ChannelEvent& ev) override {
        if (ev.child.keymat_in.size() != core::kEspKeymatBytes ||
            ev.child.keymat_out.size() != core::kEspKeymatBytes)
            fuzz::invariant_failed("engine: channel up with bad keymat");
    }
    void on_channel_failed(const core::Ip6Addr&, const core::Ip6Addr&,
                           const core::Error&) override {}
    void on_channel_down(const core::Ip6Addr&, std::uint32_t,
                         std::uint32_t) override {}
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet_logs();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
    if (size < 1) return 0;
    fuzz::BugCheck bug_check;
    bool initiator = (data[0] & 1) != 0;

    core::FakeClock clock;
    ike::SeededRandom random(initiator ? fuzz::kEngineInitiatorSeed
                                       : fuzz::kEngineResponderSeed);
    Host host;
    ike::IkeEngine engine(clock, random, fuzz::engine_config(), host);
    core::Ip6Addr self = initiator ? fuzz::engine_initiator_addr()
                                   : fuzz::engine_responder_addr();
    core::Ip6Addr peer = initiator ? fuzz::engine_responder_addr()
                                   : fuzz::engine_initiator_addr();
    if (initiator && !engine.initiate(fuzz::engine_request()))
        fuzz::invariant_failed("engine: initiate() failed");

    fuzz::FrameReader frames(core::Bytes(data + 1, size - 1));
    fuzz::Frame f;
    while (frames.next(f)) {
        switch (f.op % fuzz::kEngineOps) {
            case fuzz::kEngineOpPeer500:
                engine.on_datagram({self, ike::kIkePort}, {peer, ike::kIkePort},
                                   f.data);
                break;
            case fuzz::kEngineOpPeer4500:
                engine.on_datagram({self, ike::kNattPort},
                                   {peer, ike::kNattPort}, f.data);
                break;
            case fuzz::kEngineOpTimer:
                fuzz::fuzz_advance(clock, engine.next_deadline(), f.data);
                engine.on_timer();
                break;
            case fuzz::kEngineOpStranger:
                engine.on_datagram(
                    {self, ike::kIkePort},
                    {fuzz::engine_stranger_addr(), ike::kIkePort}, f.data);
                break;
        }
    }
    engine.shutdown();
    return 0;
}
