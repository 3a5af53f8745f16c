#include "core/log.hpp"

namespace scout6::core {

namespace {
std::atomic<std::uint64_t> g_bugs{0};
}

bool set_log_level(std::string_view level) {
    using spdlog::level::level_enum;
    level_enum lvl;
    if (level == "error")
        lvl = spdlog::level::err;
    else if (level == "warn")
        lvl = spdlog::level::warn;
    else if (level == "info")
        lvl = spdlog::level::info;
    else if (level == "debug")
        lvl = spdlog::level::debug;
    else if (level == "trace")
        lvl = spdlog::level::trace;
    else
        return false;
    spdlog::set_level(lvl);
    return true;
}

void count_bug() {
    g_bugs.fetch_add(1, std::memory_order_relaxed);
}
std::uint64_t bug_count() {
    return g_bugs.load(std::memory_order_relaxed);
}

}  // namespace scout6::core
