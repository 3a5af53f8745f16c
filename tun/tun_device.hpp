// TunDevice: the layer-3 device through which cleartext IPv6 packets of
// protected flows reach the daemon and decrypted packets go back in.
//
// One read() returns one whole IPv6 packet (no packet-info prefix); one
// write() injects one. The device is non-blocking: the daemon polls fd()
// with libuv and reads until EAGAIN.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace scout6::tun {

// Limits for open_tun(): RFC 8200 §5 minimum link MTU, and the largest
// non-jumbo IPv6 packet.
constexpr unsigned kMinIpv6Mtu = 1280;
constexpr unsigned kMaxTunMtu = 65535;

class TunDevice {
public:
    virtual ~TunDevice();

    // Pollable descriptor, owned by the device; valid for its lifetime.
    virtual int fd() const = 0;
    // Interface name as the kernel knows it.
    virtual const std::string& name() const = 0;

    // Reads one packet into buf and returns its size. A packet longer than
    // buf is truncated by the kernel, so buf should hold the MTU. Errors:
    // kSyscall with sys_errno EAGAIN when nothing is queued (wait for
    // readability), kSyscall otherwise.
    [[nodiscard]] virtual core::Result<std::size_t> read(
        core::MutableBytes buf) = 0;

    // Injects one IPv6 packet as if it had arrived on the device. Errors:
    // kMalformed when it is not IPv6 (version nibble) or shorter than the
    // 40-byte header; kSyscall when the kernel refuses it.
    [[nodiscard]] virtual core::Status write(core::Bytes ipv6_packet) = 0;
};

// Creates (or attaches to) TUN device `name` (IFF_TUN | IFF_NO_PI,
// non-blocking, close-on-exec), disables IPv6 address autoconfiguration on
// it (no link-local, so no DAD, router or MLD chatter comes out of it), sets
// the MTU and brings it up. The device disappears when the result is
// destroyed. Errors: kConfig for a bad name or MTU outside
// [kMinIpv6Mtu, kMaxTunMtu]; kSyscall (with errno) for kernel refusals,
// e.g. EPERM without CAP_NET_ADMIN.
[[nodiscard]] core::Result<std::unique_ptr<TunDevice>> open_tun(
    const std::string& name, unsigned mtu);

// True for a name tun/ accepts for an interface: 1 to 15 characters of
// [a-z0-9-], starting with a letter, and not "all" or "default" (which
// would collide with /proc/sys/net/ipv6/conf entries).
bool is_valid_ifname(std::string_view name);

}  // namespace scout6::tun
