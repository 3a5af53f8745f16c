// The daemon's sockets: UDP for IKE and ESP-in-UDP, a raw sender for
// SCOUT6 messages, and a listener for ICMPv6 Parameter Problem.
//
// All are non-blocking and close-on-exec, owned by the object (move-only),
// and expose fd() for a libuv uv_poll_t the daemon owns; the descriptor is
// valid as long as the object is. Sending sockets carry the instance's
// fwmark (SO_MARK), so the policy rule NetConfig installs sends their
// packets through the main table and never back into the TUN. Opening
// needs CAP_NET_ADMIN (SO_MARK) and, for the raw ones, CAP_NET_RAW.
// Sockets stay in the network namespace they were opened in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/bytes.hpp"
#include "core/ip6.hpp"
#include "core/result.hpp"
#include "tun/unique_fd.hpp"

namespace scout6::tun {

struct Datagram {
    std::size_t size = 0;  // bytes placed at the start of the buffer
    core::Ip6Addr src;
    std::uint16_t src_port = 0;
    core::Ip6Addr dst;  // the local address it was sent to
    std::uint16_t dst_port = 0;
    // With UDP GRO on: the buffer holds several datagrams of this size back
    // to back (the last may be shorter). 0: one datagram.
    std::size_t segment_size = 0;
};

// UDP generic segmentation (Linux UDP_SEGMENT): how many datagrams one
// send may carry and how many bytes in all.
inline constexpr std::size_t kMaxGsoSegments = 64;
inline constexpr std::size_t kMaxGsoBytes = 65000;

class UdpSocket {
public:
    // Binds [::]:port (IPv6 only) with SO_MARK fwmark (0: none), large
    // buffers, and destination-address reporting. Errors: kSyscall.
    [[nodiscard]] static core::Result<UdpSocket> open(std::uint16_t port,
                                                      std::uint32_t fwmark);

    int fd() const { return fd_.get(); }
    // The bound port (useful when opened with port 0).
    std::uint16_t port() const { return port_; }

    // One datagram into buf, or nullopt when none is queued. Errors:
    // kTruncated when the datagram was longer than buf (it is consumed);
    // kSyscall otherwise. Call until nullopt after each readable event.
    [[nodiscard]] core::Result<std::optional<Datagram>> recv(
        core::MutableBytes buf);

    // Up to bufs.size() (at most 64) datagrams in one system call
    // (recvmmsg). out is cleared and out[i] describes the datagram in
    // bufs[i]; an empty out means nothing was queued. A datagram longer
    // than its buffer is reported with size 0 and counted in *truncated
    // when given; size-0 entries carry nothing to process. Errors: kSyscall.
    [[nodiscard]] core::Status recv_batch(std::span<core::MutableBytes> bufs,
                                          std::vector<Datagram>& out,
                                          std::size_t* truncated = nullptr);

    // Sends data from src (unspecified: the kernel picks) to dst:dst_port.
    // Link-local destinations are not supported (no scope id). Errors:
    // kSyscall (EAGAIN when the send buffer is full: the caller drops).
    // With segment_size > 0 and data longer than it, the kernel cuts data
    // into datagrams of segment_size bytes (the last may be shorter): one
    // system call for up to kMaxGsoSegments datagrams. A device that cannot
    // do it answers EIO or EINVAL; the caller then sends one by one.
    [[nodiscard]] core::Status send(core::Bytes data, const core::Ip6Addr& src,
                                    const core::Ip6Addr& dst,
                                    std::uint16_t dst_port,
                                    std::size_t segment_size = 0);

    // Asks the kernel to coalesce arriving datagrams of one flow (UDP GRO);
    // recv() then reports Datagram::segment_size. Errors: kSyscall (an old
    // kernel: the socket keeps working without it).
    [[nodiscard]] core::Status enable_gro();

private:
    UdpSocket(UniqueFd fd, std::uint16_t port)
        : fd_(std::move(fd)), port_(port) {}
    UniqueFd fd_;
    std::uint16_t port_;
};

// Sends complete IPv6 packets, header included and sent as given (Linux:
// AF_INET6 / SOCK_RAW / IPPROTO_RAW, which implies IPV6_HDRINCL).
class RawSender {
public:
    [[nodiscard]] static core::Result<RawSender> open(std::uint32_t fwmark);
    int fd() const { return fd_.get(); }

    // The destination is read from bytes 24..40 of the packet. Errors:
    // kMalformed when shorter than 40 bytes or not version 6; kSyscall
    // (EMSGSIZE above the route MTU, EAGAIN when the buffer is full).
    [[nodiscard]] core::Status send(core::Bytes full_ipv6_packet);

private:
    explicit RawSender(UniqueFd fd) : fd_(std::move(fd)) {}
    UniqueFd fd_;
};

struct IcmpMessage {
    std::size_t size = 0;  // ICMPv6 message at the buffer's start (no IPv6
                           // header): type, code, checksum, body
    core::Ip6Addr src;     // who sent the error
};

// Receives ICMPv6 Parameter Problem messages (type 4) addressed to this
// node; the kernel filters out every other type.
class IcmpErrorSocket {
public:
    [[nodiscard]] static core::Result<IcmpErrorSocket> open();
    int fd() const { return fd_.get(); }

    // One message into buf (truncated to buf), or nullopt when none is
    // queued. Errors: kSyscall.
    [[nodiscard]] core::Result<std::optional<IcmpMessage>> recv(
        core::MutableBytes buf);

private:
    explicit IcmpErrorSocket(UniqueFd fd) : fd_(std::move(fd)) {}
    UniqueFd fd_;
};

}  // namespace scout6::tun
