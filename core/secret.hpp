// SecretBytes: key material that wipes itself when it goes away.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "core/bytes.hpp"

namespace scout6::core {

class SecretBytes {
public:
    SecretBytes() = default;
    explicit SecretBytes(std::size_t n) : data_(n, 0) {}
    explicit SecretBytes(Bytes from) : data_(from.begin(), from.end()) {}
    SecretBytes(const SecretBytes&) = default;
    SecretBytes& operator=(const SecretBytes& other) {
        if (this != &other) {
            wipe();
            data_ = other.data_;
        }
        return *this;
    }
    SecretBytes(SecretBytes&& other) noexcept : data_(std::move(other.data_)) {
        other.data_.clear();
    }
    SecretBytes& operator=(SecretBytes&& other) noexcept {
        if (this != &other) {
            wipe();
            data_ = std::move(other.data_);
            other.data_.clear();
        }
        return *this;
    }
    ~SecretBytes() { wipe(); }

    std::size_t size() const { return data_.size(); }
    bool empty() const { return data_.empty(); }
    std::uint8_t* data() { return data_.data(); }
    const std::uint8_t* data() const { return data_.data(); }
    Bytes view() const { return Bytes(data_.data(), data_.size()); }
    MutableBytes mutable_view() {
        return MutableBytes(data_.data(), data_.size());
    }

    // Resizing never leaves a stale copy behind: wipe, then reallocate.
    void assign(Bytes from) {
        wipe();
        data_.assign(from.begin(), from.end());
    }

private:
    void wipe() {
        if (!data_.empty()) sodium_memzero(data_.data(), data_.size());
        data_.clear();
    }

    std::vector<std::uint8_t> data_;
};

}  // namespace scout6::core
