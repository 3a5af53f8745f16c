// Control socket: server on the libuv loop, blocking client, status model.
//
// Server stages per connection: accept -> start a request timer -> read
// into a bounded buffer -> first '\n': stop reading, call the handler,
// write the response -> close. Anything else (oversize, timeout, EOF
// before a line) closes without an answer and bumps a counter.
#include "cli/control.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/fmt/fmt.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/log.hpp"

namespace scout6::cli {

namespace {

constexpr int kListenBacklog = 16;
constexpr std::size_t kReadChunk = 1024;
constexpr std::size_t kMaxSocketPath = sizeof(sockaddr_un::sun_path) - 1;

ControlError control_error(core::Errc code, std::string text, int err = 0) {
    if (err != 0) text += fmt::format(": {}", std::strerror(err));
    return ControlError{code, std::move(text), err};
}

ControlError uv_error(const std::string& what, int uv_code) {
    return ControlError{core::Errc::kSyscall,
                        fmt::format("{}: {}", what, uv_strerror(uv_code)),
                        uv_code < 0 ? -uv_code : 0};
}

bool fill_sockaddr(const std::string& path, sockaddr_un& addr) {
    if (path.empty() || path.size() > kMaxSocketPath) return false;
    std::memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.data(), path.size());
    return true;
}

// mkdir -p with mode 0755 for the directories it creates.
ControlResult<void> make_parent_dirs(const std::string& path) {
    for (std::size_t slash = path.find('/', 1); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
        std::string dir = path.substr(0, slash);
        if (::mkdir(dir.c_str(), 0755) == 0) {
            // mkdir honours the umask; the directory must be traversable.
            ::chmod(dir.c_str(), 0755);
            continue;
        }
        if (errno == EEXIST) continue;
        return tl::unexpected(control_error(
            core::Errc::kSyscall,
            fmt::format("cannot create directory {}", dir), errno));
    }
    return {};
}

// Probes an existing socket file: removed if stale, refused if live.
ControlResult<void> clear_stale_socket(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return {};
        return tl::unexpected(
            control_error(core::Errc::kSyscall,
                          fmt::format("cannot examine {}", path), errno));
    }
    if (!S_ISSOCK(st.st_mode))
        return tl::unexpected(control_error(
            core::Errc::kBadState,
            fmt::format("{} exists and is not a socket; refusing to "
                        "replace it",
                        path)));

    sockaddr_un addr{};
    fill_sockaddr(path, addr);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return tl::unexpected(
            control_error(core::Errc::kSyscall, "socket(AF_UNIX)", errno));
    int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    int err = errno;
    ::close(fd);
    if (rc == 0 || err == EAGAIN)
        return tl::unexpected(control_error(
            core::Errc::kBadState,
            fmt::format("another scout6 daemon is already listening on {}",
                        path)));
    if (err != ECONNREFUSED)
        return tl::unexpected(control_error(
            core::Errc::kSyscall, fmt::format("cannot probe {}", path), err));

    // Nobody listens: a crashed run left it behind.
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return tl::unexpected(control_error(
            core::Errc::kSyscall,
            fmt::format("cannot remove stale socket {}", path), errno));
    spdlog::info("control: {}: removed stale socket", path);
    return {};
}

}  // namespace

// The listening handle outlives the server object until libuv has closed
// it, so it is allocated apart and deletes itself in its close callback.
struct ControlServer::Listener {
    uv_pipe_t pipe{};
    ControlServer* server = nullptr;
};

struct ControlServer::Client {
    uv_pipe_t pipe{};
    uv_timer_t timer{};
    uv_write_t write_req{};
    ControlServer* server = nullptr;  // null once the server is gone
    std::string request;
    std::string response;
    std::array<char, kReadChunk> chunk{};
    int open_handles = 0;
    bool closing = false;
};

ControlResult<std::unique_ptr<ControlServer>> ControlServer::start(
    uv_loop_t* loop, const std::string& path, Handler handler,
    ControlServerOptions options) {
    sockaddr_un probe{};
    if (!fill_sockaddr(path, probe) || path[0] != '/')
        return tl::unexpected(control_error(
            core::Errc::kConfig,
            fmt::format("control socket path '{}' must be absolute and at "
                        "most {} bytes",
                        path, kMaxSocketPath)));
    if (auto ok = make_parent_dirs(path); !ok)
        return tl::unexpected(ok.error());
    if (auto ok = clear_stale_socket(path); !ok)
        return tl::unexpected(ok.error());

    std::unique_ptr<ControlServer> server(
        new ControlServer(loop, path, std::move(handler), options));
    auto* listener = new Listener;
    listener->server = server.get();
    listener->pipe.data = listener;
    int rc = uv_pipe_init(loop, &listener->pipe, 0);
    if (rc != 0) {
        delete listener;
        return tl::unexpected(uv_error("uv_pipe_init", rc));
    }
    server->listener_ = listener;

    // The umask covers the moment between bind() creating the file and
    // chmod(); only the owner (root or the scout6 user) may talk to us.
    mode_t old_mask = ::umask(0177);
    rc = uv_pipe_bind(&listener->pipe, path.c_str());
    ::umask(old_mask);
    if (rc != 0) return tl::unexpected(uv_error("cannot bind " + path, rc));
    server->bound_ = true;
    if (::chmod(path.c_str(), 0600) != 0)
        return tl::unexpected(control_error(
            core::Errc::kSyscall, fmt::format("cannot chmod {}", path), errno));
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener->pipe),
                   kListenBacklog, on_connection);
    if (rc != 0)
        return tl::unexpected(uv_error("cannot listen on " + path, rc));
    spdlog::info("control: {}: listening", path);
    return server;
}

ControlServer::~ControlServer() {
    for (Client* client : clients_) {
        client->server = nullptr;
        close_client(client);
    }
    clients_.clear();
    if (listener_) {
        listener_->server = nullptr;
        uv_close(
            reinterpret_cast<uv_handle_t*>(&listener_->pipe),
            [](uv_handle_t* h) { delete static_cast<Listener*>(h->data); });
    }
    // Only what we bound: a start that failed earlier leaves files alone.
    if (bound_) ::unlink(path_.c_str());
}

void ControlServer::on_connection(uv_stream_t* stream, int status) {
    auto* listener = static_cast<Listener*>(stream->data);
    ControlServer* self = listener->server;
    if (!self) return;
    if (status < 0) {
        ++self->stats_.accept_failed;
        SCOUT6_LOG_EVERY_N_SEC(spdlog::level::warn, 10,
                               "control: {}: accept failed: {}", self->path_,
                               uv_strerror(status));
        return;
    }

    auto* client = new Client;
    client->server = self;
    client->pipe.data = client;
    client->timer.data = client;
    uv_pipe_init(self->loop_, &client->pipe, 0);
    uv_timer_init(self->loop_, &client->timer);
    client->open_handles = 2;
    self->clients_.insert(client);

    if (uv_accept(stream, reinterpret_cast<uv_stream_t*>(&client->pipe)) != 0) {
        ++self->stats_.accept_failed;
        close_client(client);
        return;
    }
    ++self->stats_.accepted;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        self->options_.request_timeout);
    uv_timer_start(&client->timer, on_timeout,
                   static_cast<std::uint64_t>(ms.count()), 0);
    uv_read_start(reinterpret_cast<uv_stream_t*>(&client->pipe), on_alloc,
                  on_read);
}

void ControlServer::on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
    auto* client = static_cast<Client*>(handle->data);
    *buf = uv_buf_init(client->chunk.data(),
                       static_cast<unsigned>(client->chunk.size()));
}

void ControlServer::on_read(uv_stream_t* stream, ssize_t nread,
                            const uv_buf_t* buf) {
    auto* client = static_cast<Client*>(stream->data);
    ControlServer* self = client->server;
    if (!self || client->closing) return;
    if (nread < 0) {
        ++self->stats_.dropped_eof;
        close_client(client);
        return;
    }
    std::size_t before = client->request.size();
    client->request.append(buf->base, static_cast<std::size_t>(nread));

    auto newline = client->request.find('\n', before);
    std::size_t limit = self->options_.max_request_bytes;
    if (newline != std::string::npos && newline < limit) {
        self->answer(client, newline);
        return;
    }
    if (client->request.size() >= limit) {
        ++self->stats_.dropped_oversize;
        SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 10,
                               "control: {}: request over {} bytes dropped",
                               self->path_, limit);
        close_client(client);
    }
}

void ControlServer::answer(Client* client, std::size_t line_end) {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&client->pipe));
    uv_timer_stop(&client->timer);
    std::string_view line(client->request.data(), line_end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    // The handler is the daemon's code; an exception from it must not
    // unwind through libuv and take the daemon down.
    try {
        client->response = handler_(line);
    } catch (...) {
        SCOUT6_BUG("cli-001", "control handler threw");
        client->response = R"({"error":"internal"})";
    }
    client->response += '\n';
    ++stats_.answered;

    uv_buf_t out = uv_buf_init(client->response.data(),
                               static_cast<unsigned>(client->response.size()));
    client->write_req.data = client;
    int rc = uv_write(&client->write_req,
                      reinterpret_cast<uv_stream_t*>(&client->pipe), &out, 1,
                      on_written);
    if (rc != 0) close_client(client);
}

void ControlServer::on_written(uv_write_t* req, int) {
    close_client(static_cast<Client*>(req->data));
}

void ControlServer::on_timeout(uv_timer_t* timer) {
    auto* client = static_cast<Client*>(timer->data);
    if (client->server) ++client->server->stats_.dropped_timeout;
    close_client(client);
}

void ControlServer::close_client(Client* client) {
    if (client->closing) return;
    client->closing = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&client->pipe), on_client_closed);
    uv_close(reinterpret_cast<uv_handle_t*>(&client->timer), on_client_closed);
}

void ControlServer::on_client_closed(uv_handle_t* handle) {
    auto* client = static_cast<Client*>(handle->data);
    if (--client->open_handles > 0) return;
    if (client->server) client->server->clients_.erase(client);
    delete client;
}

// ---- Blocking client. ----

namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// Waits for `events` on fd until the deadline; false on timeout.
bool wait_for(int fd, short events, SteadyTime deadline) {
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, events, 0};
        int rc = ::poll(&p, 1, static_cast<int>(left.count()));
        if (rc > 0) return true;
        if (rc < 0 && errno != EINTR) return true;  // the I/O call reports
    }
}

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

ControlError connect_error(const std::string& path, int err) {
    if (err == ENOENT || err == ECONNREFUSED)
        return ControlError{
            core::Errc::kNotFound,
            fmt::format("no daemon listening on {} (is scout6 running?)", path),
            err};
    if (err == EACCES || err == EPERM)
        return ControlError{
            core::Errc::kSyscall,
            fmt::format("permission denied on {} (run as root or as the "
                        "user scout6 runs as)",
                        path),
            err};
    if (err == EAGAIN)
        return ControlError{
            core::Errc::kTimeout,
            fmt::format("daemon on {} is not accepting connections", path),
            err};
    return control_error(core::Errc::kSyscall,
                         fmt::format("cannot connect to {}", path), err);
}

ControlError timeout_error(const std::string& path, core::Duration t) {
    return ControlError{
        core::Errc::kTimeout,
        fmt::format(
            "no answer from {} within {} ms", path,
            std::chrono::duration_cast<std::chrono::milliseconds>(t).count()),
        0};
}

}  // namespace

ControlResult<std::string> control_request(const std::string& path,
                                           std::string_view request,
                                           core::Duration timeout) {
    sockaddr_un addr{};
    if (!fill_sockaddr(path, addr))
        return tl::unexpected(control_error(
            core::Errc::kConfig,
            fmt::format("control socket path '{}' is empty or longer than "
                        "{} bytes",
                        path, kMaxSocketPath)));
    auto deadline = std::chrono::steady_clock::now() + timeout;
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (fd.get() < 0)
        return tl::unexpected(
            control_error(core::Errc::kSyscall, "socket(AF_UNIX)", errno));
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) !=
        0)
        return tl::unexpected(connect_error(path, errno));

    std::string out(request);
    if (out.empty() || out.back() != '\n') out += '\n';
    std::size_t sent = 0;
    while (sent < out.size()) {
        ssize_t n = ::send(fd.get(), out.data() + sent, out.size() - sent,
                           MSG_NOSIGNAL);
        if (n >= 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN)
            return tl::unexpected(
                control_error(core::Errc::kSyscall,
                              fmt::format("cannot send to {}", path), errno));
        if (!wait_for(fd.get(), POLLOUT, deadline))
            return tl::unexpected(timeout_error(path, timeout));
    }

    std::string response;
    std::array<char, 4096> buf{};
    for (;;) {
        ssize_t n = ::recv(fd.get(), buf.data(), buf.size(), 0);
        if (n == 0) break;
        if (n > 0) {
            response.append(buf.data(), static_cast<std::size_t>(n));
            if (response.size() > kMaxControlResponseBytes)
                return tl::unexpected(ControlError{
                    core::Errc::kMalformed,
                    fmt::format("response from {} is larger than {} bytes",
                                path, kMaxControlResponseBytes),
                    0});
            continue;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN)
            return tl::unexpected(
                control_error(core::Errc::kSyscall,
                              fmt::format("cannot read from {}", path), errno));
        if (!wait_for(fd.get(), POLLIN, deadline))
            return tl::unexpected(timeout_error(path, timeout));
    }
    if (response.empty())
        return tl::unexpected(ControlError{
            core::Errc::kMalformed,
            fmt::format("daemon on {} closed the connection without an "
                        "answer",
                        path),
            0});
    if (response.back() == '\n') response.pop_back();
    return response;
}

// ---- Status model. ----

namespace {

using nlohmann::json;

json flow_to_json(const FlowStatus& f) {
    return json{{"destination", f.destination},
                {"state", f.state},
                {"mode", f.mode},
                {"channel_peer", f.channel_peer},
                {"packets_held", f.packets_held},
                {"packets_sent", f.packets_sent}};
}

json channel_to_json(const ChannelStatus& c) {
    return json{{"local", c.local},
                {"peer", c.peer},
                {"mode", c.mode},
                {"initiator", c.initiator},
                {"spi_in", c.spi_in},
                {"spi_out", c.spi_out},
                {"packets_in", c.packets_in},
                {"packets_out", c.packets_out},
                {"bytes_in", c.bytes_in},
                {"bytes_out", c.bytes_out},
                {"established_ago_ms", c.established_ago.count()},
                {"setup_time_us", c.setup_time.count()},
                {"discovery_time_us", c.discovery_time.count()}};
}

// Reads fields of one JSON object, remembering the first problem with
// its path ("channels[0].spi_in"). No exceptions: types are checked
// before every get().
class JsonFields {
public:
    JsonFields(const json& obj, std::string where, std::string& error)
        : obj_(obj), where_(std::move(where)), error_(error) {
        if (!obj_.is_object()) bad(where_, "expected an object");
    }

    void text(const char* key, std::string& out) {
        if (const json* v = find(key, json::value_t::string))
            out = v->get_ref<const std::string&>();
    }
    void flag(const char* key, bool& out) {
        if (const json* v = find(key, json::value_t::boolean))
            out = v->get<bool>();
    }
    template <typename T>
    void number(const char* key, T& out) {
        const json* v = find(key, json::value_t::number_unsigned);
        if (!v) return;
        auto x = v->get<std::uint64_t>();
        if constexpr (sizeof(T) < sizeof(std::uint64_t)) {
            if (x > std::numeric_limits<T>::max())
                return bad(path(key), "value out of range");
        }
        out = static_cast<T>(x);
    }
    void millis(const char* key, std::chrono::milliseconds& out) {
        std::uint64_t ms = 0;
        number(key, ms);
        out = std::chrono::milliseconds(
            static_cast<std::int64_t>(std::min<std::uint64_t>(
                ms, std::numeric_limits<std::int64_t>::max())));
    }
    void micros(const char* key, std::chrono::microseconds& out) {
        std::uint64_t us = 0;
        number(key, us);
        out = std::chrono::microseconds(
            static_cast<std::int64_t>(std::min<std::uint64_t>(
                us, std::numeric_limits<std::int64_t>::max())));
    }
    const json* array(const char* key) {
        return find(key, json::value_t::array);
    }
    const json* object(const char* key) {
        return find(key, json::value_t::object);
    }
    std::string path(const char* key) const {
        return where_.empty() ? key : where_ + "." + key;
    }

private:
    const json* find(const char* key, json::value_t type) {
        if (!error_.empty() || !obj_.is_object()) return nullptr;
        auto it = obj_.find(key);
        if (it == obj_.end()) {
            bad(path(key), "missing");
            return nullptr;
        }
        // A small non-negative integer parses as number_unsigned; a
        // negative one as number_integer, which is wrong for every field.
        if (it->type() != type) {
            bad(path(key), fmt::format("expected {}, got {}", type_label(type),
                                       it->type_name()));
            return nullptr;
        }
        return &*it;
    }
    static const char* type_label(json::value_t type) {
        switch (type) {
            case json::value_t::string:
                return "a string";
            case json::value_t::boolean:
                return "a boolean";
            case json::value_t::number_unsigned:
                return "an unsigned integer";
            case json::value_t::array:
                return "an array";
            default:
                return "an object";
        }
    }
    void bad(const std::string& at, const std::string& why) {
        if (error_.empty()) error_ = at + ": " + why;
    }

    const json& obj_;
    std::string where_;
    std::string& error_;
};

void parse_flow(const json& j, std::string where, std::string& error,
                FlowStatus& f) {
    JsonFields r(j, std::move(where), error);
    r.text("destination", f.destination);
    r.text("state", f.state);
    r.text("mode", f.mode);
    r.text("channel_peer", f.channel_peer);
    r.number("packets_held", f.packets_held);
    r.number("packets_sent", f.packets_sent);
}

void parse_channel(const json& j, std::string where, std::string& error,
                   ChannelStatus& c) {
    JsonFields r(j, std::move(where), error);
    r.text("local", c.local);
    r.text("peer", c.peer);
    r.text("mode", c.mode);
    r.flag("initiator", c.initiator);
    r.number("spi_in", c.spi_in);
    r.number("spi_out", c.spi_out);
    r.number("packets_in", c.packets_in);
    r.number("packets_out", c.packets_out);
    r.number("bytes_in", c.bytes_in);
    r.number("bytes_out", c.bytes_out);
    r.millis("established_ago_ms", c.established_ago);
    r.micros("setup_time_us", c.setup_time);
    r.micros("discovery_time_us", c.discovery_time);
}

ControlError status_error(const std::string& why) {
    return ControlError{core::Errc::kMalformed, "status JSON: " + why, 0};
}

}  // namespace

std::string to_json(const StatusSnapshot& s) {
    json flows = json::array();
    for (const auto& f : s.flows) flows.push_back(flow_to_json(f));
    json channels = json::array();
    for (const auto& c : s.channels) channels.push_back(channel_to_json(c));
    json counters = json::object();
    for (const auto& [subsystem, values] : s.counters) {
        json group = json::object();
        for (const auto& [name, value] : values) group[name] = value;
        counters[subsystem] = std::move(group);
    }
    json doc{
        {"version", kStatusJsonVersion},   {"node", s.node},
        {"uptime_ms", s.uptime.count()},   {"flows", std::move(flows)},
        {"channels", std::move(channels)}, {"counters", std::move(counters)}};
    // replace: a bad byte in a string must not throw on the control path.
    return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

ControlResult<StatusSnapshot> parse_status_json(std::string_view text) {
    json doc = json::parse(text.begin(), text.end(), nullptr, false);
    if (doc.is_discarded()) return tl::unexpected(status_error("not JSON"));
    if (doc.is_object() && doc.contains("error") && doc["error"].is_string())
        return tl::unexpected(ControlError{
            core::Errc::kBadState,
            "daemon answered: " + doc["error"].get<std::string>(), 0});

    StatusSnapshot s;
    std::string error;
    JsonFields r(doc, "", error);
    std::uint64_t version = 0;
    r.number("version", version);
    if (error.empty() && version != kStatusJsonVersion)
        return tl::unexpected(status_error(
            fmt::format("version {} is not the {} this scout6 reads; are "
                        "the daemon and the command from the same build?",
                        version, kStatusJsonVersion)));
    r.text("node", s.node);
    r.millis("uptime_ms", s.uptime);
    if (const json* flows = r.array("flows")) {
        for (std::size_t i = 0; i < flows->size() && error.empty(); ++i)
            parse_flow((*flows)[i], fmt::format("flows[{}]", i), error,
                       s.flows.emplace_back());
    }
    if (const json* channels = r.array("channels")) {
        for (std::size_t i = 0; i < channels->size() && error.empty(); ++i)
            parse_channel((*channels)[i], fmt::format("channels[{}]", i), error,
                          s.channels.emplace_back());
    }
    if (const json* counters = r.object("counters")) {
        for (const auto& [subsystem, group] : counters->items()) {
            if (!error.empty()) break;
            if (!group.is_object()) {
                error = "counters." + subsystem + ": expected an object";
                break;
            }
            auto& out = s.counters[subsystem];
            for (const auto& [name, value] : group.items()) {
                if (!value.is_number_unsigned()) {
                    error = fmt::format(
                        "counters.{}.{}: expected an "
                        "unsigned integer",
                        subsystem, name);
                    break;
                }
                out[name] = value.get<std::uint64_t>();
            }
        }
    }
    if (!error.empty()) return tl::unexpected(status_error(error));
    return s;
}

std::string format_duration(std::chrono::milliseconds d) {
    auto ms = d.count();
    if (ms < 0) ms = 0;
    if (ms < 1000) return fmt::format("{}ms", ms);
    auto s = ms / 1000;
    if (s < 60) return fmt::format("{}s", s);
    if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
    if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
    return fmt::format("{}d{:02}h", s / 86400, (s % 86400) / 3600);
}

std::string format_latency(std::chrono::microseconds d) {
    return fmt::format("{:.3f}ms", static_cast<double>(d.count()) / 1000.0);
}

namespace {

// Columns padded to their widest cell; numbers right-aligned.
std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& right) {
    std::vector<std::size_t> width(header.size());
    for (std::size_t c = 0; c < header.size(); ++c) {
        width[c] = header[c].size();
        for (const auto& row : rows)
            width[c] = std::max(width[c], row[c].size());
    }
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out = " ";
        for (std::size_t c = 0; c < cells.size(); ++c) {
            std::string cell = cells[c].empty() ? "-" : cells[c];
            if (c + 1 == cells.size() && !right[c])
                out += " " + cell;  // no trailing blanks
            else if (right[c])
                out += fmt::format(" {:>{}}", cell, width[c]);
            else
                out += fmt::format(" {:<{}}", cell, width[c]);
        }
        return out + "\n";
    };
    std::string out = line(header);
    for (const auto& row : rows) out += line(row);
    return out;
}

}  // namespace

std::string format_status_text(const StatusSnapshot& s) {
    std::string out =
        fmt::format("node {}, up {}\n", s.node, format_duration(s.uptime));

    out += fmt::format("\nflows: {}\n", s.flows.size());
    if (!s.flows.empty()) {
        std::vector<std::vector<std::string>> rows;
        for (const auto& f : s.flows)
            rows.push_back({f.destination, f.state, f.mode, f.channel_peer,
                            std::to_string(f.packets_held),
                            std::to_string(f.packets_sent)});
        out += render_table(
            {"DESTINATION", "STATE", "MODE", "CHANNEL PEER", "HELD", "SENT"},
            rows, {false, false, false, false, true, true});
    }

    out += fmt::format("\nchannels: {}\n", s.channels.size());
    if (!s.channels.empty()) {
        std::vector<std::vector<std::string>> rows;
        for (const auto& c : s.channels)
            rows.push_back({c.local, c.peer, c.mode,
                            c.initiator ? "init" : "resp",
                            fmt::format("{:08x}", c.spi_in),
                            fmt::format("{:08x}", c.spi_out),
                            fmt::format("{}/{}", c.packets_in, c.packets_out),
                            fmt::format("{}/{}", c.bytes_in, c.bytes_out),
                            format_duration(c.established_ago),
                            format_latency(c.setup_time),
                            format_latency(c.discovery_time)});
        out += render_table(
            {"LOCAL", "PEER", "MODE", "ROLE", "SPI IN", "SPI OUT",
             "PKTS IN/OUT", "BYTES IN/OUT", "UP", "SETUP", "DISCOVERY"},
            rows,
            {false, false, false, false, false, false, true, true, true, true,
             true});
    }

    std::vector<std::vector<std::string>> counters;
    for (const auto& [subsystem, values] : s.counters)
        for (const auto& [name, value] : values)
            if (value != 0)
                counters.push_back(
                    {subsystem + "." + name, std::to_string(value)});
    out += fmt::format("\ncounters (non-zero): {}\n", counters.size());
    if (!counters.empty())
        out += render_table({"COUNTER", "VALUE"}, counters, {false, true});
    return out;
}

}  // namespace scout6::cli
