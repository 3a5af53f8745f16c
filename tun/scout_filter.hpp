// The classic BPF program that lets only SCOUT6 messages reach ScoutTap.
//
// Kept apart from the socket so it can be built and checked without root,
// and so a BSD backend (whose BPF uses the same instruction set) can reuse
// it. The program runs on the packet from its IPv6 header (AF_PACKET
// SOCK_DGRAM) and accepts exactly: version 6, Next Header 60, and at
// offset 42 the option type / length pair of a DOq (doq_option, 4) or a
// DOr (dor_option, 20), SPEC §3. Anything shorter than 44 bytes is
// rejected, since a load past the end makes classic BPF return 0.
#pragma once

#include <cstdint>
#include <vector>

namespace scout6::tun {

// Same layout and meaning as struct sock_filter / struct bpf_insn.
struct BpfInsn {
    std::uint16_t code;
    std::uint8_t jt;
    std::uint8_t jf;
    std::uint32_t k;
};

// Classic BPF opcodes used here (identical on Linux and the BSDs).
inline constexpr std::uint16_t kBpfLdAbsB = 0x30;  // BPF_LD|BPF_B|BPF_ABS
inline constexpr std::uint16_t kBpfLdAbsH = 0x28;  // BPF_LD|BPF_H|BPF_ABS
inline constexpr std::uint16_t kBpfAndK = 0x54;    // BPF_ALU|BPF_AND|BPF_K
inline constexpr std::uint16_t kBpfJeqK = 0x15;    // BPF_JMP|BPF_JEQ|BPF_K
inline constexpr std::uint16_t kBpfRetK = 0x06;    // BPF_RET|BPF_K

// What an accepting program returns: bytes to keep (the whole packet).
inline constexpr std::uint32_t kBpfAcceptAll = 0xffff;

std::vector<BpfInsn> build_scout_filter(std::uint8_t doq_option,
                                        std::uint8_t dor_option);

}  // namespace scout6::tun
