// FakeTun: an in-memory TunDevice for tests of other modules.
//
// Packets pushed with push_inbound() come out of read() in order, as if
// applications had sent them into the device; packets given to write() are
// kept, in order, in written(). fd() is the read end of a private pipe that
// is readable exactly while inbound packets are queued, so a libuv loop can
// poll it like a real device. Single-threaded use only.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "tun/tun_device.hpp"
#include "tun/unique_fd.hpp"

namespace scout6::tun {

class FakeTun final : public TunDevice {
public:
    explicit FakeTun(std::string name = "fake0");

    int fd() const override { return signal_read_.get(); }
    const std::string& name() const override { return name_; }

    // Errors: kSyscall/EAGAIN when the queue is empty; the packet is
    // truncated to buf like a real TUN would.
    [[nodiscard]] core::Result<std::size_t> read(
        core::MutableBytes buf) override;
    // Errors: kMalformed as the real device; the error set with
    // fail_writes() when one is pending.
    [[nodiscard]] core::Status write(core::Bytes packet) override;

    void push_inbound(core::Bytes packet);
    std::size_t inbound_queued() const { return inbound_.size(); }

    const std::vector<std::vector<std::uint8_t>>& written() const {
        return written_;
    }
    void clear_written() { written_.clear(); }

    // Makes the next `count` writes fail with kSyscall / err.
    void fail_writes(int count, int err) {
        failing_writes_ = count;
        fail_errno_ = err;
    }

private:
    std::string name_;
    UniqueFd signal_read_;
    UniqueFd signal_write_;
    std::deque<std::vector<std::uint8_t>> inbound_;
    std::vector<std::vector<std::uint8_t>> written_;
    int failing_writes_ = 0;
    int fail_errno_ = 0;
};

}  // namespace scout6::tun
