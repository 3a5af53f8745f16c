// Hold queue. Stages of hold(): size check, per-key bound, take a slot
// from the free list, copy, append to the key's FIFO (creating the key's
// table entry on its first packet). release() and drop() detach the
// key's FIFO from the table first and then walk it, freeing slots.
#include "core/hold_queue.hpp"

#include <cstring>

#include "core/log.hpp"

namespace scout6::core {

namespace {

size_t table_size_for(size_t max_total) {
    // At most one key per held packet; twice that keeps the load at or
    // under one half, so linear probing always finds an empty entry.
    size_t size = 2;
    while (size < 2 * max_total) size *= 2;
    return size;
}

}  // namespace

const char* to_string(HoldQueue::HoldResult result) {
    switch (result) {
        case HoldQueue::HoldResult::kHeld:
            return "held";
        case HoldQueue::HoldResult::kDroppedKeyFull:
            return "dropped-key-full";
        case HoldQueue::HoldResult::kDroppedTotalFull:
            return "dropped-total-full";
        case HoldQueue::HoldResult::kTooBig:
            return "too-big";
    }
    return "unknown";
}

HoldQueue::HoldQueue(size_t max_total, size_t max_per_key,
                     size_t max_packet_bytes)
    : max_total_(max_total < kNone / 2 ? max_total : kNone / 2),
      max_per_key_(max_per_key),
      slot_bytes_(max_packet_bytes),
      storage_(max_total_ * max_packet_bytes),
      slots_(max_total_),
      table_(table_size_for(max_total_)),
      table_mask_(table_.size() - 1) {
    // Free list in index order, so the first packets land at the start of
    // the slab.
    for (size_t i = max_total_; i > 0; --i) {
        slots_[i - 1].next = free_head_;
        free_head_ = static_cast<std::uint32_t>(i - 1);
    }
}

size_t HoldQueue::home(const Ip6Addr& key) const {
    return Ip6AddrHash{}(key)&table_mask_;
}

std::uint32_t HoldQueue::find(const Ip6Addr& key) const {
    for (size_t i = home(key);; i = (i + 1) & table_mask_) {
        if (!table_[i].used) return kNone;
        if (table_[i].key == key) return static_cast<std::uint32_t>(i);
    }
}

HoldQueue::HoldResult HoldQueue::hold(const Ip6Addr& key, Bytes packet) {
    if (packet.size() > slot_bytes_) return HoldResult::kTooBig;
    const std::uint32_t entry = find(key);
    const size_t count = entry == kNone ? 0 : table_[entry].count;
    if (count >= max_per_key_) return HoldResult::kDroppedKeyFull;
    if (free_head_ == kNone) return HoldResult::kDroppedTotalFull;

    const std::uint32_t slot = free_head_;
    free_head_ = slots_[slot].next;
    slots_[slot] = Slot{static_cast<std::uint32_t>(packet.size()), kNone};
    if (!packet.empty())
        std::memcpy(storage_.data() + slot * slot_bytes_, packet.data(),
                    packet.size());
    ++held_total_;

    if (entry != kNone) {
        KeyEntry& e = table_[entry];
        slots_[e.tail].next = slot;
        e.tail = slot;
        ++e.count;
        return HoldResult::kHeld;
    }
    size_t i = home(key);
    while (table_[i].used) i = (i + 1) & table_mask_;
    table_[i] = KeyEntry{key, slot, slot, 1, true};
    return HoldResult::kHeld;
}

void HoldQueue::erase_entry(std::uint32_t index) {
    // Backward-shift deletion for linear probing: pull later entries of
    // the cluster into the hole when their home position allows it, so no
    // tombstones are needed.
    size_t hole = index;
    table_[hole].used = false;
    for (size_t j = (hole + 1) & table_mask_; table_[j].used;
         j = (j + 1) & table_mask_) {
        const size_t k = home(table_[j].key);
        const bool movable =
            hole <= j ? (k <= hole || k > j) : (k <= hole && k > j);
        if (!movable) continue;
        table_[hole] = table_[j];
        table_[j].used = false;
        hole = j;
    }
}

std::uint32_t HoldQueue::detach(const Ip6Addr& key) {
    const std::uint32_t entry = find(key);
    if (entry == kNone) return kNone;
    const std::uint32_t head = table_[entry].head;
    erase_entry(entry);
    return head;
}

void HoldQueue::free_slot(std::uint32_t slot) {
    if (held_total_ == 0) {
        SCOUT6_BUG("hold-001", "freeing slot {} with nothing held", slot);
        return;
    }
    slots_[slot].next = free_head_;
    slots_[slot].length = 0;
    free_head_ = slot;
    --held_total_;
}

size_t HoldQueue::release(const Ip6Addr& key,
                          const std::function<void(Bytes)>& emit) {
    size_t emitted = 0;
    for (std::uint32_t slot = detach(key); slot != kNone;) {
        const std::uint32_t next = slots_[slot].next;
        emit(Bytes(storage_.data() + slot * slot_bytes_, slots_[slot].length));
        free_slot(slot);
        slot = next;
        ++emitted;
    }
    return emitted;
}

size_t HoldQueue::drop(const Ip6Addr& key) {
    size_t dropped = 0;
    for (std::uint32_t slot = detach(key); slot != kNone;) {
        const std::uint32_t next = slots_[slot].next;
        free_slot(slot);
        slot = next;
        ++dropped;
    }
    return dropped;
}

size_t HoldQueue::held(const Ip6Addr& key) const {
    const std::uint32_t entry = find(key);
    return entry == kNone ? 0 : table_[entry].count;
}

}  // namespace scout6::core
