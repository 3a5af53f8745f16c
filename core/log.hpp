// Logging: spdlog underneath, scout6's conventions on top.
//
// Lines read "subsystem: context: message key=value". Anything a remote
// peer can trigger is logged at debug through SCOUT6_LOG_EVERY_N_SEC and
// also counted, so a hostile peer can neither flood the log nor hide.
#pragma once

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <string_view>

namespace scout6::core {

// Sets the level from "error", "warn", "info", "debug" or "trace"; returns
// false for any other word.
bool set_log_level(std::string_view level);

// Once per `seconds` per call site, by steady time.
class LogRateLimit {
public:
    bool allow(int seconds) {
        auto now = std::chrono::steady_clock::now().time_since_epoch().count();
        auto last = last_.load(std::memory_order_relaxed);
        auto gap =
            std::chrono::nanoseconds(std::chrono::seconds(seconds)).count();
        if (last != 0 && now - last < gap) return false;
        last_.store(now, std::memory_order_relaxed);
        return true;
    }

private:
    std::atomic<std::int64_t> last_{0};
};

}  // namespace scout6::core

#define SCOUT6_LOG_EVERY_N_SEC(level, seconds, ...)                 \
    do {                                                            \
        static ::scout6::core::LogRateLimit scout6_rl_;             \
        if (spdlog::should_log(level) && scout6_rl_.allow(seconds)) \
            spdlog::log(level, __VA_ARGS__);                        \
    } while (0)

// A broken internal invariant: our bug, not the peer's. Logged (the first
// few times), counted, and the caller returns Errc::kInternal so that only
// the affected SA or flow is torn down.
#define SCOUT6_BUG(id, ...)                                 \
    do {                                                    \
        ::scout6::core::count_bug();                        \
        SCOUT6_LOG_EVERY_N_SEC(spdlog::level::err, 10,      \
                               "bug " id ": " __VA_ARGS__); \
    } while (0)

namespace scout6::core {
void count_bug();
std::uint64_t bug_count();
}  // namespace scout6::core
