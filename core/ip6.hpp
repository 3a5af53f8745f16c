// IPv6 addresses and prefixes as plain values, hashable for O(1) tables.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.hpp"

struct in6_addr;

namespace scout6::core {

struct Ip6Addr {
    std::array<std::uint8_t, 16> bytes{};

    static Result<Ip6Addr> parse(std::string_view text);
    static Ip6Addr from_bytes(const std::uint8_t* sixteen);
    static Ip6Addr from_in6(const in6_addr& a);
    void to_in6(in6_addr& out) const;

    std::string to_string() const;
    bool is_unspecified() const;
    bool is_multicast() const { return bytes[0] == 0xff; }
    bool is_link_local() const {
        return bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80;
    }

    friend bool operator==(const Ip6Addr&, const Ip6Addr&) = default;
    friend auto operator<=>(const Ip6Addr&, const Ip6Addr&) = default;
};

struct Ip6Prefix {
    Ip6Addr addr;
    std::uint8_t length = 128;

    // "fd00:1::/64"; a bare address means /128. Host bits must be zero.
    static Result<Ip6Prefix> parse(std::string_view text);
    bool contains(const Ip6Addr& a) const;
    std::string to_string() const;

    friend bool operator==(const Ip6Prefix&, const Ip6Prefix&) = default;
};

struct Ip6AddrHash {
    std::size_t operator()(const Ip6Addr& a) const noexcept {
        // FNV-1a; addresses come from peers, but tables keyed by them are
        // bounded, so a keyed hash is not needed here.
        std::uint64_t h = 1469598103934665603ULL;
        for (auto b : a.bytes) h = (h ^ b) * 1099511628211ULL;
        return static_cast<std::size_t>(h);
    }
};

// The unordered pair {a, b}: one IP-flow, both directions (SPEC §2).
struct FlowKey {
    Ip6Addr low;
    Ip6Addr high;

    static FlowKey of(const Ip6Addr& a, const Ip6Addr& b) {
        return a < b ? FlowKey{a, b} : FlowKey{b, a};
    }
    friend bool operator==(const FlowKey&, const FlowKey&) = default;
};

struct FlowKeyHash {
    std::size_t operator()(const FlowKey& k) const noexcept {
        Ip6AddrHash h;
        return h(k.low) * 31 + h(k.high);
    }
};

}  // namespace scout6::core
