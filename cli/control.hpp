// The local control socket: `scout6 status` asks, the daemon answers.
//
// Protocol: a client connects to a unix stream socket, sends one request
// line ("status\n"), and reads one response (JSON followed by a newline)
// until the daemon closes the connection. One request per connection.
//
// ControlServer lives on the daemon's libuv loop and never blocks it.
// control_request() is the blocking client, on plain sockets, for the
// short-lived `scout6` command. The StatusSnapshot model and its JSON and
// text forms are shared by both sides.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <unordered_set>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace scout6::cli {

// A control-socket failure: a code to branch on and a complete sentence
// for the operator ("no daemon listening on /run/scout6/h1.sock (is
// scout6 running?)"). core::Error cannot carry the path, hence this type.
struct ControlError {
    core::Errc code;
    std::string text;
    int sys_errno = 0;

    const std::string& message() const { return text; }
};

template <typename T>
using ControlResult = tl::expected<T, ControlError>;

inline constexpr std::size_t kMaxControlRequestBytes = 4096;  // incl. '\n'
inline constexpr std::size_t kMaxControlResponseBytes = 16u << 20;
inline constexpr core::Duration kControlRequestTimeout =
    std::chrono::seconds(2);

struct ControlServerOptions {
    // A client that has not sent a full line by then is disconnected.
    core::Duration request_timeout = kControlRequestTimeout;
    std::size_t max_request_bytes = kMaxControlRequestBytes;
};

class ControlServer {
public:
    // Gets one request line (no newline, no trailing '\r') and returns the
    // response body; the server appends '\n', sends it and closes. Runs on
    // the loop thread and must not destroy the server. An exception it
    // throws is caught and answered with {"error":"internal"}.
    using Handler = std::function<std::string(std::string_view request)>;

    // Counted, never logged per client, so a local process cannot flood
    // the log.
    struct Stats {
        std::uint64_t accepted = 0;
        std::uint64_t answered = 0;
        std::uint64_t dropped_oversize = 0;  // no newline within the limit
        std::uint64_t dropped_timeout = 0;   // no full line in time
        std::uint64_t dropped_eof = 0;       // client left before a line
        std::uint64_t accept_failed = 0;
    };

    // Listens on `path` with mode 0600, creating missing parent
    // directories with mode 0755. A leftover socket file that nobody
    // answers on is removed first; if a live process answers on it, or
    // the path is something other than a socket, start fails and leaves
    // it alone. `loop` must outlive the server. Sets the process umask
    // around bind(), so call it at startup, before other threads create
    // files.
    [[nodiscard]] static ControlResult<std::unique_ptr<ControlServer>> start(
        uv_loop_t* loop, const std::string& path, Handler handler,
        ControlServerOptions options = {});

    // Stops listening, disconnects clients, unlinks the socket file.
    // Handles are closed asynchronously: the loop must run once more
    // (uv_run(loop, UV_RUN_NOWAIT) is enough) before uv_loop_close().
    ~ControlServer();

    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    const std::string& path() const { return path_; }
    const Stats& stats() const { return stats_; }
    std::size_t client_count() const { return clients_.size(); }

private:
    struct Listener;
    struct Client;

    ControlServer(uv_loop_t* loop, std::string path, Handler handler,
                  ControlServerOptions options)
        : loop_(loop),
          path_(std::move(path)),
          handler_(std::move(handler)),
          options_(options) {}

    static void on_connection(uv_stream_t* server, int status);
    static void on_alloc(uv_handle_t* handle, std::size_t suggested,
                         uv_buf_t* buf);
    static void on_read(uv_stream_t* stream, ssize_t nread,
                        const uv_buf_t* buf);
    static void on_timeout(uv_timer_t* timer);
    static void on_written(uv_write_t* req, int status);
    static void on_client_closed(uv_handle_t* handle);
    void answer(Client* client, std::size_t line_end);
    static void close_client(Client* client);

    uv_loop_t* loop_;
    std::string path_;
    Handler handler_;
    ControlServerOptions options_;
    Listener* listener_ = nullptr;
    bool bound_ = false;  // the socket file is ours to unlink
    std::unordered_set<Client*> clients_;
    Stats stats_;
};

// Sends `request` (a newline is added if missing) to the daemon at `path`
// and returns its response without the final newline. Blocks at most
// `timeout` in total. Errors: kNotFound "no daemon listening on PATH (is
// scout6 running?)", kSyscall with EACCES "permission denied on PATH",
// kTimeout, kMalformed for an empty or oversized response.
[[nodiscard]] ControlResult<std::string> control_request(
    const std::string& path, std::string_view request, core::Duration timeout);

// ---- Status model: what `scout6 status` shows. ----

struct FlowStatus {
    std::string destination;   // the remote end of the flow
    std::string state;         // the flow state machine's to_string()
    std::string mode;          // "host-host", ...; empty until known
    std::string channel_peer;  // empty while no channel carries it
    std::uint64_t packets_held = 0;
    std::uint64_t packets_sent = 0;

    friend bool operator==(const FlowStatus&, const FlowStatus&) = default;
};

struct ChannelStatus {
    std::string local;
    std::string peer;
    std::string mode;
    bool initiator = false;
    std::uint32_t spi_in = 0;
    std::uint32_t spi_out = 0;
    std::uint64_t packets_in = 0;
    std::uint64_t packets_out = 0;
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    std::chrono::milliseconds established_ago{0};
    std::chrono::microseconds setup_time{0};      // IKE_SA_INIT to AUTH done
    std::chrono::microseconds discovery_time{0};  // DOq sent to DOr seen

    friend bool operator==(const ChannelStatus&,
                           const ChannelStatus&) = default;
};

struct StatusSnapshot {
    std::string node;
    std::chrono::milliseconds uptime{0};
    std::vector<FlowStatus> flows;
    std::vector<ChannelStatus> channels;
    // subsystem ("scout", "ike", "esp", "tun", ...) -> counter -> value
    std::map<std::string, std::map<std::string, std::uint64_t>> counters;

    friend bool operator==(const StatusSnapshot&,
                           const StatusSnapshot&) = default;
};

inline constexpr int kStatusJsonVersion = 1;

// One line of JSON (no newline); invalid UTF-8 in strings is replaced.
std::string to_json(const StatusSnapshot& status);

// Parses what to_json() wrote. Errors (kMalformed) name the field:
// "status JSON: channels[0].spi_in: expected an unsigned integer".
[[nodiscard]] ControlResult<StatusSnapshot> parse_status_json(
    std::string_view text);

// For humans: a header line, then aligned tables of flows and channels,
// then the non-zero counters as "subsystem.name value".
std::string format_status_text(const StatusSnapshot& status);

// "850ms", "12s", "3m04s", "2h05m", "3d04h".
std::string format_duration(std::chrono::milliseconds d);
// "0.208ms": a latency to the microsecond, for setup and discovery times.
std::string format_latency(std::chrono::microseconds d);

}  // namespace scout6::cli
