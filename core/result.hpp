// Result and Error: how scout6 reports failure without exceptions.
//
// Every fallible function returns Result<T>. An Error carries a code a
// caller can branch on, a static detail string for the log, and the errno
// of a failed system call where there was one.
#pragma once

#include <string>
#include <tl/expected.hpp>

namespace scout6::core {

enum class Errc {
    kTruncated,    // input ended before a field it declares
    kMalformed,    // input is complete but breaks the format
    kUnsupported,  // valid input asking for something we do not do
    kAuthFailed,   // integrity check or authentication failed
    kReplay,       // sequence number already seen or too old
    kNoSpace,      // output buffer or table is full
    kNotFound,     // no such SA, flow, address or file
    kBadState,     // valid input at the wrong moment
    kCrypto,       // OpenSSL or libsodium refused an operation
    kSyscall,      // a system call failed; errno is set
    kConfig,       // configuration is invalid
    kTimeout,      // a peer did not answer in time
    kInternal,     // a scout6 bug; see SCOUT6_BUG
};

const char* to_string(Errc code);

struct Error {
    Errc code;
    const char* detail;  // static string, never owned
    int sys_errno = 0;

    // "code: detail" plus strerror when sys_errno is set.
    std::string describe() const;
};

template <typename T>
using Result = tl::expected<T, Error>;

using Status = Result<void>;

inline tl::unexpected<Error> fail(Errc code, const char* detail,
                                  int sys_errno = 0) {
    return tl::unexpected<Error>(Error{code, detail, sys_errno});
}

}  // namespace scout6::core
