// Reading and writing kernel parameters through /proc/sys.
//
// Keys use the dotted sysctl(8) form, "net.ipv6.conf.all.forwarding".
// Writes apply to the network namespace of the calling thread.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace scout6::tun {

// Writes value to the parameter. Errors: kConfig for a key with "..", "/"
// or characters outside [a-z0-9._-]; kNotFound when it does not exist;
// kSyscall for other failures.
[[nodiscard]] core::Status set_sysctl(std::string_view key,
                                      std::string_view value);

// Reads the parameter, trailing newline removed. Errors as set_sysctl.
[[nodiscard]] core::Result<std::string> get_sysctl(std::string_view key);

}  // namespace scout6::tun
