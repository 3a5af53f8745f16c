// Shared pieces of the libFuzzer targets in tests/fuzz/: the frame format
// that cuts one fuzz input into a sequence of events, its writer (used by
// the seed generator), and the invariant checks every target applies.
//
// Frame format, repeated to the end of the input:
//
//   | op (1) | length (2, big endian) | length bytes |
//
// A last frame that declares more bytes than are left carries what is
// left, so every input decodes to something. Each target defines what its
// ops mean (op values are taken modulo the number of ops).
#pragma once

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/bytes.hpp"
#include "core/log.hpp"

namespace scout6::fuzz {

// One event cut out of a fuzz input; `data` points into the input.
struct Frame {
    std::uint8_t op = 0;
    core::Bytes data;
};

inline constexpr std::size_t kFrameHeaderBytes = 3;

class FrameReader {
public:
    explicit FrameReader(core::Bytes input) : input_(input) {}

    // The next frame, or false at the end of the input.
    bool next(Frame& out) {
        if (input_.size() - pos_ < kFrameHeaderBytes) return false;
        out.op = input_[pos_];
        std::size_t length =
            static_cast<std::size_t>(input_[pos_ + 1]) << 8 | input_[pos_ + 2];
        pos_ += kFrameHeaderBytes;
        std::size_t take = std::min(length, input_.size() - pos_);
        out.data = input_.subspan(pos_, take);
        pos_ += take;
        return true;
    }

private:
    core::Bytes input_;
    std::size_t pos_ = 0;
};

// Builds inputs in the frame format; the seed generator's side.
class FrameWriter {
public:
    void raw(std::uint8_t byte) { bytes_.push_back(byte); }
    void add(std::uint8_t op, core::Bytes data) {
        std::size_t n = std::min<std::size_t>(data.size(), 0xffff);
        bytes_.push_back(op);
        bytes_.push_back(static_cast<std::uint8_t>(n >> 8));
        bytes_.push_back(static_cast<std::uint8_t>(n));
        bytes_.insert(bytes_.end(), data.begin(), data.begin() + n);
    }
    // A frame whose body is one big-endian u32.
    void add_u32(std::uint8_t op, std::uint32_t value) {
        std::uint8_t b[4] = {static_cast<std::uint8_t>(value >> 24),
                             static_cast<std::uint8_t>(value >> 16),
                             static_cast<std::uint8_t>(value >> 8),
                             static_cast<std::uint8_t>(value)};
        add(op, core::Bytes(b, sizeof(b)));
    }
    const std::vector<std::uint8_t>& bytes() const { return bytes_; }

private:
    std::vector<std::uint8_t> bytes_;
};

// Reads up to four bytes as a big-endian number (0 for none).
inline std::uint32_t read_be_u32(core::Bytes data) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < data.size() && i < 4; ++i) v = v << 8 | data[i];
    return v;
}

// Logs would cost most of the time and flood the terminal, so they are
// off; SCOUT6_FUZZ_LOG=debug (any level name) turns them on to triage a
// reproducer.
inline void quiet_logs() {
    const char* level = std::getenv("SCOUT6_FUZZ_LOG");
    if (level == nullptr || !core::set_log_level(level))
        spdlog::set_level(spdlog::level::off);
}

// An invariant broke: say which, and crash so that libFuzzer keeps the
// input as a reproducer.
[[noreturn]] inline void invariant_failed(const char* what) {
    std::fprintf(stderr, "scout6 fuzz invariant failed: %s\n", what);
    std::abort();
}

// SCOUT6_BUG marks our own broken invariants (STYLE: "our bug"); no input
// may trigger one.
class BugCheck {
public:
    BugCheck() : before_(core::bug_count()) {}
    ~BugCheck() {
        if (core::bug_count() != before_)
            invariant_failed("input reached a SCOUT6_BUG path");
    }
    BugCheck(const BugCheck&) = delete;
    BugCheck& operator=(const BugCheck&) = delete;

private:
    std::uint64_t before_;
};

}  // namespace scout6::fuzz
