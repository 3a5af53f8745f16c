// The text side of NetConfig: plan validation, the nft script, and the
// counters in nft's JSON output. No commands run here.
#include "tun/net_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tun/tun_device.hpp"

namespace scout6::tun {

namespace {

// Route table ids the kernel reserves: unspec, default, main, local.
constexpr std::uint32_t kReservedTables[] = {0, 253, 254, 255};
// `ip rule` priority of the main table lookup; ours must come first.
constexpr std::uint32_t kMainRulePriority = 32766;
constexpr std::size_t kMaxInstanceName = 32;

// SPEC §3: the DOq option is 4 data bytes in an 8-byte header, the DOr
// option 20 data bytes in a 24-byte header; the option type and length sit
// at packet offset 42 (bit offset 336 from the network header).
constexpr unsigned kDoqDataLen = 4;
constexpr unsigned kDorDataLen = 20;
constexpr unsigned kDoqPayloadLen = 8;
constexpr unsigned kDorPayloadLen = 24;
constexpr unsigned kDestOptsNextHeader = 60;
constexpr unsigned kOptionBitOffset = 42 * 8;

bool is_valid_instance(std::string_view name) {
    if (name.empty() || name.size() > kMaxInstanceName) return false;
    if (name[0] == '-') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

template <typename T, typename F>
std::string join_set(const std::vector<T>& items, F to_text) {
    std::string out = "{ ";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i != 0) out += ", ";
        out += to_text(items[i]);
    }
    return out + " }";
}

}  // namespace

core::Status validate_net_plan(const NetPlan& plan) {
    if (!is_valid_instance(plan.instance))
        return core::fail(core::Errc::kConfig, "bad instance name");
    if (!is_valid_ifname(plan.tun_name))
        return core::fail(core::Errc::kConfig, "bad tun name");
    for (auto reserved : kReservedTables)
        if (plan.route_table == reserved)
            return core::fail(core::Errc::kConfig, "reserved route table");
    if (plan.rule_priority == 0 || plan.rule_priority >= kMainRulePriority)
        return core::fail(core::Errc::kConfig, "rule priority out of range");
    if (plan.fwmark == 0)
        return core::fail(core::Errc::kConfig, "fwmark must be non-zero");
    if (plan.doq_option == plan.dor_option)
        return core::fail(core::Errc::kConfig, "doq and dor options equal");
    return {};
}

std::string nft_table_name(const NetPlan& plan) {
    return "scout6_" + plan.instance;
}

std::string render_nft_ruleset(const NetPlan& plan) {
    const std::string table = "ip6 " + nft_table_name(plan);
    std::string doq_match;
    if (!plan.served.empty())
        doq_match =
            "ip6 daddr " +
            join_set(plan.served,
                     [](const core::Ip6Addr& a) { return a.to_string(); }) +
            " ";

    std::string s;
    // Create-then-delete makes the load idempotent and atomic: one
    // transaction replaces whatever an earlier run left.
    s += fmt::format("table {}\ndelete table {}\ntable {} {{\n", table, table,
                     table);
    s += fmt::format(
        "    counter {} {{}}\n    counter {} {{}}\n"
        "    counter {} {{}}\n",
        kCounterDoqTaken, kCounterDorTaken, kCounterCleartextDropped);
    s += "    chain input {\n";
    s += "        type filter hook input priority -300; policy accept;\n";
    s += fmt::format(
        "        {}ip6 nexthdr {} ip6 length {} @nh,{},16 0x{:02x}{:02x} "
        "counter name \"{}\" drop\n",
        doq_match, kDestOptsNextHeader, kDoqPayloadLen, kOptionBitOffset,
        plan.doq_option, kDoqDataLen, kCounterDoqTaken);
    s += fmt::format(
        "        ip6 nexthdr {} ip6 length {} @nh,{},16 0x{:02x}{:02x} "
        "counter name \"{}\" drop\n",
        kDestOptsNextHeader, kDorPayloadLen, kOptionBitOffset, plan.dor_option,
        kDorDataLen, kCounterDorTaken);
    bool cleartext = plan.drop_inbound_cleartext && !plan.scopes.empty();
    if (cleartext)
        s += fmt::format(
            "        ip6 saddr {} iifname != {{ \"lo\", \"{}\" }} "
            "jump cleartext\n",
            join_set(plan.scopes,
                     [](const core::Ip6Prefix& p) { return p.to_string(); }),
            plan.tun_name);
    s += "    }\n";
    if (cleartext) {
        // Let through what keeps the network and the channels working:
        // ICMPv6 errors (RFC 4443 §3) and ND (RFC 4861 §4), IKE on 500 and
        // IKE / ESP-in-UDP on 4500 (RFC 7296 §2.23, RFC 3948).
        // Not yet: fragments from scope addresses are dropped here, since
        // the input hook sees them before reassembly; IKE messages larger
        // than the path MTU then never arrive.
        s += "    chain cleartext {\n";
        s += "        icmpv6 type { 1, 2, 3, 4, 133, 134, 135, 136, 137 } "
             "accept\n";
        s += "        udp dport { 500, 4500 } accept\n";
        s += fmt::format("        counter name \"{}\" drop\n",
                         kCounterCleartextDropped);
        s += "    }\n";
    }
    s += "}\n";
    return s;
}

core::Result<std::vector<std::pair<std::string, std::uint64_t>>>
parse_nft_counters(std::string_view json_text) {
    auto doc = nlohmann::json::parse(json_text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return core::fail(core::Errc::kMalformed, "nft json: not an object");
    auto list = doc.find("nftables");
    if (list == doc.end() || !list->is_array())
        return core::fail(core::Errc::kMalformed, "nft json: no nftables");

    std::vector<std::pair<std::string, std::uint64_t>> counters;
    for (const auto& item : *list) {
        if (!item.is_object()) continue;
        auto counter = item.find("counter");
        if (counter == item.end()) continue;
        if (!counter->is_object())
            return core::fail(core::Errc::kMalformed, "nft json: counter");
        auto name = counter->find("name");
        auto packets = counter->find("packets");
        if (name == counter->end() || !name->is_string() ||
            packets == counter->end() || !packets->is_number_unsigned())
            return core::fail(core::Errc::kMalformed, "nft json: counter");
        counters.emplace_back(name->get<std::string>(),
                              packets->get<std::uint64_t>());
    }
    return counters;
}

}  // namespace scout6::tun
