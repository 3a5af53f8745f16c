// Hand-built IPv6 packets for tun/ tests (SPEC §3, RFC 8200, RFC 768).
#pragma once

#include <cstdint>
#include <vector>

#include "core/bytes.hpp"
#include "core/ip6.hpp"

namespace scout6::tun::testing {

inline void write_ipv6_header(core::ByteWriter& w, std::uint16_t payload_len,
                              std::uint8_t next_header,
                              const core::Ip6Addr& src,
                              const core::Ip6Addr& dst) {
    w.write_u32(0x60000000);  // version 6, traffic class 0, flow label 0
    w.write_u16(payload_len);
    w.write_u8(next_header);
    w.write_u8(64);  // hop limit
    w.write_bytes(src.bytes);
    w.write_bytes(dst.bytes);
}

// DOq, 48 bytes; option type configurable to make "unknown option" probes.
inline std::vector<std::uint8_t> make_doq(const core::Ip6Addr& src,
                                          const core::Ip6Addr& dst,
                                          std::uint8_t option = 196) {
    std::vector<std::uint8_t> p(48);
    core::ByteWriter w(p);
    write_ipv6_header(w, 8, 60, src, dst);
    w.write_u8(59);      // next header: none
    w.write_u8(0);       // hdr ext len: 8 bytes
    w.write_u8(option);  // option type
    w.write_u8(4);       // opt data len
    w.write_u32(0);      // data: zeros
    return p;
}

// DOr, 64 bytes, capability mask IKEv2.
inline std::vector<std::uint8_t> make_dor(const core::Ip6Addr& src,
                                          const core::Ip6Addr& dst,
                                          const core::Ip6Addr& queried) {
    std::vector<std::uint8_t> p(64);
    core::ByteWriter w(p);
    write_ipv6_header(w, 24, 60, src, dst);
    w.write_u8(59);  // next header: none
    w.write_u8(2);   // hdr ext len: 24 bytes
    w.write_u8(66);  // option type
    w.write_u8(20);  // opt data len
    w.write_u32(2);  // capability mask: IKEv2
    w.write_bytes(queried.bytes);
    return p;
}

// IPv6 + UDP with a valid checksum (RFC 8200 §8.1 pseudo-header).
inline std::vector<std::uint8_t> make_udp(const core::Ip6Addr& src,
                                          const core::Ip6Addr& dst,
                                          std::uint16_t src_port,
                                          std::uint16_t dst_port,
                                          core::Bytes payload) {
    const auto udp_len = static_cast<std::uint16_t>(8 + payload.size());
    std::vector<std::uint8_t> p(40 + udp_len);
    core::ByteWriter w(p);
    write_ipv6_header(w, udp_len, 17, src, dst);
    w.write_u16(src_port);
    w.write_u16(dst_port);
    w.write_u16(udp_len);
    w.write_u16(0);  // checksum, patched below
    w.write_bytes(payload);

    std::uint32_t sum = 0;
    auto add16 = [&sum](std::uint8_t hi, std::uint8_t lo) {
        sum += static_cast<std::uint32_t>(hi << 8 | lo);
    };
    for (std::size_t i = 8; i < 40; i += 2) add16(p[i], p[i + 1]);  // addrs
    sum += udp_len;
    sum += 17;
    for (std::size_t i = 40; i < p.size(); i += 2)
        add16(p[i], i + 1 < p.size() ? p[i + 1] : 0);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    auto csum = static_cast<std::uint16_t>(~sum);
    if (csum == 0) csum = 0xffff;
    w.patch_u16(46, csum);
    return p;
}

inline core::Ip6Addr addr(const char* text) {
    return *core::Ip6Addr::parse(text);
}

}  // namespace scout6::tun::testing
