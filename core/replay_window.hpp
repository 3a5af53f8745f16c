// ReplayWindow: the ESP anti-replay check of RFC 4303 §3.4.3, kept as the
// block bitmap of RFC 6479 so that sliding the window never shifts bits.
//
// The window remembers the highest sequence number accepted (top) and one
// bit for each of the kWindowBits numbers ending at top. check() says
// whether a number may still be accepted; update() records it. The inbound
// SA calls check() before decrypting (a cheap reject) and update() only
// after the ICV verified, so a forged packet can never move the window.
// Sequence number 0 is never sent (RFC 4303 §3.3.3) and never accepted.
// 32-bit sequence numbers only: no ESN.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace scout6::core {

class ReplayWindow {
public:
    // RFC 4303 §3.4.3 asks for at least 32, recommends 64; a larger window
    // tolerates reordering on multi-path links at 136 bytes of state.
    static constexpr std::uint32_t kWindowBits = 1024;

    // True when seq is new: above top, or inside the window and not seen.
    bool check(std::uint32_t seq) const {
        if (seq == 0) return false;
        if (seq > top_) return true;
        if (top_ - seq >= kWindowBits) return false;
        return (blocks_[block_index(seq)] & bit_mask(seq)) == 0;
    }

    // Records seq as seen, sliding the window when seq is above top. The
    // caller has checked seq with check(); an out-of-window seq is ignored.
    void update(std::uint32_t seq) {
        if (seq == 0) return;
        if (seq > top_) {
            slide_to(seq);
        } else if (top_ - seq >= kWindowBits) {
            return;
        }
        blocks_[block_index(seq)] |= bit_mask(seq);
    }

    // Highest sequence number accepted so far (0 before the first).
    std::uint32_t top() const { return top_; }

private:
    static constexpr std::uint32_t kBlockBits = 64;
    static constexpr std::uint32_t kBlockShift = 6;
    static_assert(kWindowBits % kBlockBits == 0,
                  "the window is a whole number of blocks");
    // One block more than the window (RFC 6479 §2): the block being filled
    // never shares storage with the oldest block still in the window.
    static constexpr std::size_t kBlocks = kWindowBits / kBlockBits + 1;

    static std::size_t block_index(std::uint32_t seq) {
        return (seq >> kBlockShift) % kBlocks;
    }
    static std::uint64_t bit_mask(std::uint32_t seq) {
        return std::uint64_t{1} << (seq & (kBlockBits - 1));
    }

    // Clears the blocks that enter the window between the old and new top;
    // a jump of a whole ring or more clears them all.
    void slide_to(std::uint32_t seq) {
        std::uint32_t old_block = top_ >> kBlockShift;
        std::uint32_t new_block = seq >> kBlockShift;
        std::uint32_t steps = new_block - old_block;
        if (steps > kBlocks) steps = kBlocks;
        for (std::uint32_t i = 1; i <= steps; ++i)
            blocks_[(old_block + i) % kBlocks] = 0;
        top_ = seq;
    }

    std::array<std::uint64_t, kBlocks> blocks_{};
    std::uint32_t top_ = 0;
};

}  // namespace scout6::core
