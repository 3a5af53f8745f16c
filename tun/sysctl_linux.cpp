#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "tun/sysctl.hpp"
#include "tun/unique_fd.hpp"

namespace scout6::tun {

namespace {

// Maps "net.ipv6.conf.x.y" to "/proc/sys/net/ipv6/conf/x/y". Interface
// names with dots are not accepted by tun/, so every dot is a separator.
core::Result<std::string> key_path(std::string_view key) {
    if (key.empty() || key.find("..") != std::string_view::npos)
        return core::fail(core::Errc::kConfig, "bad sysctl key");
    std::string path = "/proc/sys/";
    for (char c : key) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
        if (!ok) return core::fail(core::Errc::kConfig, "bad sysctl key");
        path += c == '.' ? '/' : c;
    }
    return path;
}

core::Error open_error(int err) {
    if (err == ENOENT)
        return core::Error{core::Errc::kNotFound, "no such sysctl", err};
    return core::Error{core::Errc::kSyscall, "sysctl open", err};
}

}  // namespace

core::Status set_sysctl(std::string_view key, std::string_view value) {
    auto path = key_path(key);
    if (!path) return tl::unexpected(path.error());
    UniqueFd fd(::open(path->c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid()) return tl::unexpected(open_error(errno));
    ssize_t n = ::write(fd.get(), value.data(), value.size());
    if (n < 0) return core::fail(core::Errc::kSyscall, "sysctl write", errno);
    if (static_cast<std::size_t>(n) != value.size())
        return core::fail(core::Errc::kSyscall, "sysctl short write");
    return {};
}

core::Result<std::string> get_sysctl(std::string_view key) {
    auto path = key_path(key);
    if (!path) return tl::unexpected(path.error());
    UniqueFd fd(::open(path->c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return tl::unexpected(open_error(errno));
    std::string text;
    char buf[256];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return core::fail(core::Errc::kSyscall, "sysctl read", errno);
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

}  // namespace scout6::tun
