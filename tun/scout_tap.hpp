// ScoutTap: sees every DOq and DOr that reaches this node, on any
// interface, including those the nft table drops before the IPv6 stack
// would answer or discard them (SPEC §8).
//
// Linux: AF_PACKET / SOCK_DGRAM / ETH_P_IPV6 with the scout_filter.hpp
// program attached; packets this node sends itself are skipped. Needs
// CAP_NET_RAW. Non-blocking, close-on-exec, move-only; fd() for libuv.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "tun/unique_fd.hpp"

namespace scout6::tun {

struct TappedPacket {
    std::size_t size = 0;  // IPv6 packet from its first byte, at buf start
    int ifindex = 0;       // interface it arrived on
};

class ScoutTap {
public:
    [[nodiscard]] static core::Result<ScoutTap> open(std::uint8_t doq_option,
                                                     std::uint8_t dor_option);
    int fd() const { return fd_.get(); }

    // One tapped packet into buf (truncated to buf), or nullopt when none
    // is queued. Errors: kSyscall.
    [[nodiscard]] core::Result<std::optional<TappedPacket>> recv(
        core::MutableBytes buf);

private:
    explicit ScoutTap(UniqueFd fd) : fd_(std::move(fd)) {}
    UniqueFd fd_;
};

}  // namespace scout6::tun
