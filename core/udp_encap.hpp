// UDP port 4500 demultiplexing, RFC 3948.
//
// Once NAT traversal is on, IKE and ESP share UDP port 4500. A datagram
// is one of: a NAT keepalive (a single 0xFF byte, RFC 3948 §2.3), an IKE
// message behind a four-byte zero non-ESP marker (§2.2), or an ESP packet
// starting with its non-zero SPI (§2.1). classify_udp4500() tells them
// apart without looking further; the IKE or ESP layer parses the rest.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"

namespace scout6::core {

// RFC 3948 §2.2: four zero bytes where an ESP SPI would be.
constexpr std::size_t kNonEspMarkerBytes = 4;
// RFC 3948 §2.3: the keepalive is one byte of 0xFF.
constexpr std::uint8_t kNatKeepaliveByte = 0xFF;
// RFC 3948 §2.1: an encapsulated ESP packet has at least SPI and sequence.
constexpr std::size_t kUdpEspMinBytes = 8;

enum class UdpKind {
    kIke,        // non-ESP marker, then an IKE message
    kEsp,        // an ESP packet, SPI first
    kKeepalive,  // NAT keepalive; drop it
    kInvalid,    // none of the above; drop and count it
};

const char* to_string(UdpKind kind);

struct Classified {
    UdpKind kind = UdpKind::kInvalid;
    // The ESP SPI for kEsp, else 0.
    std::uint32_t spi = 0;
    // kIke: the IKE message after the marker (possibly short; the IKE
    // parser judges it). kEsp: the whole datagram, SPI included, ready for
    // EspInboundSa::open(). Empty otherwise. A view into the datagram.
    Bytes body;
};

// Classifies one datagram received on port 4500. Never fails: anything
// that fits no format is kInvalid.
Classified classify_udp4500(Bytes datagram);

}  // namespace scout6::core
