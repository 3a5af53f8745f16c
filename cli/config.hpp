// scout6's configuration: one TOML file, loaded once at startup.
//
// load_config() reads and validates the whole file and returns either a
// complete Config (every default filled in) or one ConfigError naming the
// file, the line and column where known, the dotted key, and the reason.
// The schema and every key are documented in docs/config.md.
//
// The PSK is held in core::SecretBytes and never printed: describe() and
// ConfigError messages only say where it came from.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "core/ip6.hpp"
#include "core/secret.hpp"

namespace scout6::cli {

// A configuration failure, with everything an operator needs to fix it.
struct ConfigError {
    std::string file;          // path as given to load_config()
    std::string key;           // dotted path, "scope.protect[1]"; empty if none
    std::uint32_t line = 0;    // 1-based; 0 when not known
    std::uint32_t column = 0;  // 1-based; 0 when not known
    std::string reason;        // lower case, no trailing period

    // "FILE:LINE:COL: key 'a.b': reason"; the position and the key part
    // are left out when not known.
    std::string message() const;
};

template <typename T>
using ConfigResult = tl::expected<T, ConfigError>;

enum class Role { kHost, kRouter };
enum class OnUnsecurable { kDrop, kPass };
// Channel modes of SPEC.md §4 (paper Tables I and II).
enum class ChannelMode { kHostHost, kHostRouter, kRouterHost, kRouterRouter };

// The config spelling: "host", "router", "drop", "host-router", ...
const char* to_string(Role role);
const char* to_string(OnUnsecurable action);
const char* to_string(ChannelMode mode);

struct NodeConfig {
    std::string name;                      // [a-z0-9-]{1,10}
    std::vector<core::Ip6Addr> addresses;  // at least one, unicast
    Role role = Role::kHost;
    std::string log_level = "info";
    std::string control_socket;  // default "/run/scout6/<name>.sock"
};

struct ScopeConfig {
    std::vector<core::Ip6Prefix> protect;  // at least one
    OnUnsecurable on_unsecurable = OnUnsecurable::kDrop;
    std::vector<ChannelMode> modes;  // non-empty, no duplicates

    bool allows(ChannelMode mode) const;
    bool protects(const core::Ip6Addr& dst) const;
};

struct IkeConfig {
    core::SecretBytes psk;  // at least kMinPskBytes
    std::string psk_file;   // empty when the PSK was given inline
    std::vector<core::Ip6Addr> known_peers;
    std::chrono::milliseconds retransmit_timeout{500};
    std::uint32_t retransmit_tries = 5;
};

struct DiscoveryConfig {
    std::chrono::milliseconds first_timeout{300};
    std::uint32_t backoff = 2;
    std::uint32_t sends_per_phase = 3;
    std::chrono::seconds negative_cache{30};
    bool raq = true;
    // Defaults are the paper's values; see the code-point note in
    // docs/config.md and SPEC.md §3.
    std::uint8_t doq_option = 196;
    std::uint8_t dor_option = 66;
    std::uint16_t router_alert_value = 42;
};

struct DataplaneConfig {
    std::uint32_t tun_mtu = 1400;
    std::uint32_t route_table = 5206;
    std::uint32_t rule_priority = 5206;
    std::uint32_t fwmark = 0x5c06;
    std::uint32_t hold_per_flow = 32;
    std::uint32_t hold_total = 4096;
};

struct Config {
    std::string source;  // the file it was loaded from
    NodeConfig node;
    ScopeConfig scope;
    IkeConfig ike;
    DiscoveryConfig discovery;
    DataplaneConfig dataplane;

    std::string tun_name() const { return "s6-" + node.name; }
    std::string nft_table() const { return "scout6_" + node.name; }
};

inline constexpr std::size_t kMinPskBytes = 16;
inline constexpr std::size_t kMaxConfigBytes = 1 << 20;
inline constexpr std::size_t kMaxPskFileBytes = 4096;

// Reads, parses and validates the file at `path`. A relative psk_file is
// taken relative to the directory of `path`. Errors: missing or unreadable
// file (with strerror), TOML syntax (with line and column), unknown table
// or key, wrong type, value out of range, failed cross-key rule.
[[nodiscard]] ConfigResult<Config> load_config(const std::string& path);

// As load_config(), from text already in memory; `source_name` stands in
// for the file name in errors and for resolving a relative psk_file.
[[nodiscard]] ConfigResult<Config> parse_config(std::string_view text,
                                                const std::string& source_name);

// Multi-line operator summary for `scout6 check-config`. Contains no
// secret: the PSK shows only as "set (inline)" or "set (from FILE)".
std::string describe(const Config& config);

}  // namespace scout6::cli
