#include "ike/ike_sa.hpp"

#include <spdlog/fmt/fmt.h>

#include "core/log.hpp"

namespace scout6::ike {

const char* to_string(SaState s) {
    switch (s) {
        case SaState::kIdle:
            return "idle";
        case SaState::kInitSent:
            return "init-sent";
        case SaState::kAuthSent:
            return "auth-sent";
        case SaState::kHalfOpen:
            return "half-open";
        case SaState::kEstablished:
            return "established";
        case SaState::kDeleting:
            return "deleting";
        case SaState::kDead:
            return "dead";
    }
    return "unknown";
}

namespace {

// The legal moves; anything else is our bug. kInitSent -> kInitSent is a
// restart after COOKIE or INVALID_KE_PAYLOAD (§2.6, §1.3).
bool allowed(SaState from, SaState to) {
    if (to == SaState::kDead) return from != SaState::kDead;
    switch (from) {
        case SaState::kIdle:
            return to == SaState::kInitSent || to == SaState::kHalfOpen;
        case SaState::kInitSent:
            return to == SaState::kInitSent || to == SaState::kAuthSent;
        case SaState::kAuthSent:
        case SaState::kHalfOpen:
            return to == SaState::kEstablished;
        case SaState::kEstablished:
            return to == SaState::kDeleting;
        case SaState::kDeleting:
        case SaState::kDead:
            return false;
    }
    return false;
}

}  // namespace

IkeSa::IkeSa(bool is_initiator, std::uint64_t local_spi, core::TimePoint now)
    : initiator(is_initiator), created(now) {
    (initiator ? spi_i : spi_r) = local_spi;
}

bool IkeSa::transition_to(SaState next) {
    if (!allowed(state_, next)) {
        SCOUT6_BUG("ike-010", "ike: {}: refused state {} -> {}", tag(),
                   to_string(state_), to_string(next));
        return false;
    }
    // Half-open SAs come and go with unauthenticated requests: debug.
    bool unauthenticated =
        next == SaState::kHalfOpen ||
        (state_ == SaState::kHalfOpen && next == SaState::kDead);
    spdlog::log(unauthenticated ? spdlog::level::debug : spdlog::level::info,
                "ike: {}: state {} -> {}", tag(), to_string(state_),
                to_string(next));
    state_ = next;
    return true;
}

std::string IkeSa::tag() const {
    return fmt::format("{:016x}:{:016x}", spi_i, spi_r);
}

}  // namespace scout6::ike
