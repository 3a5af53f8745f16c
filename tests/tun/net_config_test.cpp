#include "tun/net_config.hpp"

#include <boost/test/unit_test.hpp>

#include "tests/tun/test_print.hpp"
#include "tun/fake_command_runner.hpp"

using namespace scout6;
using tun::CommandOutput;
using tun::FakeCommandRunner;
using tun::NetConfig;
using tun::NetPlan;
using Argv = std::vector<std::string>;

namespace {

NetPlan lab_plan() {
    NetPlan plan;
    plan.instance = "lab1";
    plan.tun_name = "s6tun0";
    plan.route_table = 100;
    plan.rule_priority = 90;
    plan.fwmark = 0x5c06;
    plan.scopes = {*core::Ip6Prefix::parse("fd00:20::/48"),
                   *core::Ip6Prefix::parse("fd00:10::2")};
    plan.served = {*core::Ip6Addr::parse("fd00:10::1"),
                   *core::Ip6Addr::parse("fd00:21::1")};
    plan.doq_option = 196;
    plan.dor_option = 66;
    return plan;
}

const char* const kLabRuleset =
    "table ip6 scout6_lab1\n"
    "delete table ip6 scout6_lab1\n"
    "table ip6 scout6_lab1 {\n"
    "    counter doq_taken {}\n"
    "    counter dor_taken {}\n"
    "    counter cleartext_dropped {}\n"
    "    chain input {\n"
    "        type filter hook input priority -300; policy accept;\n"
    "        ip6 daddr { fd00:10::1, fd00:21::1 } ip6 nexthdr 60 "
    "ip6 length 8 @nh,336,16 0xc404 counter name \"doq_taken\" drop\n"
    "        ip6 nexthdr 60 ip6 length 24 @nh,336,16 0x4214 "
    "counter name \"dor_taken\" drop\n"
    "        ip6 saddr { fd00:20::/48, fd00:10::2/128 } "
    "iifname != { \"lo\", \"s6tun0\" } jump cleartext\n"
    "    }\n"
    "    chain cleartext {\n"
    "        icmpv6 type { 1, 2, 3, 4, 133, 134, 135, 136, 137 } accept\n"
    "        udp dport { 500, 4500 } accept\n"
    "        counter name \"cleartext_dropped\" drop\n"
    "    }\n"
    "}\n";

const Argv kRuleDel = {"ip",  "-6",     "rule",   "del",    "pref", "90",
                       "not", "fwmark", "0x5c06", "lookup", "100"};

std::vector<Argv> argvs(const FakeCommandRunner& fake) {
    std::vector<Argv> out;
    for (const auto& c : fake.calls()) out.push_back(c.argv);
    return out;
}

CommandOutput failed(std::string err) {
    return CommandOutput{2, "", std::move(err)};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tun_net_config)

BOOST_AUTO_TEST_CASE(install_runs_routes_rule_then_ruleset) {
    FakeCommandRunner fake;
    NetConfig config(fake);
    BOOST_REQUIRE(config.install(lab_plan()).has_value());

    std::vector<Argv> expected = {
        {"ip", "-6", "route", "replace", "unreachable", "fd00:20::/48", "table",
         "100", "metric", "4294967295"},
        {"ip", "-6", "route", "replace", "fd00:20::/48", "dev", "s6tun0",
         "table", "100"},
        {"ip", "-6", "route", "replace", "unreachable", "fd00:10::2/128",
         "table", "100", "metric", "4294967295"},
        {"ip", "-6", "route", "replace", "fd00:10::2/128", "dev", "s6tun0",
         "table", "100"},
        {"ip", "-6", "rule", "add", "pref", "90", "not", "fwmark", "0x5c06",
         "lookup", "100"},
        {"nft", "-f", "/dev/stdin"},
    };
    BOOST_TEST(argvs(fake) == expected, boost::test_tools::per_element());
    BOOST_REQUIRE(fake.calls().size() == 6u);
    BOOST_TEST(fake.calls()[5].stdin_text == std::string(kLabRuleset));
    for (std::size_t i = 0; i < 5; ++i)
        BOOST_TEST(fake.calls()[i].stdin_text.empty());
}

BOOST_AUTO_TEST_CASE(ruleset_follows_option_types_and_flags) {
    NetPlan plan = lab_plan();
    plan.doq_option = 0xde;
    plan.dor_option = 0x5e;
    plan.served.clear();
    plan.drop_inbound_cleartext = false;
    std::string text = tun::render_nft_ruleset(plan);
    BOOST_TEST(text.find("@nh,336,16 0xde04") != std::string::npos);
    BOOST_TEST(text.find("@nh,336,16 0x5e14") != std::string::npos);
    // No served list: DOq to any local address is taken.
    BOOST_TEST(text.find("ip6 daddr") == std::string::npos);
    BOOST_TEST(text.find("jump cleartext") == std::string::npos);
    BOOST_TEST(text.find("chain cleartext") == std::string::npos);
    // The counter exists anyway so status always lists the same names.
    BOOST_TEST(text.find("counter cleartext_dropped {}") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(no_scopes_means_no_cleartext_rule) {
    NetPlan plan = lab_plan();
    plan.scopes.clear();
    std::string text = tun::render_nft_ruleset(plan);
    BOOST_TEST(text.find("ip6 saddr") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(repeated_install_accepts_existing_rule) {
    FakeCommandRunner fake;
    fake.responder =
        [](const FakeCommandRunner::Call& c) -> core::Result<CommandOutput> {
        if (c.argv.size() > 3 && c.argv[2] == "rule")
            return failed("RTNETLINK answers: File exists\n");
        return CommandOutput{};
    };
    NetConfig config(fake);
    BOOST_TEST(config.install(lab_plan()).has_value());
    BOOST_TEST(fake.calls().size() == 6u);
}

BOOST_AUTO_TEST_CASE(invalid_names_are_refused_before_any_command) {
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"", "s6tun0"},
        {"Lab", "s6tun0"},
        {"lab;rm", "s6tun0"},
        {"lab 1", "s6tun0"},
        {"-lab", "s6tun0"},
        {"lab\n", "s6tun0"},
        {std::string(33, 'a'), "s6tun0"},
        {"lab1", ""},
        {"lab1", "s6tun0-too-long-x"},
        {"lab1", "0tun"},
        {"lab1", "tun\"0"},
        {"lab1", "all"},
        {"lab1", "default"},
        {"lab1", "tun/0"},
    };
    for (const auto& [instance, tun_name] : bad) {
        FakeCommandRunner fake;
        NetConfig config(fake);
        NetPlan plan = lab_plan();
        plan.instance = instance;
        plan.tun_name = tun_name;
        for (auto status : {config.install(plan), config.remove(plan),
                            config.cleanup_stale(plan)}) {
            BOOST_REQUIRE(!status.has_value());
            BOOST_TEST(status.error().code == core::Errc::kConfig);
        }
        BOOST_TEST(!config.read_counters(plan).has_value());
        BOOST_TEST(fake.calls().empty(), instance << " / " << tun_name);
    }
}

BOOST_AUTO_TEST_CASE(reserved_tables_priorities_and_marks_are_refused) {
    for (std::uint32_t table : {0u, 253u, 254u, 255u}) {
        NetPlan plan = lab_plan();
        plan.route_table = table;
        BOOST_TEST(!tun::validate_net_plan(plan).has_value());
    }
    for (std::uint32_t pref : {0u, 32766u, 40000u}) {
        NetPlan plan = lab_plan();
        plan.rule_priority = pref;
        BOOST_TEST(!tun::validate_net_plan(plan).has_value());
    }
    NetPlan no_mark = lab_plan();
    no_mark.fwmark = 0;
    BOOST_TEST(!tun::validate_net_plan(no_mark).has_value());
    NetPlan same_options = lab_plan();
    same_options.dor_option = same_options.doq_option;
    BOOST_TEST(!tun::validate_net_plan(same_options).has_value());
    BOOST_TEST(tun::validate_net_plan(lab_plan()).has_value());
}

BOOST_AUTO_TEST_CASE(remove_runs_rule_routes_then_table) {
    FakeCommandRunner fake;
    NetConfig config(fake);
    BOOST_REQUIRE(config.remove(lab_plan()).has_value());
    std::vector<Argv> expected = {
        kRuleDel,
        {"ip", "-6", "route", "flush", "table", "100"},
        {"nft", "delete", "table", "ip6", "scout6_lab1"},
    };
    BOOST_TEST(argvs(fake) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(route_host_adds_and_removes_one_address) {
    FakeCommandRunner fake;
    NetConfig config(fake);
    auto peer = *core::Ip6Addr::parse("fd00:99::7");
    BOOST_REQUIRE(config.route_host(lab_plan(), peer, true).has_value());
    fake.push_result(failed("RTNETLINK answers: No such process\n"));
    BOOST_REQUIRE(config.route_host(lab_plan(), peer, false).has_value());
    std::vector<Argv> expected = {
        {"ip", "-6", "route", "replace", "fd00:99::7/128", "dev",
         lab_plan().tun_name, "table", "100"},
        {"ip", "-6", "route", "del", "fd00:99::7/128", "table", "100"},
    };
    BOOST_TEST(argvs(fake) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(remove_tolerates_absent_pieces) {
    // The messages iproute2 6.1 and nftables 1.0.6 print on this machine.
    FakeCommandRunner fake;
    fake.push_result(failed("RTNETLINK answers: No such file or directory\n"));
    fake.push_result(failed("Error: FIB table does not exist.\n"));
    fake.push_result(CommandOutput{
        1, "",
        "Error: Could not process rule: No such file or directory\n"
        "delete table ip6 scout6_lab1\n"});
    NetConfig config(fake);
    BOOST_TEST(config.cleanup_stale(lab_plan()).has_value());
    BOOST_TEST(fake.calls().size() == 3u);
}

BOOST_AUTO_TEST_CASE(remove_reports_real_failures_but_tries_every_piece) {
    FakeCommandRunner fake;
    fake.push_result(failed("RTNETLINK answers: Operation not permitted\n"));
    NetConfig config(fake);
    auto status = config.remove(lab_plan());
    BOOST_REQUIRE(!status.has_value());
    BOOST_TEST(status.error().code == core::Errc::kSyscall);
    BOOST_TEST(fake.calls().size() == 3u);  // rule, route flush, table
}

BOOST_AUTO_TEST_CASE(failed_install_rolls_back) {
    FakeCommandRunner fake;
    fake.responder =
        [](const FakeCommandRunner::Call& c) -> core::Result<CommandOutput> {
        if (c.argv[0] == "nft" && c.argv[1] == "-f")
            return failed("Error: syntax error\n");
        return CommandOutput{};
    };
    NetConfig config(fake);
    auto status = config.install(lab_plan());
    BOOST_REQUIRE(!status.has_value());
    BOOST_TEST(status.error().code == core::Errc::kSyscall);
    // 2 x 2 routes + rule + nft, then the 3 removal commands.
    BOOST_REQUIRE(fake.calls().size() == 9u);
    BOOST_TEST(fake.calls()[6].argv == kRuleDel);
    BOOST_TEST(fake.calls()[8].argv[1] == "delete");
}

BOOST_AUTO_TEST_CASE(spawn_failure_stops_install) {
    FakeCommandRunner fake;
    fake.push_result(core::fail(core::Errc::kSyscall, "posix_spawnp", 2));
    NetConfig config(fake);
    auto status = config.install(lab_plan());
    BOOST_REQUIRE(!status.has_value());
    BOOST_TEST(status.error().sys_errno == 2);
    BOOST_TEST(fake.calls()[1].argv == kRuleDel);  // straight to rollback
}

BOOST_AUTO_TEST_CASE(reads_counters_from_nft_json) {
    FakeCommandRunner fake;
    // Shape of `nft -j list counters table ip6 scout6_lab1` (nft 1.0.6).
    fake.push_result(CommandOutput{
        0,
        R"({"nftables": [{"metainfo": {"version": "1.0.6",)"
        R"( "release_name": "Lester Gooch #5", "json_schema_version": 1}},)"
        R"( {"counter": {"family": "ip6", "name": "doq_taken", "table":)"
        R"( "scout6_lab1", "handle": 1, "packets": 3, "bytes": 144}},)"
        R"( {"counter": {"family": "ip6", "name": "dor_taken", "table":)"
        R"( "scout6_lab1", "handle": 2, "packets": 0, "bytes": 0}}]})",
        ""});
    NetConfig config(fake);
    auto counters = config.read_counters(lab_plan());
    BOOST_REQUIRE(counters.has_value());
    BOOST_REQUIRE(counters->size() == 2u);
    BOOST_TEST((*counters)[0].first == "doq_taken");
    BOOST_TEST((*counters)[0].second == 3u);
    BOOST_TEST((*counters)[1].first == "dor_taken");
    BOOST_TEST((*counters)[1].second == 0u);
    BOOST_TEST(fake.calls()[0].argv == (Argv{"nft", "-j", "list", "counters",
                                             "table", "ip6", "scout6_lab1"}));
}

BOOST_AUTO_TEST_CASE(rejects_counter_json_it_cannot_read) {
    for (const char* text :
         {"", "not json", "[]", R"({"other": []})",
          R"({"nftables": [{"counter": {"name": "x"}}]})",
          R"({"nftables": [{"counter": {"name": 1, "packets": 1}}]})",
          R"({"nftables": [{"counter": {"name": "x", "packets": -1}}]})",
          R"({"nftables": [{"counter": []}]})"}) {
        auto counters = tun::parse_nft_counters(text);
        BOOST_REQUIRE_MESSAGE(!counters.has_value(), text);
        BOOST_TEST(counters.error().code == core::Errc::kMalformed);
    }
}

BOOST_AUTO_TEST_CASE(failed_nft_list_is_an_error) {
    FakeCommandRunner fake;
    fake.push_result(failed("Error: No such file or directory\n"));
    NetConfig config(fake);
    auto counters = config.read_counters(lab_plan());
    BOOST_REQUIRE(!counters.has_value());
    BOOST_TEST(counters.error().code == core::Errc::kSyscall);
}

BOOST_AUTO_TEST_SUITE_END()
