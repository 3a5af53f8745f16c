#include "cli/config.hpp"

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

using namespace scout6;
using namespace scout6::cli;

namespace {

constexpr const char* kInlinePsk = "inline-psk-0123456789";

// A config split by table, so a test can change one part.
struct ConfigText {
    std::string node = "name = \"h1\"\naddresses = [\"fd00:2::10\"]\n";
    std::string scope = "protect = [\"fd00::/8\"]\n";
    std::string ike = std::string("psk = \"") + kInlinePsk + "\"\n";
    std::string rest;

    std::string str() const {
        return "[node]\n" + node + "[scope]\n" + scope + "[ike]\n" + ike + rest;
    }
};

// A private temporary directory, removed with everything in it.
struct TempDir {
    std::filesystem::path path;

    TempDir() {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "scout6-config-XXXXXX")
                .string();
        BOOST_REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() { std::filesystem::remove_all(path); }

    std::string write(const std::string& name, const std::string& text,
                      mode_t mode = 0600) const {
        auto file = (path / name).string();
        std::ofstream(file) << text;
        BOOST_REQUIRE(::chmod(file.c_str(), mode) == 0);
        return file;
    }
};

const std::string kSource = "/etc/scout6/test.toml";

ConfigError parse_error(const ConfigText& text) {
    auto r = parse_config(text.str(), kSource);
    BOOST_REQUIRE(!r);
    BOOST_TEST_MESSAGE(r.error().message());
    return r.error();
}

// Every error names the file, the key and says why.
void check_error(const ConfigError& e, const std::string& key,
                 const std::string& reason_part) {
    std::string msg = e.message();
    BOOST_TEST(e.key == key);
    BOOST_TEST(msg.find(kSource) == 0, msg);
    BOOST_TEST(msg.find("key '" + key + "'") != std::string::npos, msg);
    BOOST_TEST(msg.find(reason_part) != std::string::npos, msg);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_config)

BOOST_AUTO_TEST_CASE(example_file_loads) {
    auto r = load_config(SCOUT6_EXAMPLE_CONFIG);
    BOOST_REQUIRE_MESSAGE(r.has_value(),
                          (r ? std::string() : r.error().message()));
    BOOST_TEST(r->node.name == "h1");
    BOOST_REQUIRE(r->node.addresses.size() == 1);
    BOOST_TEST(r->node.addresses[0].to_string() == "fd00:2::10");
    BOOST_TEST(r->scope.protect.size() == 1);
    BOOST_TEST(r->scope.modes.size() == 4);
    BOOST_TEST(r->ike.psk.size() >= kMinPskBytes);
    BOOST_TEST(r->dataplane.fwmark == 0x5c06u);
    BOOST_TEST(r->tun_name() == "s6-h1");
    BOOST_TEST(r->nft_table() == "scout6_h1");
}

BOOST_AUTO_TEST_CASE(defaults_fill_every_optional_key) {
    auto r = parse_config(ConfigText{}.str(), kSource);
    BOOST_REQUIRE_MESSAGE(r.has_value(),
                          (r ? std::string() : r.error().message()));
    const Config& c = *r;
    BOOST_TEST(c.source == kSource);
    BOOST_TEST((c.node.role == Role::kHost));
    BOOST_TEST(c.node.log_level == "info");
    BOOST_TEST(c.node.control_socket == "/run/scout6/h1.sock");
    BOOST_TEST((c.scope.on_unsecurable == OnUnsecurable::kDrop));
    BOOST_TEST(c.scope.allows(ChannelMode::kHostHost));
    BOOST_TEST(c.scope.allows(ChannelMode::kRouterRouter));
    BOOST_TEST(c.scope.protects(*core::Ip6Addr::parse("fd12::1")));
    BOOST_TEST(!c.scope.protects(*core::Ip6Addr::parse("2001:db8::1")));
    BOOST_TEST(c.ike.psk_file.empty());
    BOOST_TEST(c.ike.known_peers.empty());
    BOOST_TEST(c.ike.retransmit_timeout.count() == 500);
    BOOST_TEST(c.ike.retransmit_tries == 5u);
    BOOST_TEST(c.discovery.first_timeout.count() == 300);
    BOOST_TEST(c.discovery.backoff == 2u);
    BOOST_TEST(c.discovery.sends_per_phase == 3u);
    BOOST_TEST(c.discovery.negative_cache.count() == 30);
    BOOST_TEST(c.discovery.raq);
    BOOST_TEST(c.discovery.doq_option == 196);
    BOOST_TEST(c.discovery.dor_option == 66);
    BOOST_TEST(c.discovery.router_alert_value == 42);
    BOOST_TEST(c.dataplane.tun_mtu == 1400u);
    BOOST_TEST(c.dataplane.route_table == 5206u);
    BOOST_TEST(c.dataplane.rule_priority == 5206u);
    BOOST_TEST(c.dataplane.fwmark == 0x5c06u);
    BOOST_TEST(c.dataplane.hold_per_flow == 32u);
    BOOST_TEST(c.dataplane.hold_total == 4096u);
    std::string psk(reinterpret_cast<const char*>(c.ike.psk.data()),
                    c.ike.psk.size());
    BOOST_TEST(psk == kInlinePsk);
}

BOOST_AUTO_TEST_CASE(explicit_values_override_defaults) {
    ConfigText t;
    t.node += "role = \"router\"\nlog_level = \"debug\"\n";
    t.scope += "on_unsecurable = \"pass\"\nmodes = [\"host-host\"]\n";
    t.ike += "known_peers = [\"fd00:3::1\"]\nretransmit_tries = 7\n";
    t.rest =
        "[discovery]\nraq = false\ndoq_option = 255\ndor_option = 127\n"
        "[dataplane]\ntun_mtu = 1280\nfwmark = 0xff\n";
    auto r = parse_config(t.str(), kSource);
    BOOST_REQUIRE_MESSAGE(r.has_value(),
                          (r ? std::string() : r.error().message()));
    BOOST_TEST((r->node.role == Role::kRouter));
    BOOST_TEST(r->node.log_level == "debug");
    BOOST_TEST((r->scope.on_unsecurable == OnUnsecurable::kPass));
    BOOST_TEST(r->scope.allows(ChannelMode::kHostHost));
    BOOST_TEST(!r->scope.allows(ChannelMode::kHostRouter));
    BOOST_REQUIRE(r->ike.known_peers.size() == 1);
    BOOST_TEST(r->ike.retransmit_tries == 7u);
    BOOST_TEST(!r->discovery.raq);
    BOOST_TEST(r->discovery.doq_option == 255);
    BOOST_TEST(r->discovery.dor_option == 127);
    BOOST_TEST(r->dataplane.tun_mtu == 1280u);
    BOOST_TEST(r->dataplane.fwmark == 0xffu);
}

BOOST_AUTO_TEST_CASE(missing_file_names_the_file_and_errno) {
    TempDir dir;
    auto path = (dir.path / "absent.toml").string();
    auto r = load_config(path);
    BOOST_REQUIRE(!r);
    std::string msg = r.error().message();
    BOOST_TEST(msg.find(path) == 0, msg);
    BOOST_TEST(msg.find("No such file") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(syntax_error_gives_file_line_and_column) {
    TempDir dir;
    auto path = dir.write("bad.toml",
                          "[node]\nname = \"h1\"\naddresses = [\n"
                          "[scope\n");
    auto r = load_config(path);
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().line == 4u);
    BOOST_TEST(r.error().column > 0u);
    std::string msg = r.error().message();
    BOOST_TEST(msg.find(path + ":4:") == 0, msg);
    BOOST_TEST(msg.find("syntax error") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(unknown_key_is_named_with_its_position) {
    ConfigText t;
    t.scope += "protekt = [\"fd00::/8\"]\n";
    auto e = parse_error(t);
    check_error(e, "scope.protekt", "unknown key");
    BOOST_TEST(e.line == 6u);    // [node], 2 keys, [scope], protect, protekt
    BOOST_TEST(e.column == 1u);  // where the key starts
}

BOOST_AUTO_TEST_CASE(unknown_table_is_named) {
    ConfigText t;
    t.rest = "[dataplan]\ntun_mtu = 1400\n";
    check_error(parse_error(t), "dataplan", "unknown table");
}

BOOST_AUTO_TEST_CASE(wrong_type_names_the_expected_type) {
    ConfigText t;
    t.rest = "[dataplane]\ntun_mtu = \"1400\"\n";
    check_error(parse_error(t), "dataplane.tun_mtu",
                "expected an integer, got a string");

    t.rest = "[discovery]\nraq = 1\n";
    check_error(parse_error(t), "discovery.raq",
                "expected a boolean, got an integer");

    t.rest = "";
    t.scope = "protect = \"fd00::/8\"\n";
    check_error(parse_error(t), "scope.protect", "expected an array");

    t.scope = "protect = [\"fd00::/8\", 7]\n";
    check_error(parse_error(t), "scope.protect[1]", "expected a string");
}

BOOST_AUTO_TEST_CASE(out_of_range_integer_names_the_range) {
    ConfigText t;
    t.rest = "[dataplane]\ntun_mtu = 1279\n";
    check_error(parse_error(t), "dataplane.tun_mtu",
                "between 1280 and 9000, got 1279");

    t.rest = "[discovery]\nsends_per_phase = 11\n";
    check_error(parse_error(t), "discovery.sends_per_phase",
                "between 1 and 10");

    t.rest = "[dataplane]\nroute_table = 254\n";
    check_error(parse_error(t), "dataplane.route_table", "kernel table");

    t.rest = "[dataplane]\nrule_priority = 32766\n";
    check_error(parse_error(t), "dataplane.rule_priority",
                "between 1 and 32765");

    t.rest = "[dataplane]\nfwmark = 0\n";
    check_error(parse_error(t), "dataplane.fwmark", "between 1 and");

    t.rest = "[dataplane]\nhold_per_flow = 64\nhold_total = 32\n";
    check_error(parse_error(t), "dataplane.hold_per_flow",
                "more than hold_total");
}

BOOST_AUTO_TEST_CASE(required_keys_are_enforced) {
    ConfigText t;
    t.node = "addresses = [\"fd00:2::10\"]\n";
    check_error(parse_error(t), "node.name", "required");

    t = ConfigText{};
    t.node = "name = \"h1\"\naddresses = []\n";
    check_error(parse_error(t), "node.addresses", "at least one");

    t = ConfigText{};
    t.scope = "on_unsecurable = \"drop\"\n";
    check_error(parse_error(t), "scope.protect", "required");

    t = ConfigText{};
    t.ike = "retransmit_tries = 3\n";
    check_error(parse_error(t), "ike.psk", "psk_file");

    auto r = parse_config("", kSource);
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().key == "node.name");
}

BOOST_AUTO_TEST_CASE(bad_values_are_refused_with_the_key) {
    ConfigText t;
    t.node = "name = \"H1_x\"\naddresses = [\"fd00:2::10\"]\n";
    check_error(parse_error(t), "node.name", "a-z, 0-9");

    t.node = "name = \"elevenchars\"\naddresses = [\"fd00:2::10\"]\n";
    check_error(parse_error(t), "node.name", "1 to 10");

    t = ConfigText{};
    t.scope = "protect = [\"fd00::1/8\"]\n";
    check_error(parse_error(t), "scope.protect[0]", "host bits");

    t.scope = "protect = [\"fd00::/8\"]\nmodes = [\"host-hots\"]\n";
    check_error(parse_error(t), "scope.modes[0]", "not one of");

    t.scope = "protect = [\"fd00::/8\"]\nmodes = []\n";
    check_error(parse_error(t), "scope.modes", "at least one mode");

    t = ConfigText{};
    t.node = "name = \"h1\"\naddresses = [\"10.0.0.1\"]\n";
    check_error(parse_error(t), "node.addresses[0]", "not an IPv6 address");

    t.node = "name = \"h1\"\naddresses = [\"ff02::1\"]\n";
    check_error(parse_error(t), "node.addresses[0]", "not a unicast");

    t.node = "name = \"h1\"\naddresses = [\"fd00::1\"]\nrole = \"switch\"\n";
    check_error(parse_error(t), "node.role", "\"router\"");

    t.node = "name = \"h1\"\naddresses = [\"fd00::1\"]\nlog_level = \"loud\"\n";
    check_error(parse_error(t), "node.log_level", "not one of");

    t.node =
        "name = \"h1\"\naddresses = [\"fd00::1\"]\n"
        "control_socket = \"run/x.sock\"\n";
    check_error(parse_error(t), "node.control_socket", "absolute");

    t = ConfigText{};
    t.ike = "psk = \"short\"\n";
    check_error(parse_error(t), "ike.psk", "at least 16 bytes");
}

BOOST_AUTO_TEST_CASE(code_point_high_bits_are_checked) {
    ConfigText t;
    t.rest = "[discovery]\ndoq_option = 66\n";
    check_error(parse_error(t), "discovery.doq_option",
                "high bits 01; they must be 11");

    t.rest = "[discovery]\ndor_option = 196\n";
    check_error(parse_error(t), "discovery.dor_option",
                "high bits 11; they must be 01");

    t.rest = "[discovery]\ndoq_option = 256\n";
    check_error(parse_error(t), "discovery.doq_option", "between 0 and 255");

    t.rest = "[discovery]\nrouter_alert_value = 65536\n";
    check_error(parse_error(t), "discovery.router_alert_value",
                "between 0 and 65535");
}

BOOST_AUTO_TEST_CASE(psk_and_psk_file_together_are_refused) {
    ConfigText t;
    t.ike += "psk_file = \"/etc/scout6/psk\"\n";
    check_error(parse_error(t), "ike.psk_file", "not both");
}

BOOST_AUTO_TEST_CASE(private_psk_file_is_read_and_trimmed) {
    TempDir dir;
    dir.write("psk", "file-psk-abcdefghijklmnop\n", 0600);
    ConfigText t;
    t.ike = "psk_file = \"psk\"\n";  // relative to the config file
    auto path = dir.write("scout6.toml", t.str());
    auto r = load_config(path);
    BOOST_REQUIRE_MESSAGE(r.has_value(),
                          (r ? std::string() : r.error().message()));
    std::string psk(reinterpret_cast<const char*>(r->ike.psk.data()),
                    r->ike.psk.size());
    BOOST_TEST(psk == "file-psk-abcdefghijklmnop");
    BOOST_TEST(r->ike.psk_file == (dir.path / "psk").string());
}

BOOST_AUTO_TEST_CASE(psk_file_readable_by_others_is_refused) {
    TempDir dir;
    for (mode_t mode : {0644, 0640, 0604, 0660}) {
        auto psk = dir.write("psk", "file-psk-abcdefghijklmnop\n", mode);
        ConfigText t;
        t.ike = "psk_file = \"" + psk + "\"\n";
        auto path = dir.write("scout6.toml", t.str());
        auto r = load_config(path);
        BOOST_REQUIRE(!r);
        std::string msg = r.error().message();
        BOOST_TEST(msg.find(path) == 0, msg);
        BOOST_TEST(r.error().key == "ike.psk_file");
        BOOST_TEST(msg.find("group or others") != std::string::npos, msg);
        BOOST_TEST(msg.find("abcdefghijklmnop") == std::string::npos, msg);
    }
}

BOOST_AUTO_TEST_CASE(psk_file_missing_short_or_not_regular_is_refused) {
    TempDir dir;
    ConfigText t;
    t.ike = "psk_file = \"" + (dir.path / "nope").string() + "\"\n";
    auto r = load_config(dir.write("a.toml", t.str()));
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().key == "ike.psk_file");
    BOOST_TEST(r.error().message().find("No such file") != std::string::npos);

    dir.write("short", "tooshort\n", 0600);
    t.ike = "psk_file = \"short\"\n";
    r = load_config(dir.write("b.toml", t.str()));
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().message().find("holds 8 bytes") != std::string::npos,
               r.error().message());

    t.ike = "psk_file = \"" + dir.path.string() + "\"\n";
    r = load_config(dir.write("c.toml", t.str()));
    BOOST_REQUIRE(!r);
    BOOST_TEST(
        r.error().message().find("not a regular file") != std::string::npos,
        r.error().message());
}

BOOST_AUTO_TEST_CASE(describe_summarises_without_the_psk) {
    auto inline_cfg = parse_config(ConfigText{}.str(), kSource);
    BOOST_REQUIRE(inline_cfg);
    std::string text = describe(*inline_cfg);
    BOOST_TEST(text.find(kInlinePsk) == std::string::npos, text);
    BOOST_TEST(text.find("psk set (inline)") != std::string::npos, text);
    BOOST_TEST(text.find("s6-h1") != std::string::npos, text);
    BOOST_TEST(text.find("fd00::/8") != std::string::npos, text);
    BOOST_TEST(text.find("DOq option 196 (0xc4)") != std::string::npos, text);
    BOOST_TEST(text.find("fwmark 0x5c06") != std::string::npos, text);

    TempDir dir;
    dir.write("psk", "file-psk-abcdefghijklmnop", 0600);
    ConfigText t;
    t.ike = "psk_file = \"psk\"\n";
    auto file_cfg = load_config(dir.write("s.toml", t.str()));
    BOOST_REQUIRE(file_cfg);
    text = describe(*file_cfg);
    BOOST_TEST(text.find("abcdefghijklmnop") == std::string::npos, text);
    BOOST_TEST(
        text.find("from " + (dir.path / "psk").string()) != std::string::npos,
        text);
}

BOOST_AUTO_TEST_CASE(every_truncation_of_the_example_fails_cleanly) {
    std::ifstream in(SCOUT6_EXAMPLE_CONFIG);
    std::string text((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
    BOOST_REQUIRE(text.size() > 100);
    std::size_t accepted = 0;
    for (std::size_t len = 0; len <= text.size(); ++len) {
        auto r = parse_config(std::string_view(text).substr(0, len), kSource);
        if (r) {
            ++accepted;
            continue;
        }
        BOOST_TEST(r.error().message().find(kSource) == 0);
        BOOST_TEST(!r.error().reason.empty());
    }
    // Only cuts after the last required key can still be valid.
    BOOST_TEST(accepted > 0u);
    BOOST_TEST(accepted < text.size() / 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cli_config_scope_limits)

BOOST_AUTO_TEST_CASE(scope_reaching_link_local_or_multicast_is_refused) {
    for (const char* scope :
         {"::/0", "fe80::/64", "ff02::/16", "fc00::/7", "::1/128"}) {
        std::string text =
            "[node]\nname = \"h1\"\naddresses = [\"fd00:1::1\"]\n"
            "[scope]\nprotect = [\"" +
            std::string(scope) + "\"]\n[ike]\npsk = \"0123456789abcdef0123\"\n";
        auto config = scout6::cli::parse_config(text, "t.toml");
        if (std::string(scope) == "fc00::/7") {
            // All of ULA, which is neither link-local nor multicast: fine.
            BOOST_TEST(config.has_value(), scope);
            continue;
        }
        BOOST_REQUIRE_MESSAGE(!config.has_value(), scope);
        BOOST_TEST(config.error().key == "scope.protect[0]", scope);
        BOOST_TEST(config.error().message().find("unicast prefixes only") !=
                   std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cli_config_hostile_text)

// toml++ 3.3.0 reaches __builtin_unreachable() on some non-ASCII code
// points (found by tests/fuzz/config_fuzz); the loader refuses them first.
BOOST_AUTO_TEST_CASE(non_ascii_letter_at_key_start_is_a_clean_error) {
    for (const char* text : {"\xC3\xA9 = 1\n", "[node]\n\xC2\xA7 = 1\n"}) {
        auto config = scout6::cli::parse_config(text, "t.toml");
        BOOST_REQUIRE(!config.has_value());
        BOOST_TEST(config.error().message().find("non-ASCII") !=
                   std::string::npos);
    }
    auto config = scout6::cli::parse_config("[node]\n\xC2\xA7 = 1\n", "t.toml");
    BOOST_REQUIRE(!config.has_value());
    BOOST_TEST(config.error().line == 2u);
    BOOST_TEST(config.error().column == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
