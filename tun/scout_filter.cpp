#include "tun/scout_filter.hpp"

namespace scout6::tun {

namespace {

// RFC 8200 §3 / §4.6 and SPEC §3.
constexpr std::uint32_t kVersionOffset = 0;
constexpr std::uint32_t kVersionMask = 0xf0;
constexpr std::uint32_t kVersion6 = 0x60;
constexpr std::uint32_t kNextHeaderOffset = 6;
constexpr std::uint32_t kDestOpts = 60;
constexpr std::uint32_t kOptionOffset = 42;  // option type, then its length
constexpr std::uint32_t kDoqDataLen = 4;
constexpr std::uint32_t kDorDataLen = 20;

}  // namespace

std::vector<BpfInsn> build_scout_filter(std::uint8_t doq_option,
                                        std::uint8_t dor_option) {
    const std::uint32_t doq = (std::uint32_t{doq_option} << 8) | kDoqDataLen;
    const std::uint32_t dor = (std::uint32_t{dor_option} << 8) | kDorDataLen;
    // Jump offsets count instructions after the current one.
    return {
        /* 0 */ {kBpfLdAbsB, 0, 0, kVersionOffset},
        /* 1 */ {kBpfAndK, 0, 0, kVersionMask},
        /* 2 */ {kBpfJeqK, 0, 5, kVersion6},  // else -> 8 reject
        /* 3 */ {kBpfLdAbsB, 0, 0, kNextHeaderOffset},
        /* 4 */ {kBpfJeqK, 0, 3, kDestOpts},  // else -> 8 reject
        /* 5 */ {kBpfLdAbsH, 0, 0, kOptionOffset},
        /* 6 */ {kBpfJeqK, 2, 0, doq},  // -> 9 accept
        /* 7 */ {kBpfJeqK, 1, 0, dor},  // -> 9 accept, else 8
        /* 8 */ {kBpfRetK, 0, 0, 0},
        /* 9 */ {kBpfRetK, 0, 0, kBpfAcceptAll},
    };
}

}  // namespace scout6::tun
