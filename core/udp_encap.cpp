// Port 4500 demultiplexing (RFC 3948 §2). The order of the tests matters:
// the keepalive is the only one-byte datagram, and a zero SPI is reserved
// (RFC 4303 §2.1), which is what lets the non-ESP marker exist at all.
#include "core/udp_encap.hpp"

namespace scout6::core {

const char* to_string(UdpKind kind) {
    switch (kind) {
        case UdpKind::kIke:
            return "ike";
        case UdpKind::kEsp:
            return "esp";
        case UdpKind::kKeepalive:
            return "keepalive";
        case UdpKind::kInvalid:
            return "invalid";
    }
    return "unknown";
}

Classified classify_udp4500(Bytes datagram) {
    if (datagram.size() == 1 && datagram[0] == kNatKeepaliveByte)
        return Classified{UdpKind::kKeepalive, 0, {}};

    ByteReader reader(datagram);
    std::uint32_t first_word = 0;
    if (!reader.read_u32(first_word)) return Classified{};

    if (first_word == 0) return Classified{UdpKind::kIke, 0, reader.rest()};

    if (datagram.size() < kUdpEspMinBytes) return Classified{};
    return Classified{UdpKind::kEsp, first_word, datagram};
}

}  // namespace scout6::core
