// ByteReader and ByteWriter: the only way scout6 touches wire bytes.
//
// A ByteReader walks untrusted input. Every read checks what is left; a
// failed read leaves the cursor where it was and makes the reader "failed"
// for good, so a parser can do a run of reads and check once at the end.
// A ByteWriter fills a caller-owned buffer and refuses to write past it,
// with the same sticky failure. Integers are big-endian (network order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace scout6::core {

using Bytes = std::span<const std::uint8_t>;
using MutableBytes = std::span<std::uint8_t>;

class ByteReader {
public:
    explicit ByteReader(Bytes input) : input_(input) {}

    bool ok() const { return ok_; }
    std::size_t remaining() const { return input_.size() - pos_; }
    std::size_t position() const { return pos_; }

    bool read_u8(std::uint8_t& out) { return read_be(out); }
    bool read_u16(std::uint16_t& out) { return read_be(out); }
    bool read_u32(std::uint32_t& out) { return read_be(out); }
    bool read_u64(std::uint64_t& out) { return read_be(out); }

    // A view of the next n bytes; valid as long as the input is.
    bool read_bytes(std::size_t n, Bytes& out) {
        if (!take(n)) return false;
        out = input_.subspan(pos_ - n, n);
        return true;
    }

    bool copy_bytes(MutableBytes out) {
        if (!take(out.size())) return false;
        if (!out.empty())
            std::memcpy(out.data(), &input_[pos_ - out.size()], out.size());
        return true;
    }

    bool skip(std::size_t n) { return take(n); }

    // Everything not yet read.
    Bytes rest() const { return input_.subspan(pos_); }

private:
    bool take(std::size_t n) {
        if (!ok_ || n > remaining()) {
            ok_ = false;
            return false;
        }
        pos_ += n;
        return true;
    }

    template <typename T>
    bool read_be(T& out) {
        if (!take(sizeof(T))) return false;
        T value = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i)
            value = static_cast<T>((value << 8) | input_[pos_ - sizeof(T) + i]);
        out = value;
        return true;
    }

    Bytes input_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

class ByteWriter {
public:
    explicit ByteWriter(MutableBytes buffer) : buf_(buffer) {}

    bool ok() const { return ok_; }
    std::size_t size() const { return pos_; }
    std::size_t remaining() const { return buf_.size() - pos_; }
    Bytes written() const { return Bytes(buf_.data(), pos_); }

    bool write_u8(std::uint8_t v) { return write_be(v); }
    bool write_u16(std::uint16_t v) { return write_be(v); }
    bool write_u32(std::uint32_t v) { return write_be(v); }
    bool write_u64(std::uint64_t v) { return write_be(v); }

    bool write_bytes(Bytes data) {
        if (!reserve(data.size())) return false;
        if (!data.empty())
            std::memcpy(&buf_[pos_ - data.size()], data.data(), data.size());
        return true;
    }

    bool write_zeros(std::size_t n) {
        if (!reserve(n)) return false;
        std::memset(&buf_[pos_ - n], 0, n);
        return true;
    }

    // Reserves n bytes to fill in later (a length field, say) and returns
    // their offset, or SIZE_MAX when they do not fit.
    std::size_t reserve_at(std::size_t n) {
        if (!reserve(n)) return SIZE_MAX;
        return pos_ - n;
    }

    // Overwrites a big-endian u16 or u32 at an offset already written.
    bool patch_u16(std::size_t offset, std::uint16_t v) {
        if (!ok_ || offset + 2 > pos_) return ok_ = false;
        buf_[offset] = static_cast<std::uint8_t>(v >> 8);
        buf_[offset + 1] = static_cast<std::uint8_t>(v);
        return true;
    }
    bool patch_u32(std::size_t offset, std::uint32_t v) {
        if (!ok_ || offset + 4 > pos_) return ok_ = false;
        for (int i = 0; i < 4; ++i)
            buf_[offset + i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
        return true;
    }

private:
    bool reserve(std::size_t n) {
        if (!ok_ || n > remaining()) {
            ok_ = false;
            return false;
        }
        pos_ += n;
        return true;
    }

    template <typename T>
    bool write_be(T v) {
        if (!reserve(sizeof(T))) return false;
        for (std::size_t i = 0; i < sizeof(T); ++i)
            buf_[pos_ - sizeof(T) + i] =
                static_cast<std::uint8_t>(v >> (8 * (sizeof(T) - 1 - i)));
        return true;
    }

    MutableBytes buf_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

}  // namespace scout6::core
