// NetConfig on Linux: iproute2 and nftables, run through CommandRunner.
//
// install: routes (one per scope) -> policy rule -> nft table.
// remove:  policy rule -> routes -> nft table, each tolerating absence.
#include <fmt/format.h>

#include "core/log.hpp"
#include "tun/net_config.hpp"

namespace scout6::tun {

namespace {

// What `ip` and `nft` print when the thing to delete is not there (checked
// with iproute2 6.1 and nftables 1.0.6): a missing rule, table or set
// (ENOENT), route (ESRCH), route table, or device.
constexpr std::string_view kAbsent[] = {"No such file or directory",
                                        "No such process", "does not exist",
                                        "Cannot find device"};
constexpr std::string_view kExists[] = {"File exists"};
// The largest IPv6 route metric: the fail-closed route loses to any other.
constexpr const char* kFailClosedMetric = "4294967295";

std::string hex(std::uint32_t v) {
    return fmt::format("0x{:x}", v);
}

std::vector<std::string> rule_argv(const NetPlan& plan, const char* verb) {
    return {"ip",
            "-6",
            "rule",
            verb,
            "pref",
            std::to_string(plan.rule_priority),
            "not",
            "fwmark",
            hex(plan.fwmark),
            "lookup",
            std::to_string(plan.route_table)};
}

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

}  // namespace

core::Status NetConfig::run_checked(
    const std::vector<std::string>& argv, std::string_view stdin_text,
    std::span<const std::string_view> tolerated) {
    auto out = runner_.run(argv, stdin_text);
    if (!out) {
        spdlog::warn("tun: netconfig: cannot run {}: {}", argv[0],
                     out.error().describe());
        return tl::unexpected(out.error());
    }
    if (out->exit_code == 0) return {};
    for (auto text : tolerated)
        if (out->err.find(text) != std::string::npos) return {};
    spdlog::warn("tun: netconfig: `{}` exited {}: {}", fmt::join(argv, " "),
                 out->exit_code, trimmed(out->err));
    return core::fail(core::Errc::kSyscall, "network command failed");
}

core::Status NetConfig::install(const NetPlan& plan) {
    auto valid = validate_net_plan(plan);
    if (!valid) return valid;

    // Each scope gets two routes: through the TUN, and an unreachable one
    // behind it at the worst metric. The TUN's route goes with the TUN when
    // the daemon dies without cleaning up; the unreachable one stays, so
    // the flows fail closed instead of falling through to the main table
    // in the clear. The next start flushes it.
    core::Status status;
    auto table = std::to_string(plan.route_table);
    for (const auto& scope : plan.scopes) {
        status = run_checked(
            {"ip", "-6", "route", "replace", "unreachable", scope.to_string(),
             "table", table, "metric", kFailClosedMetric},
            {}, {});
        if (status)
            status =
                run_checked({"ip", "-6", "route", "replace", scope.to_string(),
                             "dev", plan.tun_name, "table", table},
                            {}, {});
        if (!status) break;
    }
    // The kernel refuses an identical second rule with EEXIST, which is
    // what a repeated install should get.
    if (status) status = run_checked(rule_argv(plan, "add"), {}, kExists);
    if (status)
        status = run_checked({"nft", "-f", "/dev/stdin"},
                             render_nft_ruleset(plan), {});
    if (status) {
        spdlog::info("tun: {}: installed {} scope routes in table {}",
                     plan.instance, plan.scopes.size(), plan.route_table);
        return status;
    }

    auto undo = remove(plan);
    if (!undo)
        spdlog::warn("tun: {}: rollback after failed install incomplete",
                     plan.instance);
    return status;
}

core::Status NetConfig::remove(const NetPlan& plan) {
    auto valid = validate_net_plan(plan);
    if (!valid) return valid;

    core::Status first;
    auto keep_first = [&first](core::Status s) {
        if (first && !s) first = s;
    };
    keep_first(run_checked(rule_argv(plan, "del"), {}, kAbsent));
    // The table is ours alone: flushing it also takes the per-peer routes
    // that route_host() added.
    keep_first(run_checked({"ip", "-6", "route", "flush", "table",
                            std::to_string(plan.route_table)},
                           {}, kAbsent));
    keep_first(run_checked(
        {"nft", "delete", "table", "ip6", nft_table_name(plan)}, {}, kAbsent));
    return first;
}

core::Status NetConfig::route_host(const NetPlan& plan,
                                   const core::Ip6Addr& addr, bool add) {
    auto valid = validate_net_plan(plan);
    if (!valid) return valid;
    auto host = core::Ip6Prefix{addr, 128}.to_string();
    auto table = std::to_string(plan.route_table);
    if (add)
        return run_checked({"ip", "-6", "route", "replace", host, "dev",
                            plan.tun_name, "table", table},
                           {}, {});
    return run_checked({"ip", "-6", "route", "del", host, "table", table}, {},
                       kAbsent);
}

core::Result<std::vector<std::pair<std::string, std::uint64_t>>>
NetConfig::read_counters(const NetPlan& plan) {
    auto valid = validate_net_plan(plan);
    if (!valid) return tl::unexpected(valid.error());
    auto out = runner_.run({"nft", "-j", "list", "counters", "table", "ip6",
                            nft_table_name(plan)});
    if (!out) return tl::unexpected(out.error());
    if (out->exit_code != 0)
        return core::fail(core::Errc::kSyscall, "nft list counters failed");
    return parse_nft_counters(out->out);
}

}  // namespace scout6::tun
