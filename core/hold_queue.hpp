// Packets held while discovery and IKE run for their destination (SPEC.md
// §4 "Initiator" step 1).
//
// All memory is taken at construction: a slab of max_total slots of
// max_packet_bytes each, a free list, and an open-addressing table of
// per-key FIFOs, so holding and releasing never allocate. Bounded per key
// and in total; on overflow the newest packet (the one offered) is
// dropped, which keeps the first packets of a flow (a TCP SYN, say).
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/bytes.hpp"
#include "core/ip6.hpp"

namespace scout6::core {

class HoldQueue {
public:
    // max_total < 2^31. Memory is max_total * max_packet_bytes plus a
    // few words per slot.
    HoldQueue(size_t max_total, size_t max_per_key, size_t max_packet_bytes);

    enum class HoldResult {
        kHeld,
        kDroppedKeyFull,
        kDroppedTotalFull,
        kTooBig
    };

    // Copies `packet` into a free slot queued under `key`.
    HoldResult hold(const Ip6Addr& key, Bytes packet);

    // Hands the packets held under `key` to `emit` in arrival order and
    // frees them. Each span is valid only during its emit call. The key
    // is detached first, so emit may hold new packets (they queue anew
    // and are not emitted by this call). Returns the number emitted.
    size_t release(const Ip6Addr& key, const std::function<void(Bytes)>& emit);

    // Discards the packets held under `key`; returns how many.
    size_t drop(const Ip6Addr& key);

    size_t held_total() const { return held_total_; }
    size_t held(const Ip6Addr& key) const;
    size_t max_packet_bytes() const { return slot_bytes_; }

private:
    static constexpr std::uint32_t kNone = UINT32_MAX;

    struct Slot {
        std::uint32_t length = 0;
        std::uint32_t next = kNone;
    };
    struct KeyEntry {
        Ip6Addr key;
        std::uint32_t head = kNone;
        std::uint32_t tail = kNone;
        std::uint32_t count = 0;
        bool used = false;
    };

    size_t home(const Ip6Addr& key) const;
    // Index of key's entry, or kNone.
    std::uint32_t find(const Ip6Addr& key) const;
    // Removes the entry at index i, keeping every probe chain intact.
    void erase_entry(std::uint32_t i);
    // Takes key's chain out of the table; returns its head slot.
    std::uint32_t detach(const Ip6Addr& key);
    void free_slot(std::uint32_t slot);

    size_t max_total_;
    size_t max_per_key_;
    size_t slot_bytes_;
    std::vector<std::uint8_t> storage_;
    std::vector<Slot> slots_;
    std::uint32_t free_head_ = kNone;
    std::vector<KeyEntry> table_;  // power-of-two size, load <= 1/2
    size_t table_mask_ = 0;
    size_t held_total_ = 0;
};

const char* to_string(HoldQueue::HoldResult result);

}  // namespace scout6::core
