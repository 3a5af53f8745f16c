// libFuzzer target: the ESP data path (core/esp_sa.hpp) and the port 4500
// demultiplexer (core/udp_encap.hpp).
//
// Input: one mode byte (taken modulo 3), then the mode's data.
//   0  a raw datagram: classify_udp4500(), then EspInboundSa::open() on
//      the whole of it, as the node does for kEsp (forgeries: almost all
//      fail the ICV, which is the point: no crash, no plaintext).
//   1  seq (4) | flip position (2) | flip mask (1) | next header (1) |
//      payload: seal the payload, open it (must give it back), then flip
//      bits in a copy of the sealed packet and open that (must fail).
//   2  seq (4) | plaintext: an authentic packet around an arbitrary
//      plaintext (sealed with EspAead directly, so the trailer may be any
//      bytes); open() must accept exactly what RFC 4303 §2.4 allows and
//      return exactly the bytes before the padding.
// Each input gets fresh SAs, so no replay state leaks between inputs.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/esp_sa.hpp"
#include "core/udp_encap.hpp"
#include "tests/fuzz/fuzz_util.hpp"

using namespace scout6;

namespace {

constexpr std::uint32_t kSpi = 0x5c060001;
constexpr std::array<std::uint8_t, core::kEspKeymatBytes> kKeymat = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
    0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
    0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0xca, 0xfe, 0xba, 0xbe};

core::EspInboundSa inbound() {
    auto sa = core::EspInboundSa::create(kSpi, kKeymat);
    if (!sa) fuzz::invariant_failed("esp: inbound SA not created");
    return std::move(*sa);
}

void check_classify(core::Bytes datagram) {
    auto c = core::classify_udp4500(datagram);
    switch (c.kind) {
        case core::UdpKind::kIke:
            if (datagram.size() < core::kNonEspMarkerBytes ||
                c.body.data() != datagram.data() + core::kNonEspMarkerBytes)
                fuzz::invariant_failed("udp: IKE body not after the marker");
            break;
        case core::UdpKind::kEsp:
            if (c.spi == 0 || c.body.size() != datagram.size())
                fuzz::invariant_failed("udp: ESP with SPI 0 or cut body");
            break;
        case core::UdpKind::kKeepalive:
        case core::UdpKind::kInvalid:
            if (!c.body.empty()) fuzz::invariant_failed("udp: body on drop");
            break;
    }
}

void raw_open(core::Bytes input) {
    check_classify(input);
    std::vector<std::uint8_t> packet(input.begin(), input.end());
    auto sa = inbound();
    auto opened = sa.open(packet);
    // Forging an ICV is out of reach; only truly sealed bytes may open,
    // and the fuzzer has no key.
    if (opened) fuzz::invariant_failed("esp: forged packet opened");
}

void seal_open_flip(core::Bytes input) {
    if (input.size() < 8) return;
    std::uint32_t last_sent = fuzz::read_be_u32(input.first(4));
    std::size_t flip_at = static_cast<std::size_t>(input[4]) << 8 | input[5];
    std::uint8_t flip_mask = input[6];
    std::uint8_t next_header = input[7];
    core::Bytes payload = input.subspan(8);

    auto out = core::EspOutboundSa::create(kSpi, kKeymat);
    if (!out) fuzz::invariant_failed("esp: outbound SA not created");
    out->set_sequence_for_test(last_sent);
    std::vector<std::uint8_t> packet(core::esp_sealed_size(payload.size()));
    auto sealed = out->seal(next_header, payload, packet);
    if (!sealed) {
        // Only sequence exhaustion may refuse (payloads are small here).
        if (last_sent != 0xffffffffu)
            fuzz::invariant_failed("esp: seal refused a valid payload");
        return;
    }
    if (*sealed != packet.size())
        fuzz::invariant_failed("esp: sealed size differs from prediction");
    std::vector<std::uint8_t> flipped = packet;

    auto sa = inbound();
    auto opened = sa.open(packet);
    if (!opened) fuzz::invariant_failed("esp: own sealed packet not opened");
    if (opened->next_header != next_header ||
        opened->payload.size() != payload.size() ||
        !std::equal(payload.begin(), payload.end(), opened->payload.begin()))
        fuzz::invariant_failed("esp: open did not give the payload back");

    if (flip_mask == 0) return;
    flipped[flip_at % flipped.size()] ^= flip_mask;
    auto fresh = inbound();
    if (fresh.open(flipped))
        fuzz::invariant_failed("esp: a modified packet opened");
}

void authentic_trailer(core::Bytes input) {
    if (input.size() < 4 + core::kEspTrailerBytes) return;
    std::uint32_t seq = fuzz::read_be_u32(input.first(4));
    core::Bytes plain = input.subspan(4);

    // SPI | seq | IV | plaintext | ICV, sealed with the SA's own AEAD.
    std::vector<std::uint8_t> packet(core::kEspPayloadOffset + plain.size() +
                                     core::kEspIcvBytes);
    core::ByteWriter w(packet);
    const std::uint64_t iv = 0x0102030405060708u;
    w.write_u32(kSpi);
    w.write_u32(seq);
    w.write_u64(iv);
    w.write_bytes(plain);
    if (!w.ok()) fuzz::invariant_failed("esp: harness buffer too small");
    auto aead = core::EspAead::create(core::EspAead::Direction::kSeal, kKeymat);
    if (!aead) fuzz::invariant_failed("esp: aead not created");
    core::MutableBytes all(packet);
    if (!aead->seal(iv, all.first(core::kEspHeaderBytes),
                    all.subspan(core::kEspPayloadOffset, plain.size()),
                    all.last(core::kEspIcvBytes)))
        fuzz::invariant_failed("esp: aead seal failed");

    // RFC 4303 §2.4-2.6 and §3.4.3, written out independently.
    std::size_t n = plain.size();
    std::size_t pad = plain[n - 2];
    bool valid = seq != 0 && pad + core::kEspTrailerBytes <= n;
    std::size_t payload_bytes = valid ? n - core::kEspTrailerBytes - pad : 0;
    for (std::size_t i = 0; valid && i < pad; ++i)
        valid = plain[payload_bytes + i] == static_cast<std::uint8_t>(i + 1);

    auto sa = inbound();
    auto opened = sa.open(packet);
    if (opened.has_value() != valid)
        fuzz::invariant_failed("esp: trailer verdict differs from RFC 4303");
    if (!opened) return;
    if (opened->seq != seq || opened->next_header != plain[n - 1] ||
        opened->payload.size() != payload_bytes ||
        !std::equal(opened->payload.begin(), opened->payload.end(),
                    plain.begin()))
        fuzz::invariant_failed("esp: opened payload differs from plaintext");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet_logs();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
    if (size < 1) return 0;
    fuzz::BugCheck bug_check;
    core::Bytes input(data + 1, size - 1);
    switch (data[0] % 3) {
        case 0:
            raw_open(input);
            break;
        case 1:
            seal_open_flip(input);
            break;
        case 2:
            authentic_trailer(input);
            break;
    }
    return 0;
}
