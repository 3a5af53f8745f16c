// UdpSocket, RawSender and IcmpErrorSocket on Linux.
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "core/bytes.hpp"
#include "tun/sockets.hpp"

namespace scout6::tun {

namespace {

// Socket buffers large enough for bursts of ESP-in-UDP at line rate.
constexpr int kSocketBufferBytes = 4 * 1024 * 1024;
// recvmmsg batch ceiling, to keep the stack arrays bounded.
constexpr std::size_t kMaxBatch = 64;
// RFC 8200 §3.
constexpr std::size_t kIpv6HeaderSize = 40;
constexpr std::size_t kDstAddrOffset = 24;
// RFC 4443 §3.4.
constexpr int kIcmpParamProblem = 4;

core::Status set_int(int fd, int level, int name, int value, const char* what) {
    if (::setsockopt(fd, level, name, &value, sizeof(value)) != 0)
        return core::fail(core::Errc::kSyscall, what, errno);
    return {};
}

core::Status set_mark(int fd, std::uint32_t fwmark) {
    if (fwmark == 0) return {};
    return set_int(fd, SOL_SOCKET, SO_MARK, static_cast<int>(fwmark),
                   "SO_MARK");
}

// SO_*BUFFORCE ignores rmem_max/wmem_max but needs CAP_NET_ADMIN; without
// it the plain option gives what the limits allow.
void set_buffers(int fd) {
    int size = kSocketBufferBytes;
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)))
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

sockaddr_in6 make_sockaddr(const core::Ip6Addr& addr, std::uint16_t port) {
    sockaddr_in6 sa;
    std::memset(&sa, 0, sizeof(sa));
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(port);
    addr.to_in6(sa.sin6_addr);
    return sa;
}

// Room for IPV6_PKTINFO and a UDP_GRO or UDP_SEGMENT size.
using PktinfoBuffer = std::array<std::uint8_t, CMSG_SPACE(sizeof(in6_pktinfo)) +
                                                   CMSG_SPACE(sizeof(int))>;

// Fills d.dst from IPV6_PKTINFO and d.segment_size from UDP_GRO, when
// present.
void read_pktinfo(msghdr& msg, Datagram& d) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
            int size = 0;
            std::memcpy(&size, CMSG_DATA(c), sizeof(size));
            if (size > 0 && static_cast<std::size_t>(size) < d.size)
                d.segment_size = static_cast<std::size_t>(size);
            continue;
        }
        if (c->cmsg_level != IPPROTO_IPV6 || c->cmsg_type != IPV6_PKTINFO)
            continue;
        in6_pktinfo info;
        std::memcpy(&info, CMSG_DATA(c), sizeof(info));
        d.dst = core::Ip6Addr::from_in6(info.ipi6_addr);
    }
}

}  // namespace

core::Result<UdpSocket> UdpSocket::open(std::uint16_t port,
                                        std::uint32_t fwmark) {
    UniqueFd fd(::socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                         IPPROTO_UDP));
    if (!fd.valid())
        return core::fail(core::Errc::kSyscall, "udp socket", errno);
    for (auto s : {set_int(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1, "V6ONLY"),
                   set_int(fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, 1,
                           "IPV6_RECVPKTINFO"),
                   set_mark(fd.get(), fwmark)})
        if (!s) return tl::unexpected(s.error());
    set_buffers(fd.get());

    sockaddr_in6 any = make_sockaddr(core::Ip6Addr{}, port);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&any), sizeof(any)) != 0)
        return core::fail(core::Errc::kSyscall, "udp bind", errno);
    socklen_t len = sizeof(any);
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&any), &len) != 0)
        return core::fail(core::Errc::kSyscall, "udp getsockname", errno);
    return UdpSocket(std::move(fd), ntohs(any.sin6_port));
}

core::Result<std::optional<Datagram>> UdpSocket::recv(core::MutableBytes buf) {
    sockaddr_in6 from;
    PktinfoBuffer control;
    iovec iov{buf.data(), buf.size()};
    msghdr msg;
    std::memset(&msg, 0, sizeof(msg));
    msg.msg_name = &from;
    msg.msg_namelen = sizeof(from);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();

    ssize_t n;
    do {
        n = ::recvmsg(fd_.get(), &msg, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return std::nullopt;
    if (n < 0) return core::fail(core::Errc::kSyscall, "udp recvmsg", errno);
    if (msg.msg_flags & MSG_TRUNC)
        return core::fail(core::Errc::kTruncated, "udp datagram > buffer");

    Datagram d;
    d.size = static_cast<std::size_t>(n);
    d.src = core::Ip6Addr::from_in6(from.sin6_addr);
    d.src_port = ntohs(from.sin6_port);
    d.dst_port = port_;
    read_pktinfo(msg, d);
    return d;
}

core::Status UdpSocket::recv_batch(std::span<core::MutableBytes> bufs,
                                   std::vector<Datagram>& out,
                                   std::size_t* truncated) {
    out.clear();
    const std::size_t count = std::min(bufs.size(), kMaxBatch);
    if (count == 0) return {};
    std::array<mmsghdr, kMaxBatch> msgs;
    std::array<iovec, kMaxBatch> iovs;
    std::array<sockaddr_in6, kMaxBatch> froms;
    std::array<PktinfoBuffer, kMaxBatch> controls;
    std::memset(msgs.data(), 0, sizeof(mmsghdr) * count);
    for (std::size_t i = 0; i < count; ++i) {
        iovs[i] = iovec{bufs[i].data(), bufs[i].size()};
        msghdr& m = msgs[i].msg_hdr;
        m.msg_name = &froms[i];
        m.msg_namelen = sizeof(sockaddr_in6);
        m.msg_iov = &iovs[i];
        m.msg_iovlen = 1;
        m.msg_control = controls[i].data();
        m.msg_controllen = controls[i].size();
    }

    int n;
    do {
        n = ::recvmmsg(fd_.get(), msgs.data(), static_cast<unsigned>(count), 0,
                       nullptr);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return {};
    if (n < 0) return core::fail(core::Errc::kSyscall, "udp recvmmsg", errno);

    for (int i = 0; i < n; ++i) {
        msghdr& m = msgs[i].msg_hdr;
        Datagram d;
        d.src = core::Ip6Addr::from_in6(froms[i].sin6_addr);
        d.src_port = ntohs(froms[i].sin6_port);
        d.dst_port = port_;
        read_pktinfo(m, d);
        if (m.msg_flags & MSG_TRUNC) {
            if (truncated) ++*truncated;
        } else {
            d.size = msgs[i].msg_len;
        }
        out.push_back(d);
    }
    return {};
}

core::Status UdpSocket::enable_gro() {
    return set_int(fd_.get(), SOL_UDP, UDP_GRO, 1, "UDP_GRO");
}

core::Status UdpSocket::send(core::Bytes data, const core::Ip6Addr& src,
                             const core::Ip6Addr& dst, std::uint16_t dst_port,
                             std::size_t segment_size) {
    sockaddr_in6 to = make_sockaddr(dst, dst_port);
    iovec iov{const_cast<std::uint8_t*>(data.data()), data.size()};
    msghdr msg;
    std::memset(&msg, 0, sizeof(msg));
    msg.msg_name = &to;
    msg.msg_namelen = sizeof(to);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;

    PktinfoBuffer control{};
    bool segmented = segment_size > 0 && data.size() > segment_size;
    std::size_t used = 0;
    if (!src.is_unspecified()) used += CMSG_SPACE(sizeof(in6_pktinfo));
    if (segmented) used += CMSG_SPACE(sizeof(std::uint16_t));
    if (used > 0) {
        msg.msg_control = control.data();
        msg.msg_controllen = used;
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        if (!src.is_unspecified()) {
            c->cmsg_level = IPPROTO_IPV6;
            c->cmsg_type = IPV6_PKTINFO;
            c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
            in6_pktinfo info;
            std::memset(&info, 0, sizeof(info));
            src.to_in6(info.ipi6_addr);
            std::memcpy(CMSG_DATA(c), &info, sizeof(info));
            c = CMSG_NXTHDR(&msg, c);
        }
        if (segmented) {
            auto size = static_cast<std::uint16_t>(segment_size);
            c->cmsg_level = SOL_UDP;
            c->cmsg_type = UDP_SEGMENT;
            c->cmsg_len = CMSG_LEN(sizeof(size));
            std::memcpy(CMSG_DATA(c), &size, sizeof(size));
        }
    }

    ssize_t n;
    do {
        n = ::sendmsg(fd_.get(), &msg, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return core::fail(core::Errc::kSyscall, "udp sendmsg", errno);
    return {};
}

core::Result<RawSender> RawSender::open(std::uint32_t fwmark) {
    UniqueFd fd(::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
                         IPPROTO_RAW));
    if (!fd.valid())
        return core::fail(core::Errc::kSyscall, "raw socket", errno);
    auto mark = set_mark(fd.get(), fwmark);
    if (!mark) return tl::unexpected(mark.error());
    set_buffers(fd.get());
    return RawSender(std::move(fd));
}

core::Status RawSender::send(core::Bytes packet) {
    core::ByteReader reader(packet);
    std::uint8_t version = 0;
    core::Bytes dst_bytes;
    if (packet.size() < kIpv6HeaderSize || !reader.read_u8(version) ||
        (version >> 4) != 6 || !reader.skip(kDstAddrOffset - 1) ||
        !reader.read_bytes(16, dst_bytes))
        return core::fail(core::Errc::kMalformed, "raw send: not ipv6");

    // The port must be 0 for a raw IPv6 socket.
    sockaddr_in6 to =
        make_sockaddr(core::Ip6Addr::from_bytes(dst_bytes.data()), 0);
    ssize_t n;
    do {
        n = ::sendto(fd_.get(), packet.data(), packet.size(), 0,
                     reinterpret_cast<sockaddr*>(&to), sizeof(to));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return core::fail(core::Errc::kSyscall, "raw sendto", errno);
    return {};
}

core::Result<IcmpErrorSocket> IcmpErrorSocket::open() {
    UniqueFd fd(::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
                         IPPROTO_ICMPV6));
    if (!fd.valid())
        return core::fail(core::Errc::kSyscall, "icmpv6 socket", errno);
    icmp6_filter filter;
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(kIcmpParamProblem, &filter);
    if (::setsockopt(fd.get(), IPPROTO_ICMPV6, ICMP6_FILTER, &filter,
                     sizeof(filter)) != 0)
        return core::fail(core::Errc::kSyscall, "ICMP6_FILTER", errno);
    return IcmpErrorSocket(std::move(fd));
}

core::Result<std::optional<IcmpMessage>> IcmpErrorSocket::recv(
    core::MutableBytes buf) {
    sockaddr_in6 from;
    socklen_t len = sizeof(from);
    ssize_t n;
    do {
        n = ::recvfrom(fd_.get(), buf.data(), buf.size(), 0,
                       reinterpret_cast<sockaddr*>(&from), &len);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return std::nullopt;
    if (n < 0) return core::fail(core::Errc::kSyscall, "icmpv6 recv", errno);
    return IcmpMessage{static_cast<std::size_t>(n),
                       core::Ip6Addr::from_in6(from.sin6_addr)};
}

}  // namespace scout6::tun
