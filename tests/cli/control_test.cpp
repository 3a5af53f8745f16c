#include "cli/control.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>

using namespace scout6;
using namespace scout6::cli;
using namespace std::chrono_literals;

namespace {

// A libuv loop the test pumps by hand while a client blocks in a thread.
struct LoopFixture {
    uv_loop_t loop{};
    std::filesystem::path dir;

    LoopFixture() {
        BOOST_REQUIRE(uv_loop_init(&loop) == 0);
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "scout6-ctl-XXXXXX")
                .string();
        BOOST_REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        dir = tmpl;
    }
    ~LoopFixture() {
        // Let the closes of destroyed servers finish, then check nothing
        // was left open.
        uv_run(&loop, UV_RUN_NOWAIT);
        BOOST_CHECK(uv_loop_close(&loop) == 0);
        std::filesystem::remove_all(dir);
    }

    std::string sock(const std::string& name = "ctl.sock") const {
        return (dir / name).string();
    }

    // Runs `fn` on a thread and pumps the loop until it returns.
    template <typename Fn>
    auto pump_while(Fn fn) {
        auto fut = std::async(std::launch::async, fn);
        pump_until(
            [&] { return fut.wait_for(1ms) == std::future_status::ready; });
        return fut.get();
    }

    template <typename Pred>
    void pump_until(Pred done) {
        auto deadline = std::chrono::steady_clock::now() + 5s;
        while (!done()) {
            uv_run(&loop, UV_RUN_NOWAIT);
            BOOST_REQUIRE(std::chrono::steady_clock::now() < deadline);
        }
        uv_run(&loop, UV_RUN_NOWAIT);
    }

    std::unique_ptr<ControlServer> start(const std::string& path,
                                         ControlServerOptions opts = {}) {
        auto s = ControlServer::start(
            &loop, path,
            [this](std::string_view req) {
                requests.emplace_back(req);
                return "{\"echo\":\"" + std::string(req) + "\"}";
            },
            opts);
        BOOST_REQUIRE_MESSAGE(s.has_value(),
                              (s ? std::string() : s.error().message()));
        return std::move(*s);
    }

    std::vector<std::string> requests;
};

int raw_connect(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Leaves a socket file behind with nobody listening, as a crash would.
void make_stale_socket(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    BOOST_REQUIRE(
        ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    ::close(fd);
}

std::string read_all(int fd) {
    std::string out;
    char buf[256];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof(buf))) > 0)
        out.append(buf, static_cast<std::size_t>(n));
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_control)

BOOST_AUTO_TEST_CASE(server_answers_one_request_line) {
    LoopFixture f;
    auto server = f.start(f.sock());
    auto r =
        f.pump_while([&] { return control_request(f.sock(), "status", 2s); });
    BOOST_REQUIRE_MESSAGE(r.has_value(),
                          (r ? std::string() : r.error().message()));
    BOOST_TEST(*r == R"({"echo":"status"})");
    BOOST_REQUIRE(f.requests.size() == 1);
    BOOST_TEST(f.requests[0] == "status");  // no newline, no '\r'
    BOOST_TEST(server->stats().answered == 1u);

    r = f.pump_while(
        [&] { return control_request(f.sock(), "flows\r\n", 2s); });
    BOOST_REQUIRE(r);
    BOOST_TEST(f.requests.back() == "flows");
}

BOOST_AUTO_TEST_CASE(socket_is_private_and_parents_are_created) {
    LoopFixture f;
    auto path = (f.dir / "run" / "scout6" / "h1.sock").string();
    auto server = f.start(path);
    struct stat st {};
    BOOST_REQUIRE(::lstat(path.c_str(), &st) == 0);
    BOOST_TEST(S_ISSOCK(st.st_mode));
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    BOOST_REQUIRE(::stat((f.dir / "run" / "scout6").c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0755u);
}

BOOST_AUTO_TEST_CASE(destruction_unlinks_the_socket) {
    LoopFixture f;
    auto server = f.start(f.sock());
    BOOST_TEST(std::filesystem::exists(f.sock()));
    server.reset();
    BOOST_TEST(!std::filesystem::exists(f.sock()));
}

BOOST_AUTO_TEST_CASE(stale_socket_file_is_replaced) {
    LoopFixture f;
    make_stale_socket(f.sock());
    BOOST_REQUIRE(std::filesystem::is_socket(f.sock()));
    auto server = f.start(f.sock());
    auto r =
        f.pump_while([&] { return control_request(f.sock(), "status", 2s); });
    BOOST_TEST(r.has_value());
}

BOOST_AUTO_TEST_CASE(live_second_server_is_refused) {
    LoopFixture f;
    auto first = f.start(f.sock());
    auto second = ControlServer::start(
        &f.loop, f.sock(), [](std::string_view) { return std::string(); });
    BOOST_REQUIRE(!second);
    BOOST_TEST((second.error().code == core::Errc::kBadState));
    BOOST_TEST(second.error().message().find("already listening on " +
                                             f.sock()) != std::string::npos,
               second.error().message());

    // The first server keeps its socket and still answers.
    auto r =
        f.pump_while([&] { return control_request(f.sock(), "status", 2s); });
    BOOST_TEST(r.has_value());
}

BOOST_AUTO_TEST_CASE(path_that_is_not_a_socket_is_left_alone) {
    LoopFixture f;
    std::ofstream(f.sock()) << "precious";
    auto s = ControlServer::start(
        &f.loop, f.sock(), [](std::string_view) { return std::string(); });
    BOOST_REQUIRE(!s);
    BOOST_TEST(s.error().message().find("not a socket") != std::string::npos);
    BOOST_TEST(std::filesystem::is_regular_file(f.sock()));
}

BOOST_AUTO_TEST_CASE(oversize_request_is_dropped_and_server_lives_on) {
    LoopFixture f;
    auto server = f.start(f.sock());
    std::string big(kMaxControlRequestBytes + 100, 'x');
    auto r = f.pump_while([&] { return control_request(f.sock(), big, 2s); });
    BOOST_TEST(!r.has_value());
    BOOST_TEST(server->stats().dropped_oversize == 1u);
    BOOST_TEST(f.requests.empty());

    r = f.pump_while([&] { return control_request(f.sock(), "status", 2s); });
    BOOST_TEST(r.has_value());
}

BOOST_AUTO_TEST_CASE(silent_client_is_dropped_after_the_timeout) {
    LoopFixture f;
    ControlServerOptions opts;
    opts.request_timeout = 30ms;
    auto server = f.start(f.sock(), opts);
    int fd = raw_connect(f.sock());
    BOOST_REQUIRE(fd >= 0);
    BOOST_REQUIRE(::write(fd, "stat", 4) == 4);  // no newline, ever
    f.pump_until([&] { return server->stats().dropped_timeout == 1; });
    f.pump_until([&] { return server->client_count() == 0; });
    BOOST_TEST(read_all(fd).empty());  // closed without an answer
    ::close(fd);
    BOOST_TEST(f.requests.empty());
}

BOOST_AUTO_TEST_CASE(slow_client_does_not_block_others) {
    LoopFixture f;
    auto server = f.start(f.sock());
    int slow = raw_connect(f.sock());
    BOOST_REQUIRE(slow >= 0);
    BOOST_REQUIRE(::write(slow, "sta", 3) == 3);
    f.pump_until([&] { return server->client_count() == 1; });

    auto r =
        f.pump_while([&] { return control_request(f.sock(), "ping", 2s); });
    BOOST_REQUIRE(r);
    BOOST_TEST(*r == R"({"echo":"ping"})");

    BOOST_REQUIRE(::write(slow, "tus\n", 4) == 4);
    auto reply = f.pump_while([&] { return read_all(slow); });
    ::close(slow);
    BOOST_TEST(reply == "{\"echo\":\"status\"}\n");
    BOOST_TEST(server->stats().answered == 2u);
}

BOOST_AUTO_TEST_CASE(handler_exception_becomes_an_error_answer) {
    LoopFixture f;
    auto s = ControlServer::start(&f.loop, f.sock(),
                                  [](std::string_view) -> std::string {
                                      throw std::runtime_error("boom");
                                  });
    BOOST_REQUIRE(s);
    auto r =
        f.pump_while([&] { return control_request(f.sock(), "status", 2s); });
    BOOST_REQUIRE(r);
    BOOST_TEST(*r == R"({"error":"internal"})");
}

BOOST_AUTO_TEST_CASE(client_reports_missing_daemon_clearly) {
    LoopFixture f;
    auto r = control_request(f.sock(), "status", 1s);
    BOOST_REQUIRE(!r);
    BOOST_TEST((r.error().code == core::Errc::kNotFound));
    BOOST_TEST(r.error().message() ==
               "no daemon listening on " + f.sock() + " (is scout6 running?)");

    make_stale_socket(f.sock());
    r = control_request(f.sock(), "status", 1s);
    BOOST_REQUIRE(!r);
    BOOST_TEST((r.error().code == core::Errc::kNotFound));
}

BOOST_AUTO_TEST_CASE(client_times_out_on_a_daemon_that_never_answers) {
    LoopFixture f;
    // Listening but never accepting: connect succeeds, no answer comes.
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, f.sock().c_str(), sizeof(addr.sun_path) - 1);
    BOOST_REQUIRE(
        ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    BOOST_REQUIRE(::listen(fd, 4) == 0);
    auto before = std::chrono::steady_clock::now();
    auto r = control_request(f.sock(), "status", 50ms);
    auto took = std::chrono::steady_clock::now() - before;
    ::close(fd);
    BOOST_REQUIRE(!r);
    BOOST_TEST((r.error().code == core::Errc::kTimeout));
    BOOST_TEST(r.error().message().find("within 50 ms") != std::string::npos);
    BOOST_TEST((took < 2s));
}

BOOST_AUTO_TEST_CASE(overlong_socket_path_is_refused) {
    LoopFixture f;
    std::string path = "/" + std::string(200, 'a');
    auto s = ControlServer::start(
        &f.loop, path, [](std::string_view) { return std::string(); });
    BOOST_REQUIRE(!s);
    BOOST_TEST((s.error().code == core::Errc::kConfig));
    auto r = control_request(path, "status", 1s);
    BOOST_REQUIRE(!r);
    BOOST_TEST((r.error().code == core::Errc::kConfig));
}

BOOST_AUTO_TEST_SUITE_END()

// ---- Status model. ----

namespace {

StatusSnapshot sample_status() {
    StatusSnapshot s;
    s.node = "h1";
    s.uptime = 3723004ms;  // 1h02m03s
    s.flows.push_back(
        {"fd00:3::1", "secured", "host-host", "fd00:3::1", 0, 120});
    s.flows.push_back({"fd00:4::9", "discovering", "", "", 3, 0});
    ChannelStatus c;
    c.local = "fd00:2::10";
    c.peer = "fd00:3::1";
    c.mode = "host-host";
    c.initiator = true;
    c.spi_in = 0xc0ffee01;
    c.spi_out = 0xffffffff;
    c.packets_in = 118;
    c.packets_out = 120;
    c.bytes_in = 18446744073709551615ull;  // largest u64 survives JSON
    c.bytes_out = 9000;
    c.established_ago = 65s;
    c.setup_time = 12ms;
    c.discovery_time = 3ms;
    s.channels.push_back(c);
    s.counters["scout"]["doq_sent"] = 4;
    s.counters["scout"]["dor_orphan"] = 0;
    s.counters["esp"]["replay_dropped"] = 2;
    return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_status)

BOOST_AUTO_TEST_CASE(json_round_trip_keeps_every_field) {
    auto s = sample_status();
    std::string text = to_json(s);
    BOOST_TEST(text.find('\n') == std::string::npos);
    auto back = parse_status_json(text);
    BOOST_REQUIRE_MESSAGE(back.has_value(),
                          (back ? std::string() : back.error().message()));
    BOOST_TEST((*back == s));

    StatusSnapshot empty;
    auto back_empty = parse_status_json(to_json(empty));
    BOOST_REQUIRE(back_empty);
    BOOST_TEST((*back_empty == empty));
}

BOOST_AUTO_TEST_CASE(json_errors_name_the_field) {
    BOOST_TEST(!parse_status_json("not json"));
    BOOST_TEST(!parse_status_json("[]"));

    auto text = to_json(sample_status());
    auto with = [&](const std::string& from, const std::string& to) {
        auto pos = text.find(from);
        BOOST_REQUIRE(pos != std::string::npos);
        return std::string(text).replace(pos, from.size(), to);
    };
    auto r = parse_status_json(with("\"spi_in\":3237998081", "\"spi_in\":-1"));
    BOOST_REQUIRE(!r);
    BOOST_TEST(
        r.error().message().find("channels[0].spi_in") != std::string::npos,
        r.error().message());

    r = parse_status_json(
        with("\"spi_in\":3237998081", "\"spi_in\":4294967296"));
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().message().find("out of range") != std::string::npos);

    r = parse_status_json(with("\"state\":\"discovering\"", "\"state\":7"));
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().message().find("flows[1].state") != std::string::npos,
               r.error().message());

    r = parse_status_json(with("\"version\":1", "\"version\":2"));
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().message().find("version 2") != std::string::npos);

    r = parse_status_json(R"({"error":"unknown request"})");
    BOOST_REQUIRE(!r);
    BOOST_TEST((r.error().code == core::Errc::kBadState));
    BOOST_TEST(r.error().message().find("unknown request") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(mutated_json_never_crashes) {
    auto text = to_json(sample_status());
    for (std::size_t len = 0; len < text.size(); ++len)
        BOOST_TEST(!parse_status_json(std::string_view(text).substr(0, len)));
    std::size_t accepted = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            std::string m = text;
            m[i] = static_cast<char>(m[i] ^ (1 << bit));
            if (parse_status_json(m)) ++accepted;
        }
    }
    // Flips inside string values and digits keep it valid; most do not.
    BOOST_TEST(accepted < text.size() * 8);
}

BOOST_AUTO_TEST_CASE(text_format_shows_the_key_fields) {
    std::string t = format_status_text(sample_status());
    BOOST_TEST_MESSAGE(t);
    for (const char* want :
         {"node h1, up 1h02m", "flows: 2", "fd00:4::9", "discovering",
          "channels: 1", "fd00:2::10", "c0ffee01", "ffffffff", "init",
          "118/120", "1m05s", "12.000ms", "3.000ms", "scout.doq_sent",
          "esp.replay_dropped"})
        BOOST_TEST(t.find(want) != std::string::npos, want);
    BOOST_TEST(t.find("dor_orphan") == std::string::npos);  // zero: hidden
    for (std::size_t pos = 0; (pos = t.find('\n', pos)) != std::string::npos;
         ++pos)
        BOOST_TEST((pos == 0 || t[pos - 1] != ' '));  // no trailing blanks

    // Columns line up: "HELD" header ends where the numbers end.
    auto header = t.find("DESTINATION");
    auto row = t.find("fd00:3::1", header);
    BOOST_TEST(row - t.rfind('\n', row) == header - t.rfind('\n', header));
}

BOOST_AUTO_TEST_CASE(durations_read_naturally) {
    BOOST_TEST(format_duration(850ms) == "850ms");
    BOOST_TEST(format_duration(12s) == "12s");
    BOOST_TEST(format_duration(184s) == "3m04s");
    BOOST_TEST(format_duration(2h + 5min) == "2h05m");
    BOOST_TEST(format_duration(76h) == "3d04h");
    BOOST_TEST(format_duration(-5ms) == "0ms");
}

BOOST_AUTO_TEST_SUITE_END()
