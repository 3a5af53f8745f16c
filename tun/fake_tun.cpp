#include "tun/fake_tun.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/log.hpp"

namespace scout6::tun {

FakeTun::FakeTun(std::string name) : name_(std::move(name)) {
    int fds[2];
    if (::pipe(fds) != 0) {
        SCOUT6_BUG("tun-001", "fake tun: pipe failed errno={}", errno);
        return;
    }
    signal_read_.reset(fds[0]);
    signal_write_.reset(fds[1]);
    for (int fd : fds) {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
}

void FakeTun::push_inbound(core::Bytes packet) {
    inbound_.emplace_back(packet.begin(), packet.end());
    const std::uint8_t one = 1;
    if (::write(signal_write_.get(), &one, 1) != 1)
        SCOUT6_BUG("tun-002", "fake tun: signal pipe full");
}

core::Result<std::size_t> FakeTun::read(core::MutableBytes buf) {
    if (inbound_.empty())
        return core::fail(core::Errc::kSyscall, "tun read", EAGAIN);
    std::uint8_t token;
    if (::read(signal_read_.get(), &token, 1) != 1)
        SCOUT6_BUG("tun-003", "fake tun: signal pipe out of step");
    const auto& packet = inbound_.front();
    std::size_t n = std::min(packet.size(), buf.size());
    std::copy_n(packet.begin(), n, buf.begin());
    inbound_.pop_front();
    return n;
}

core::Status FakeTun::write(core::Bytes packet) {
    if (packet.size() < 40 || (packet[0] >> 4) != 6)
        return core::fail(core::Errc::kMalformed, "tun write: not ipv6");
    if (failing_writes_ > 0) {
        --failing_writes_;
        return core::fail(core::Errc::kSyscall, "tun write", fail_errno_);
    }
    written_.emplace_back(packet.begin(), packet.end());
    return {};
}

}  // namespace scout6::tun
