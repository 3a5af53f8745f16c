#include "core/ip6.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>

namespace scout6::core {

Result<Ip6Addr> Ip6Addr::parse(std::string_view text) {
    char buf[INET6_ADDRSTRLEN + 1];
    if (text.size() >= sizeof(buf))
        return fail(Errc::kMalformed, "address too long");
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    Ip6Addr out;
    if (inet_pton(AF_INET6, buf, out.bytes.data()) != 1)
        return fail(Errc::kMalformed, "not an IPv6 address");
    return out;
}

Ip6Addr Ip6Addr::from_bytes(const std::uint8_t* sixteen) {
    Ip6Addr out;
    std::memcpy(out.bytes.data(), sixteen, 16);
    return out;
}

Ip6Addr Ip6Addr::from_in6(const in6_addr& a) {
    return from_bytes(reinterpret_cast<const std::uint8_t*>(&a));
}

void Ip6Addr::to_in6(in6_addr& out) const {
    std::memcpy(&out, bytes.data(), 16);
}

std::string Ip6Addr::to_string() const {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof(buf));
    return buf;
}

bool Ip6Addr::is_unspecified() const {
    for (auto b : bytes)
        if (b) return false;
    return true;
}

Result<Ip6Prefix> Ip6Prefix::parse(std::string_view text) {
    Ip6Prefix out;
    auto slash = text.find('/');
    auto addr = Ip6Addr::parse(text.substr(0, slash));
    if (!addr) return tl::unexpected(addr.error());
    out.addr = *addr;
    if (slash != std::string_view::npos) {
        auto len_text = text.substr(slash + 1);
        unsigned len = 0;
        auto [end, ec] = std::from_chars(
            len_text.data(), len_text.data() + len_text.size(), len);
        if (ec != std::errc() || end != len_text.data() + len_text.size() ||
            len > 128)
            return fail(Errc::kMalformed, "prefix length must be 0-128");
        out.length = static_cast<std::uint8_t>(len);
    }
    for (unsigned bit = out.length; bit < 128; ++bit)
        if (out.addr.bytes[bit / 8] & (0x80 >> (bit % 8)))
            return fail(Errc::kMalformed, "prefix has host bits set");
    return out;
}

bool Ip6Prefix::contains(const Ip6Addr& a) const {
    unsigned full = length / 8;
    if (std::memcmp(a.bytes.data(), addr.bytes.data(), full) != 0) return false;
    unsigned rest = length % 8;
    if (rest == 0) return true;
    auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (a.bytes[full] & mask) == (addr.bytes[full] & mask);
}

std::string Ip6Prefix::to_string() const {
    return addr.to_string() + "/" + std::to_string(length);
}

}  // namespace scout6::core
