#include "core/result.hpp"

#include <cstring>

namespace scout6::core {

const char* to_string(Errc code) {
    switch (code) {
        case Errc::kTruncated:
            return "truncated";
        case Errc::kMalformed:
            return "malformed";
        case Errc::kUnsupported:
            return "unsupported";
        case Errc::kAuthFailed:
            return "auth-failed";
        case Errc::kReplay:
            return "replay";
        case Errc::kNoSpace:
            return "no-space";
        case Errc::kNotFound:
            return "not-found";
        case Errc::kBadState:
            return "bad-state";
        case Errc::kCrypto:
            return "crypto";
        case Errc::kSyscall:
            return "syscall";
        case Errc::kConfig:
            return "config";
        case Errc::kTimeout:
            return "timeout";
        case Errc::kInternal:
            return "internal";
    }
    return "unknown";
}

std::string Error::describe() const {
    std::string text = to_string(code);
    text += ": ";
    text += detail ? detail : "";
    if (sys_errno != 0) {
        text += ": ";
        text += std::strerror(sys_errno);
    }
    return text;
}

}  // namespace scout6::core
