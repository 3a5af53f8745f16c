// ScoutTap on Linux: AF_PACKET / SOCK_DGRAM with a classic BPF filter.
//
// Stages of open: socket with protocol 0 (receives nothing yet); attach
// the filter; ignore our own output; bind to ETH_P_IPV6. Binding last
// means no unfiltered packet can be queued before the filter is in place.
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "tun/scout_filter.hpp"
#include "tun/scout_tap.hpp"

namespace scout6::tun {

core::Result<ScoutTap> ScoutTap::open(std::uint8_t doq_option,
                                      std::uint8_t dor_option) {
    UniqueFd fd(
        ::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid())
        return core::fail(core::Errc::kSyscall, "packet socket", errno);

    auto program = build_scout_filter(doq_option, dor_option);
    std::vector<sock_filter> insns;
    for (const auto& i : program) insns.push_back({i.code, i.jt, i.jf, i.k});
    sock_fprog fprog{static_cast<unsigned short>(insns.size()), insns.data()};
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_ATTACH_FILTER, &fprog,
                     sizeof(fprog)) != 0)
        return core::fail(core::Errc::kSyscall, "SO_ATTACH_FILTER", errno);

    // Since Linux 4.20; older kernels still work through the sll_pkttype
    // check in recv().
    int one = 1;
    if (::setsockopt(fd.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
                     sizeof(one)) != 0 &&
        errno != ENOPROTOOPT)
        return core::fail(core::Errc::kSyscall, "PACKET_IGNORE_OUTGOING",
                          errno);

    sockaddr_ll sll;
    std::memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_IPV6);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sll), sizeof(sll)) != 0)
        return core::fail(core::Errc::kSyscall, "packet bind", errno);
    return ScoutTap(std::move(fd));
}

core::Result<std::optional<TappedPacket>> ScoutTap::recv(
    core::MutableBytes buf) {
    for (;;) {
        sockaddr_ll from;
        socklen_t len = sizeof(from);
        ssize_t n = ::recvfrom(fd_.get(), buf.data(), buf.size(), 0,
                               reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return std::nullopt;
        if (n < 0)
            return core::fail(core::Errc::kSyscall, "packet recv", errno);
        if (from.sll_pkttype == PACKET_OUTGOING) continue;
        return TappedPacket{static_cast<std::size_t>(n), from.sll_ifindex};
    }
}

}  // namespace scout6::tun
