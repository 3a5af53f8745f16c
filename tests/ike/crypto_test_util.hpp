// Helpers shared by the ike_crypto_tests files: hex in, hex out.
#pragma once

#include <cstdint>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

// Lets BOOST_TEST print an Errc when a comparison fails.
namespace scout6::core {
inline std::ostream& boost_test_print_type(std::ostream& os, Errc code) {
    return os << to_string(code);
}
}  // namespace scout6::core

namespace scout6::ike::test {

// "0a1b..." to bytes; spaces are skipped so long vectors can be split.
// Throws on a bad digit: a typo in a vector is a broken test, not a pass.
inline std::vector<std::uint8_t> from_hex(std::string_view hex) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        throw std::invalid_argument("bad hex digit");
    };
    std::vector<std::uint8_t> out;
    int high = -1;
    for (char c : hex) {
        if (c == ' ') continue;
        int v = nibble(c);
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(high << 4 | v));
            high = -1;
        }
    }
    if (high >= 0) throw std::invalid_argument("odd hex length");
    return out;
}

inline std::string to_hex(core::Bytes bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (std::uint8_t b : bytes) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0xf]);
    }
    return out;
}

inline core::Bytes as_bytes(std::string_view text) {
    return core::Bytes(reinterpret_cast<const std::uint8_t*>(text.data()),
                       text.size());
}

}  // namespace scout6::ike::test
