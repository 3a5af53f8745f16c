// Config loading: read the file, parse TOML, walk each table by hand.
//
// Stages: read the file (size-capped) -> toml::parse (no exceptions) ->
// per-table readers that record which keys they consumed -> unknown-key
// check -> cross-key rules -> PSK (inline or from a private file).
// The first failure wins and is reported with file, position and key.
#include "cli/config.hpp"

#include <fcntl.h>
#include <spdlog/fmt/fmt.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <set>

namespace scout6::cli {

namespace {

constexpr std::size_t kMaxNodeName = 10;  // "s6-" + 10 fits IFNAMSIZ
// sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
constexpr std::size_t kMaxSocketPath = sizeof(sockaddr_un::sun_path) - 1;

const char* type_name(toml::node_type type) {
    switch (type) {
        case toml::node_type::none:
            return "nothing";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a float";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
    }
    return "an unknown type";
}

// Collects the first error; every reader returns false once it is set.
class Loader {
public:
    Loader(std::string file, std::string base_dir)
        : file_(std::move(file)), base_dir_(std::move(base_dir)) {}

    bool fail(const std::string& key, const toml::node* where,
              std::string reason) {
        return fail_at(key, where ? &where->source() : nullptr,
                       std::move(reason));
    }

    bool fail_at(const std::string& key, const toml::source_region* where,
                 std::string reason) {
        if (error_) return false;
        ConfigError e{file_, key, 0, 0, std::move(reason)};
        if (where) {
            e.line = where->begin.line;
            e.column = where->begin.column;
        }
        error_ = std::move(e);
        return false;
    }

    const std::string& file() const { return file_; }
    const std::string& base_dir() const { return base_dir_; }
    std::optional<ConfigError>& error() { return error_; }

private:
    std::string file_;
    std::string base_dir_;
    std::optional<ConfigError> error_;
};

// One [table]: hands out its keys and remembers which were asked for, so
// that anything left over is an unknown key.
class Section {
public:
    Section(Loader& loader, const toml::table* table, std::string name)
        : loader_(loader), table_(table), name_(std::move(name)) {}

    std::string key(std::string_view k) const {
        return name_ + "." + std::string(k);
    }
    const toml::node* get(std::string_view k) {
        known_.insert(std::string(k));
        return table_ ? table_->get(k) : nullptr;
    }
    const toml::table* table() const { return table_; }
    Loader& loader() { return loader_; }

    bool check_unknown() {
        if (!table_) return true;
        for (auto&& [k, v] : *table_) {
            if (known_.count(std::string(k.str()))) continue;
            std::string known;
            for (const auto& name : known_)
                known += (known.empty() ? "" : ", ") + name;
            return loader_.fail_at(
                key(k.str()), &k.source(),
                "unknown key (known in [" + name_ + "]: " + known + ")");
        }
        return true;
    }

    bool require(std::string_view k) {
        if (get(k)) return true;
        return loader_.fail(key(k), table_, "required key is missing");
    }

private:
    Loader& loader_;
    const toml::table* table_;
    std::string name_;
    std::set<std::string> known_;
};

bool wrong_type(Section& s, std::string_view k, const toml::node& n,
                const char* expected) {
    return s.loader().fail(
        s.key(k), &n,
        fmt::format("expected {}, got {}", expected, type_name(n.type())));
}

template <typename T>
bool read_int(Section& s, std::string_view k, std::int64_t lo, std::int64_t hi,
              T& out) {
    const toml::node* n = s.get(k);
    if (!n) return true;
    const auto* v = n->as_integer();
    if (!v) return wrong_type(s, k, *n, "an integer");
    std::int64_t x = v->get();
    if (x < lo || x > hi)
        return s.loader().fail(
            s.key(k), n,
            fmt::format("must be between {} and {}, got {}", lo, hi, x));
    out = static_cast<T>(x);
    return true;
}

template <typename Rep, typename Period>
bool read_duration(Section& s, std::string_view k, std::int64_t lo,
                   std::int64_t hi, std::chrono::duration<Rep, Period>& out) {
    Rep count = out.count();
    if (!read_int(s, k, lo, hi, count)) return false;
    out = std::chrono::duration<Rep, Period>(count);
    return true;
}

bool read_bool(Section& s, std::string_view k, bool& out) {
    const toml::node* n = s.get(k);
    if (!n) return true;
    const auto* v = n->as_boolean();
    if (!v) return wrong_type(s, k, *n, "a boolean");
    out = v->get();
    return true;
}

// Leaves `out` alone when the key is absent; `node_out` says if present.
bool read_string(Section& s, std::string_view k, std::string& out,
                 const toml::node** node_out = nullptr) {
    const toml::node* n = s.get(k);
    if (node_out) *node_out = n;
    if (!n) return true;
    const auto* v = n->as_string();
    if (!v) return wrong_type(s, k, *n, "a string");
    out = v->get();
    return true;
}

struct StringItem {
    std::string key;  // "scope.protect[2]"
    std::string value;
    const toml::node* node;
};

bool read_string_array(Section& s, std::string_view k,
                       std::vector<StringItem>& out, bool& present) {
    const toml::node* n = s.get(k);
    present = n != nullptr;
    if (!n) return true;
    const auto* arr = n->as_array();
    if (!arr) return wrong_type(s, k, *n, "an array of strings");
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const toml::node& item = *arr->get(i);
        std::string item_key = fmt::format("{}[{}]", s.key(k), i);
        const auto* str = item.as_string();
        if (!str)
            return s.loader().fail(item_key, &item,
                                   fmt::format("expected a string, got {}",
                                               type_name(item.type())));
        out.push_back({item_key, str->get(), &item});
    }
    return true;
}

// Unicast IPv6 addresses, no duplicates; `required` means at least one.
bool read_addresses(Section& s, std::string_view k, bool required,
                    std::vector<core::Ip6Addr>& out) {
    std::vector<StringItem> items;
    bool present = false;
    if (!read_string_array(s, k, items, present)) return false;
    if (required && items.empty())
        return s.loader().fail(
            s.key(k), present ? s.get(k) : s.table(),
            present ? "needs at least one address" : "required key is missing");
    for (const auto& item : items) {
        auto a = core::Ip6Addr::parse(item.value);
        if (!a)
            return s.loader().fail(
                item.key, item.node,
                fmt::format("'{}' is not an IPv6 address", item.value));
        if (a->is_multicast() || a->is_unspecified())
            return s.loader().fail(
                item.key, item.node,
                fmt::format("'{}' is not a unicast address", item.value));
        if (std::find(out.begin(), out.end(), *a) != out.end())
            return s.loader().fail(
                item.key, item.node,
                fmt::format("'{}' is listed twice", item.value));
        out.push_back(*a);
    }
    return true;
}

bool valid_node_name(std::string_view name) {
    // It becomes part of an interface name, which must start with a letter
    // or digit.
    if (name.empty() || name.size() > kMaxNodeName || name.front() == '-')
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

bool read_node(Loader& ld, const toml::table* t, NodeConfig& out) {
    Section s(ld, t, "node");
    const toml::node* n = nullptr;
    if (!s.require("name") || !read_string(s, "name", out.name, &n))
        return false;
    if (!valid_node_name(out.name))
        return ld.fail(s.key("name"), n,
                       fmt::format("'{}' must be 1 to {} characters from "
                                   "a-z, 0-9 and '-', not starting with '-'",
                                   out.name, kMaxNodeName));
    if (!read_addresses(s, "addresses", true, out.addresses)) return false;

    std::string role = "host";
    if (!read_string(s, "role", role, &n)) return false;
    if (role == "host")
        out.role = Role::kHost;
    else if (role == "router")
        out.role = Role::kRouter;
    else
        return ld.fail(
            s.key("role"), n,
            fmt::format("'{}' is neither \"host\" nor \"router\"", role));

    if (!read_string(s, "log_level", out.log_level, &n)) return false;
    static const std::set<std::string> kLevels = {"error", "warn", "info",
                                                  "debug", "trace"};
    if (!kLevels.count(out.log_level))
        return ld.fail(s.key("log_level"), n,
                       fmt::format("'{}' is not one of error, warn, info, "
                                   "debug, trace",
                                   out.log_level));

    out.control_socket = "/run/scout6/" + out.name + ".sock";
    if (!read_string(s, "control_socket", out.control_socket, &n)) return false;
    if (out.control_socket.empty() || out.control_socket[0] != '/')
        return ld.fail(s.key("control_socket"), n, "must be an absolute path");
    if (out.control_socket.size() > kMaxSocketPath)
        return ld.fail(s.key("control_socket"), n,
                       fmt::format("is {} bytes long; a unix socket path "
                                   "holds at most {}",
                                   out.control_socket.size(), kMaxSocketPath));
    return s.check_unknown();
}

std::optional<ChannelMode> mode_from_string(std::string_view text) {
    for (auto m : {ChannelMode::kHostHost, ChannelMode::kHostRouter,
                   ChannelMode::kRouterHost, ChannelMode::kRouterRouter})
        if (text == to_string(m)) return m;
    return std::nullopt;
}

// Two prefixes overlap when one contains the other's first address.
bool overlaps(const core::Ip6Prefix& a, const core::Ip6Prefix& b) {
    return a.contains(b.addr) || b.contains(a.addr);
}

// Address ranges a scope must not reach: routing them into the TUN would
// cut the node off its own link (neighbour discovery, router
// advertisements, multicast) or its loopback.
const char* reserved_overlap(const core::Ip6Prefix& p) {
    static const struct {
        const char* prefix;
        const char* what;
    } kReserved[] = {{"fe80::/10", "link-local fe80::/10"},
                     {"ff00::/8", "multicast ff00::/8"},
                     {"::1/128", "loopback ::1"},
                     {"::/128", "the unspecified address"}};
    for (const auto& r : kReserved)
        if (overlaps(p, *core::Ip6Prefix::parse(r.prefix))) return r.what;
    return nullptr;
}

bool read_scope(Loader& ld, const toml::table* t, ScopeConfig& out) {
    Section s(ld, t, "scope");
    std::vector<StringItem> items;
    bool present = false;
    if (!read_string_array(s, "protect", items, present)) return false;
    if (items.empty())
        return ld.fail(
            s.key("protect"), present ? s.get("protect") : t,
            present ? "needs at least one prefix" : "required key is missing");
    for (const auto& item : items) {
        auto p = core::Ip6Prefix::parse(item.value);
        if (!p)
            return ld.fail(item.key, item.node,
                           fmt::format("'{}' is not a valid IPv6 prefix: {}",
                                       item.value, p.error().detail));
        if (const char* what = reserved_overlap(*p))
            return ld.fail(item.key, item.node,
                           fmt::format("'{}' covers {}; protect unicast "
                                       "prefixes only (e.g. fd00::/8)",
                                       item.value, what));
        out.protect.push_back(*p);
    }

    std::string action = "drop";
    const toml::node* n = nullptr;
    if (!read_string(s, "on_unsecurable", action, &n)) return false;
    if (action == "drop")
        out.on_unsecurable = OnUnsecurable::kDrop;
    else if (action == "pass")
        out.on_unsecurable = OnUnsecurable::kPass;
    else
        return ld.fail(
            s.key("on_unsecurable"), n,
            fmt::format("'{}' is neither \"drop\" nor \"pass\"", action));

    items.clear();
    if (!read_string_array(s, "modes", items, present)) return false;
    if (!present) {
        out.modes = {ChannelMode::kHostHost, ChannelMode::kHostRouter,
                     ChannelMode::kRouterHost, ChannelMode::kRouterRouter};
    } else if (items.empty()) {
        return ld.fail(s.key("modes"), s.get("modes"),
                       "needs at least one mode; an empty list would "
                       "secure nothing");
    }
    for (const auto& item : items) {
        auto m = mode_from_string(item.value);
        if (!m)
            return ld.fail(item.key, item.node,
                           fmt::format("'{}' is not one of host-host, "
                                       "host-router, router-host, "
                                       "router-router",
                                       item.value));
        if (out.allows(*m))
            return ld.fail(item.key, item.node,
                           fmt::format("'{}' is listed twice", item.value));
        out.modes.push_back(*m);
    }
    return s.check_unknown();
}

std::string resolve_path(const std::string& base_dir, const std::string& p) {
    if (p.empty() || p[0] == '/' || base_dir.empty()) return p;
    return base_dir + "/" + p;
}

// The PSK file must be private: a key readable by other local users is no
// key. Opened first and checked with fstat, so the checks apply to the
// file actually read.
bool read_psk_file(Loader& ld, const std::string& key, const toml::node* n,
                   const std::string& path, core::SecretBytes& out) {
    auto bad = [&](const std::string& why) {
        return ld.fail(key, n, fmt::format("psk_file '{}' {}", path, why));
    };
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return bad(fmt::format("cannot be opened: {}", std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int err = errno;
        ::close(fd);
        return bad(fmt::format("cannot be examined: {}", std::strerror(err)));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return bad("is not a regular file");
    }
    if ((st.st_mode & 077) != 0) {
        ::close(fd);
        return bad(
            fmt::format("has mode {:04o}: it must not be accessible "
                        "to group or others (chmod 600 it)",
                        st.st_mode & 07777));
    }
    if (st.st_size > static_cast<off_t>(kMaxPskFileBytes)) {
        ::close(fd);
        return bad(fmt::format("is larger than {} bytes", kMaxPskFileBytes));
    }

    core::SecretBytes buf(kMaxPskFileBytes + 1);
    std::size_t got = 0;
    while (got < buf.size()) {
        ssize_t r = ::read(fd, buf.data() + got, buf.size() - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int err = errno;
            ::close(fd);
            return bad(fmt::format("cannot be read: {}", std::strerror(err)));
        }
        if (r == 0) break;
        got += static_cast<std::size_t>(r);
    }
    ::close(fd);
    if (got > kMaxPskFileBytes)
        return bad(fmt::format("is larger than {} bytes", kMaxPskFileBytes));

    // Editors and `echo` add a final newline; it is not part of the key.
    while (got > 0 &&
           (buf.data()[got - 1] == '\n' || buf.data()[got - 1] == '\r'))
        --got;
    if (got < kMinPskBytes)
        return bad(fmt::format("holds {} bytes; the PSK needs at least {}", got,
                               kMinPskBytes));
    out.assign(buf.view().first(got));
    return true;
}

bool read_ike(Loader& ld, const toml::table* t, IkeConfig& out) {
    Section s(ld, t, "ike");
    const toml::node* psk_node = s.get("psk");
    const toml::node* file_node = s.get("psk_file");
    if (psk_node && file_node)
        return ld.fail(s.key("psk_file"), file_node,
                       "give either ike.psk or ike.psk_file, not both");
    if (!psk_node && !file_node)
        return ld.fail(s.key("psk"), t,
                       "required: set ike.psk or ike.psk_file");
    if (psk_node) {
        const auto* v = psk_node->as_string();
        if (!v) return wrong_type(s, "psk", *psk_node, "a string");
        const std::string& text = v->get();
        if (text.size() < kMinPskBytes)
            return ld.fail(
                s.key("psk"), psk_node,
                fmt::format("the PSK needs at least {} bytes", kMinPskBytes));
        out.psk.assign(core::Bytes(
            reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
    } else {
        std::string path;
        if (!read_string(s, "psk_file", path)) return false;
        if (path.empty())
            return ld.fail(s.key("psk_file"), file_node, "is empty");
        out.psk_file = resolve_path(ld.base_dir(), path);
        if (!read_psk_file(ld, s.key("psk_file"), file_node, out.psk_file,
                           out.psk))
            return false;
    }

    return read_addresses(s, "known_peers", false, out.known_peers) &&
           read_duration(s, "retransmit_timeout_ms", 50, 60000,
                         out.retransmit_timeout) &&
           read_int(s, "retransmit_tries", 1, 20, out.retransmit_tries) &&
           s.check_unknown();
}

// RFC 8200 §4.2: the two high bits of an option type say what a node that
// does not know the option does with the packet.
bool check_option_bits(Section& s, std::string_view k, std::uint8_t value,
                       std::uint8_t want, const char* why) {
    if ((value & 0xc0) == want) return true;
    return s.loader().fail(
        s.key(k), s.get(k),
        fmt::format("{} has high bits {}{}; they must be {}{} ({})", value,
                    (value >> 7) & 1, (value >> 6) & 1, (want >> 7) & 1,
                    (want >> 6) & 1, why));
}

bool read_discovery(Loader& ld, const toml::table* t, DiscoveryConfig& out) {
    Section s(ld, t, "discovery");
    return read_duration(s, "first_timeout_ms", 10, 60000, out.first_timeout) &&
           read_int(s, "backoff", 1, 10, out.backoff) &&
           read_int(s, "sends_per_phase", 1, 10, out.sends_per_phase) &&
           read_duration(s, "negative_cache_s", 0, 86400, out.negative_cache) &&
           read_bool(s, "raq", out.raq) &&
           read_int(s, "doq_option", 0, 255, out.doq_option) &&
           check_option_bits(s, "doq_option", out.doq_option, 0xc0,
                             "so that a node without SCOUT6 answers "
                             "Parameter Problem") &&
           read_int(s, "dor_option", 0, 255, out.dor_option) &&
           check_option_bits(s, "dor_option", out.dor_option, 0x40,
                             "so that a node without SCOUT6 drops it "
                             "silently") &&
           read_int(s, "router_alert_value", 0, 65535,
                    out.router_alert_value) &&
           s.check_unknown();
}

bool read_dataplane(Loader& ld, const toml::table* t, DataplaneConfig& out) {
    Section s(ld, t, "dataplane");
    if (!read_int(s, "tun_mtu", 1280, 9000, out.tun_mtu) ||
        !read_int(s, "route_table", 1, std::int64_t{1} << 31, out.route_table))
        return false;
    // 253, 254 and 255 are the kernel's default, main and local tables.
    if (out.route_table >= 253 && out.route_table <= 255)
        return ld.fail(s.key("route_table"), s.get("route_table"),
                       fmt::format("{} is a kernel table (253 default, 254 "
                                   "main, 255 local); pick another",
                                   out.route_table));
    // Priorities 0, 32766 and 32767 hold the kernel's own rules.
    if (!read_int(s, "rule_priority", 1, 32765, out.rule_priority) ||
        !read_int(s, "fwmark", 1, 0xffffffffLL, out.fwmark) ||
        !read_int(s, "hold_per_flow", 1, 4096, out.hold_per_flow) ||
        !read_int(s, "hold_total", 1, 1 << 20, out.hold_total))
        return false;
    if (out.hold_per_flow > out.hold_total)
        return ld.fail(s.key("hold_per_flow"), s.get("hold_per_flow"),
                       fmt::format("{} is more than hold_total ({})",
                                   out.hold_per_flow, out.hold_total));
    return s.check_unknown();
}

const toml::table* sub_table(Loader& ld, const toml::table& root,
                             std::string_view name, bool& ok) {
    const toml::node* n = root.get(name);
    if (!n) return nullptr;
    const auto* t = n->as_table();
    if (!t)
        ok = ld.fail(
            std::string(name), n,
            fmt::format("expected a table, got {}", type_name(n->type())));
    return t;
}

std::string dir_of(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

}  // namespace

const char* to_string(Role role) {
    switch (role) {
        case Role::kHost:
            return "host";
        case Role::kRouter:
            return "router";
    }
    return "unknown";
}

const char* to_string(OnUnsecurable action) {
    switch (action) {
        case OnUnsecurable::kDrop:
            return "drop";
        case OnUnsecurable::kPass:
            return "pass";
    }
    return "unknown";
}

const char* to_string(ChannelMode mode) {
    switch (mode) {
        case ChannelMode::kHostHost:
            return "host-host";
        case ChannelMode::kHostRouter:
            return "host-router";
        case ChannelMode::kRouterHost:
            return "router-host";
        case ChannelMode::kRouterRouter:
            return "router-router";
    }
    return "unknown";
}

bool ScopeConfig::allows(ChannelMode mode) const {
    return std::find(modes.begin(), modes.end(), mode) != modes.end();
}

bool ScopeConfig::protects(const core::Ip6Addr& dst) const {
    return std::any_of(
        protect.begin(), protect.end(),
        [&](const core::Ip6Prefix& p) { return p.contains(dst); });
}

std::string ConfigError::message() const {
    std::string text = file;
    if (line != 0) text += fmt::format(":{}:{}", line, column);
    text += ": ";
    if (!key.empty()) text += "key '" + key + "': ";
    text += reason;
    return text;
}

namespace {

// toml++ 3.3.0 (Debian 12) reaches __builtin_unreachable() on some
// non-ASCII code points where it looks for whitespace (upstream issue
// 295). Nothing scout6 reads needs more than ASCII, so such bytes are
// refused here, with their position, before the parser sees them.
std::optional<ConfigError> refuse_non_ascii(std::string_view text,
                                            const std::string& source_name) {
    std::uint32_t line = 1, column = 1;
    for (char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80)
            return ConfigError{source_name, "", line, column,
                               "non-ASCII character (config files are "
                               "ASCII)"};
        if (c == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return std::nullopt;
}

}  // namespace

ConfigResult<Config> parse_config(std::string_view text,
                                  const std::string& source_name) {
    Loader ld(source_name, dir_of(source_name));
    if (auto refused = refuse_non_ascii(text, source_name))
        return tl::unexpected(*refused);
    toml::parse_result parsed = toml::parse(text, source_name);
    if (!parsed) {
        const auto& err = parsed.error();
        return tl::unexpected(ConfigError{
            source_name, "", err.source().begin.line, err.source().begin.column,
            "syntax error: " + std::string(err.description())});
    }
    const toml::table& root = parsed.table();

    Config config;
    config.source = source_name;
    bool ok = true;
    const auto* node = sub_table(ld, root, "node", ok);
    const auto* scope = sub_table(ld, root, "scope", ok);
    const auto* ike = sub_table(ld, root, "ike", ok);
    const auto* discovery = sub_table(ld, root, "discovery", ok);
    const auto* dataplane = sub_table(ld, root, "dataplane", ok);
    static const std::set<std::string_view> kTables = {
        "node", "scope", "ike", "discovery", "dataplane"};
    for (auto&& [k, v] : root) {
        if (kTables.count(k.str())) continue;
        ok = ld.fail_at(std::string(k.str()), &k.source(),
                        fmt::format("unknown {} (known tables: node, scope, "
                                    "ike, discovery, dataplane)",
                                    v.is_table() ? "table" : "key"));
        break;
    }
    ok = ok && read_node(ld, node, config.node) &&
         read_scope(ld, scope, config.scope) && read_ike(ld, ike, config.ike) &&
         read_discovery(ld, discovery, config.discovery) &&
         read_dataplane(ld, dataplane, config.dataplane);
    if (!ok || ld.error()) return tl::unexpected(std::move(*ld.error()));
    return config;
}

ConfigResult<Config> load_config(const std::string& path) {
    auto cannot = [&](const std::string& why) {
        return tl::unexpected(ConfigError{path, "", 0, 0, why});
    };
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return cannot(fmt::format("cannot open: {}", std::strerror(errno)));
    std::string text;
    char chunk[4096];
    for (;;) {
        ssize_t r = ::read(fd, chunk, sizeof(chunk));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int err = errno;
            ::close(fd);
            return cannot(fmt::format("cannot read: {}", std::strerror(err)));
        }
        if (r == 0) break;
        text.append(chunk, static_cast<std::size_t>(r));
        if (text.size() > kMaxConfigBytes) {
            ::close(fd);
            return cannot(
                fmt::format("is larger than {} bytes; is this "
                            "the right file?",
                            kMaxConfigBytes));
        }
    }
    ::close(fd);
    auto result = parse_config(text, path);
    // An inline PSK also sat in this buffer; do not leave it in freed heap.
    sodium_memzero(text.data(), text.size());
    return result;
}

std::string describe(const Config& c) {
    auto join = [](const auto& items) {
        std::string out;
        for (const auto& item : items) {
            if (!out.empty()) out += ", ";
            if constexpr (std::is_same_v<std::decay_t<decltype(item)>,
                                         ChannelMode>)
                out += to_string(item);
            else
                out += item.to_string();
        }
        return out.empty() ? std::string("none") : out;
    };
    const auto& n = c.node;
    const auto& d = c.discovery;
    const auto& p = c.dataplane;
    std::string out = fmt::format("config     {}\n", c.source);
    out += fmt::format("node       {} ({}), addresses {}\n", n.name,
                       to_string(n.role), join(n.addresses));
    out += fmt::format("           tun {}, nft table {}, log level {}\n",
                       c.tun_name(), c.nft_table(), n.log_level);
    out += fmt::format("           control socket {}\n", n.control_socket);
    out += fmt::format("scope      protect {}\n", join(c.scope.protect));
    out += fmt::format("           modes {}; unsecurable flows: {}\n",
                       join(c.scope.modes), to_string(c.scope.on_unsecurable));
    out += fmt::format("ike        psk set ({}), known peers {}\n",
                       c.ike.psk_file.empty() ? std::string("inline")
                                              : "from " + c.ike.psk_file,
                       join(c.ike.known_peers));
    out +=
        fmt::format("           retransmit after {} ms, {} tries\n",
                    c.ike.retransmit_timeout.count(), c.ike.retransmit_tries);
    out += fmt::format(
        "discovery  first timeout {} ms, backoff x{}, {} sends per phase, "
        "RAq {}, negative cache {} s\n",
        d.first_timeout.count(), d.backoff, d.sends_per_phase,
        d.raq ? "on" : "off", d.negative_cache.count());
    out += fmt::format(
        "           DOq option {} (0x{:02x}), DOr option {} (0x{:02x}), "
        "router alert {}\n",
        d.doq_option, d.doq_option, d.dor_option, d.dor_option,
        d.router_alert_value);
    out += fmt::format(
        "dataplane  tun mtu {}, route table {}, rule priority {}, "
        "fwmark 0x{:x}\n",
        p.tun_mtu, p.route_table, p.rule_priority, p.fwmark);
    out += fmt::format("           hold {} packets per flow, {} in total\n",
                       p.hold_per_flow, p.hold_total);
    return out;
}

}  // namespace scout6::cli
