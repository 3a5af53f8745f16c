// TunDevice on Linux: /dev/net/tun.
//
// Stages of open_tun: validate; TUNSETIFF (IFF_TUN | IFF_NO_PI); turn off
// IPv6 address generation on the device; set the MTU; bring it up.
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tun/sysctl.hpp"
#include "tun/tun_device.hpp"
#include "tun/unique_fd.hpp"

namespace scout6::tun {

namespace {

// RFC 8200 §3: fixed header size and the version nibble.
constexpr std::size_t kIpv6HeaderSize = 40;
constexpr std::uint8_t kIpv6Version = 6;

class LinuxTun final : public TunDevice {
public:
    LinuxTun(UniqueFd fd, std::string name)
        : fd_(std::move(fd)), name_(std::move(name)) {}

    int fd() const override { return fd_.get(); }
    const std::string& name() const override { return name_; }

    core::Result<std::size_t> read(core::MutableBytes buf) override {
        for (;;) {
            ssize_t n = ::read(fd_.get(), buf.data(), buf.size());
            if (n >= 0) return static_cast<std::size_t>(n);
            if (errno == EINTR) continue;
            return core::fail(core::Errc::kSyscall, "tun read", errno);
        }
    }

    core::Status write(core::Bytes packet) override {
        if (packet.size() < kIpv6HeaderSize || (packet[0] >> 4) != kIpv6Version)
            return core::fail(core::Errc::kMalformed, "tun write: not ipv6");
        for (;;) {
            ssize_t n = ::write(fd_.get(), packet.data(), packet.size());
            if (n >= 0) return {};
            if (errno == EINTR) continue;
            return core::fail(core::Errc::kSyscall, "tun write", errno);
        }
    }

private:
    UniqueFd fd_;
    std::string name_;
};

ifreq make_ifreq(const std::string& name) {
    ifreq ifr;
    std::memset(&ifr, 0, sizeof(ifr));
    std::memcpy(ifr.ifr_name, name.data(), name.size());  // size < IFNAMSIZ
    return ifr;
}

core::Status configure_link(const std::string& name, unsigned mtu) {
    UniqueFd ctl(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!ctl.valid())
        return core::fail(core::Errc::kSyscall, "tun control socket", errno);

    ifreq ifr = make_ifreq(name);
    ifr.ifr_mtu = static_cast<int>(mtu);
    if (::ioctl(ctl.get(), SIOCSIFMTU, &ifr) != 0)
        return core::fail(core::Errc::kSyscall, "tun set mtu", errno);

    ifr = make_ifreq(name);
    if (::ioctl(ctl.get(), SIOCGIFFLAGS, &ifr) != 0)
        return core::fail(core::Errc::kSyscall, "tun get flags", errno);
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (::ioctl(ctl.get(), SIOCSIFFLAGS, &ifr) != 0)
        return core::fail(core::Errc::kSyscall, "tun set up", errno);
    return {};
}

}  // namespace

core::Result<std::unique_ptr<TunDevice>> open_tun(const std::string& name,
                                                  unsigned mtu) {
    if (!is_valid_ifname(name))
        return core::fail(core::Errc::kConfig, "bad tun name");
    if (mtu < kMinIpv6Mtu || mtu > kMaxTunMtu)
        return core::fail(core::Errc::kConfig, "tun mtu out of range");

    UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid())
        return core::fail(core::Errc::kSyscall, "open /dev/net/tun", errno);
    ifreq ifr = make_ifreq(name);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    if (::ioctl(fd.get(), TUNSETIFF, &ifr) != 0)
        return core::fail(core::Errc::kSyscall, "TUNSETIFF", errno);
    std::string actual(ifr.ifr_name, ::strnlen(ifr.ifr_name, IFNAMSIZ));

    // A TUN is ARPHRD_NONE, for which the kernel switches EUI-64 address
    // generation to random: it would get a link-local address, run DAD and
    // send router solicitations, all of which the daemon would read as
    // flow packets. Mode 1 (none) must be set before the device goes up.
    // disable_ipv6 would be wrong: it drops every packet routed out of it.
    auto gen = set_sysctl("net.ipv6.conf." + actual + ".addr_gen_mode", "1");
    if (!gen) return tl::unexpected(gen.error());

    auto link = configure_link(actual, mtu);
    if (!link) return tl::unexpected(link.error());
    return std::unique_ptr<TunDevice>(
        std::make_unique<LinuxTun>(std::move(fd), std::move(actual)));
}

}  // namespace scout6::tun
