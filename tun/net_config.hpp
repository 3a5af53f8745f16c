// NetConfig: the routes, the policy rule and the nftables table one scout6
// instance needs, installed and removed through a CommandRunner.
//
// install() sends every packet whose destination is in a protected scope
// into the TUN, except packets carrying the daemon's fwmark (its own IKE,
// ESP-in-UDP and SCOUT6 packets), and loads table `ip6 scout6_<instance>`:
//   - DOq to a served address and every DOr are dropped at the input hook
//     (priority -300), before the kernel walks extension headers, so the
//     kernel sends no Parameter Problem; AF_PACKET (ScoutTap) still sees
//     them (SPEC §4 Destination node, §8);
//   - with drop_inbound_cleartext, packets from a scope address that arrive
//     on an interface other than lo and the TUN are dropped, except ICMPv6
//     errors (types 1-4), ND (133-137) and UDP to 500/4500 (SPEC §4
//     Channels).
// Every drop is counted in a named nft counter (see read_counters()).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ip6.hpp"
#include "core/result.hpp"
#include "tun/command_runner.hpp"

namespace scout6::tun {

struct NetPlan {
    std::string instance;  // [a-z0-9-], 1..32, starts with a letter or digit
    std::string tun_name;  // see is_valid_ifname()
    std::uint32_t route_table = 0;    // not 0, 253, 254, 255
    std::uint32_t rule_priority = 0;  // 1..32765, before the main table
    std::uint32_t fwmark = 0;         // non-zero; carried by daemon sockets
    std::vector<core::Ip6Prefix> scopes;
    // Addresses whose DOq the daemon answers; empty means every local
    // address.
    std::vector<core::Ip6Addr> served;
    std::uint8_t doq_option = 196;  // SPEC §3 DOq option type
    std::uint8_t dor_option = 66;   // SPEC §3 DOr option type
    bool drop_inbound_cleartext = true;
};

// Names of the counters in the nft table, as read_counters() reports them.
inline constexpr const char* kCounterDoqTaken = "doq_taken";
inline constexpr const char* kCounterDorTaken = "dor_taken";
inline constexpr const char* kCounterCleartextDropped = "cleartext_dropped";

// Checks every field that goes into a command line. Errors: kConfig.
[[nodiscard]] core::Status validate_net_plan(const NetPlan& plan);

// The nft script install() feeds to `nft -f /dev/stdin`: it creates the
// table if absent, deletes it and recreates it, in one transaction. The
// plan must be valid.
std::string render_nft_ruleset(const NetPlan& plan);

// "scout6_<instance>".
std::string nft_table_name(const NetPlan& plan);

// Named counters from the output of `nft -j list counters table ...`, as
// (name, packets) pairs in nft's order. Errors: kMalformed for output that
// is not the JSON nft writes.
[[nodiscard]] core::Result<std::vector<std::pair<std::string, std::uint64_t>>>
parse_nft_counters(std::string_view json_text);

class NetConfig {
public:
    // The runner must outlive this object.
    explicit NetConfig(CommandRunner& runner) : runner_(runner) {}

    // Installs routes, rule and table; running it again replaces them. The
    // TUN must exist. On failure, what was installed is removed again.
    // Errors: kConfig for an invalid plan (no command is run then);
    // kSyscall when a command fails (its stderr is logged).
    [[nodiscard]] core::Status install(const NetPlan& plan);

    // Removes what install() put in place. Absent pieces are fine, so it
    // can run any number of times. Every piece is attempted; the first real
    // failure is returned. Errors: kConfig, kSyscall.
    [[nodiscard]] core::Status remove(const NetPlan& plan);

    // Routes one address into the TUN, or stops doing so: the way back to
    // a peer outside the protected scope that built a channel to us, so
    // that our answers follow its channel. Errors: kConfig, kSyscall.
    [[nodiscard]] core::Status route_host(const NetPlan& plan,
                                          const core::Ip6Addr& addr, bool add);

    // What a crashed instance with this plan may have left: same as
    // remove().
    [[nodiscard]] core::Status cleanup_stale(const NetPlan& plan) {
        return remove(plan);
    }

    // The table's counters (packets), for `scout6 status`. Errors:
    // kConfig, kSyscall (nft failed, e.g. table absent), kMalformed.
    [[nodiscard]] core::Result<
        std::vector<std::pair<std::string, std::uint64_t>>>
    read_counters(const NetPlan& plan);

private:
    // Runs argv; an exit status other than 0 is an error unless stderr
    // names one of the tolerated conditions.
    [[nodiscard]] core::Status run_checked(
        const std::vector<std::string>& argv, std::string_view stdin_text,
        std::span<const std::string_view> tolerated);

    CommandRunner& runner_;
};

}  // namespace scout6::tun
