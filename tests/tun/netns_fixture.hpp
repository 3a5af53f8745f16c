// Network namespaces for tun_root_tests.
//
// Netns creates a uniquely named namespace (s6t-<pid>-<n>) with `ip netns
// add` and deletes it in its destructor, so a failing test leaves nothing
// behind. NetnsEnter moves the calling thread into a namespace and back
// out when it goes out of scope; sockets and devices opened inside stay
// there, so a test can open them and then use them from the original
// namespace. Commands spawned while inside run inside too.
// TwoHosts: namespaces a and b joined by veth va <-> vb, fd00:10::1/64 on
// va and fd00:10::2/64 on vb, DAD off, links up.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <charconv>
#include <string>
#include <vector>

#include "tun/command_runner.hpp"
#include "tun/unique_fd.hpp"

namespace scout6::tun::testing {

inline CommandOutput must_run(const std::vector<std::string>& argv,
                              std::string_view stdin_text = {}) {
    SystemCommandRunner runner;
    auto out = runner.run(argv, stdin_text);
    BOOST_REQUIRE_MESSAGE(out.has_value(), "cannot run " << argv[0]);
    std::string line;
    for (const auto& a : argv) line += a + " ";
    BOOST_REQUIRE_MESSAGE(out->exit_code == 0, line << "exited "
                                                    << out->exit_code << ": "
                                                    << out->err);
    return *out;
}

inline CommandOutput run_any(const std::vector<std::string>& argv) {
    SystemCommandRunner runner;
    auto out = runner.run(argv);
    BOOST_REQUIRE_MESSAGE(out.has_value(), "cannot run " << argv[0]);
    return *out;
}

// Error text for a failed Result, "" for a value. Boost.Test builds
// assertion messages even when the assertion holds, so messages must never
// touch error() of a Result that has a value.
template <typename R>
std::string why(const R& result) {
    return result ? std::string() : result.error().describe();
}

// Deletes s6t-<pid>-<n> namespaces whose creating process is gone: what a
// test run killed by a signal left behind. Namespaces of live processes
// (parallel runs) are left alone.
inline void delete_orphan_namespaces() {
    auto list = run_any({"ip", "netns", "list"});
    std::size_t pos = 0;
    while ((pos = list.out.find("s6t-", pos)) != std::string::npos) {
        auto end = list.out.find_first_of(" \n", pos);
        std::string name = list.out.substr(pos, end - pos);
        pos = end;
        auto dash = name.find('-', 4);
        if (dash == std::string::npos) continue;
        int pid = 0;
        auto digits = std::string_view(name).substr(4, dash - 4);
        auto parsed =
            std::from_chars(digits.data(), digits.data() + digits.size(), pid);
        if (parsed.ec != std::errc() || parsed.ptr != digits.end() || pid <= 0)
            continue;
        if (::kill(pid, 0) == 0 || errno != ESRCH) continue;
        run_any({"ip", "netns", "del", name});
    }
}

class Netns {
public:
    Netns() {
        BOOST_REQUIRE_MESSAGE(::geteuid() == 0,
                              "tun_root_tests must run as root");
        static std::atomic<int> counter{0};
        if (counter == 0) delete_orphan_namespaces();
        name_ = "s6t-" + std::to_string(::getpid()) + "-" +
                std::to_string(counter++);
        must_run({"ip", "netns", "add", name_});
        created_ = true;
        // Before any interface exists, so nothing waits for DAD.
        must_run({"ip", "netns", "exec", name_, "sysctl", "-qw",
                  "net.ipv6.conf.all.accept_dad=0",
                  "net.ipv6.conf.default.accept_dad=0"});
        must_run({"ip", "-n", name_, "link", "set", "lo", "up"});
    }
    ~Netns() {
        if (!created_) return;
        SystemCommandRunner runner;
        auto out = runner.run({"ip", "netns", "del", name_});
        if (!out || out->exit_code != 0)
            BOOST_ERROR("could not delete netns " << name_);
    }
    Netns(const Netns&) = delete;
    Netns& operator=(const Netns&) = delete;

    const std::string& name() const { return name_; }
    // `ip -n <ns> ...` / `ip netns exec <ns> ...` helpers.
    std::vector<std::string> ip(std::vector<std::string> args) const {
        args.insert(args.begin(), {"ip", "-n", name_});
        return args;
    }
    // Adds address `cidr` to dev without DAD and waits until it is usable.
    // Even with nodad the kernel adds the local route from its DAD work
    // queue, a moment after `ip addr add` returns; a packet arriving before
    // then is dropped as Ip6InNoRoutes.
    void add_addr(const std::string& cidr, const std::string& dev) const {
        must_run(ip({"addr", "add", cidr, "dev", dev, "nodad"}));
        const std::string host = cidr.substr(0, cidr.find('/'));
        for (int i = 0; i < 300; ++i) {
            auto out =
                run_any(ip({"-6", "route", "show", "table", "local", host}));
            if (!out.out.empty()) return;
            ::usleep(10000);
        }
        BOOST_FAIL("no local route for " << host);
    }
    std::vector<std::string> exec(std::vector<std::string> args) const {
        args.insert(args.begin(), {"ip", "netns", "exec", name_});
        return args;
    }

private:
    std::string name_;
    bool created_ = false;
};

class NetnsEnter {
public:
    explicit NetnsEnter(const Netns& ns) {
        original_.reset(
            ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
        BOOST_REQUIRE_MESSAGE(original_.valid(), "open own netns");
        UniqueFd target(
            ::open(("/run/netns/" + ns.name()).c_str(), O_RDONLY | O_CLOEXEC));
        BOOST_REQUIRE_MESSAGE(target.valid(), "open netns " << ns.name());
        BOOST_REQUIRE_MESSAGE(::setns(target.get(), CLONE_NEWNET) == 0,
                              "setns " << ns.name());
    }
    ~NetnsEnter() {
        if (::setns(original_.get(), CLONE_NEWNET) != 0) {
            // Staying in a test namespace would corrupt every later test.
            BOOST_ERROR("cannot return to the original netns");
            std::abort();
        }
    }
    NetnsEnter(const NetnsEnter&) = delete;
    NetnsEnter& operator=(const NetnsEnter&) = delete;

private:
    UniqueFd original_;
};

// Runs open() inside ns and returns its value; fails the test on error.
template <typename Open>
auto open_in_ns(const Netns& ns, Open open) {
    NetnsEnter inside(ns);
    auto result = open();
    BOOST_REQUIRE_MESSAGE(result.has_value(), "open: " << why(result));
    return std::move(*result);
}

struct TwoHosts {
    Netns a;
    Netns b;
    TwoHosts() {
        must_run({"ip", "link", "add", "va", "netns", a.name(), "type", "veth",
                  "peer", "name", "vb", "netns", b.name()});
        must_run(a.ip({"link", "set", "va", "up"}));
        must_run(b.ip({"link", "set", "vb", "up"}));
        wait_oper_up(a, "va");
        wait_oper_up(b, "vb");
        a.add_addr("fd00:10::1/64", "va");
        b.add_addr("fd00:10::2/64", "vb");
    }

    // Until linkwatch marks a veth operationally up, its queue discards
    // what is sent; a lost first Neighbor Solicitation then costs the 1 s
    // retransmit timer.
    static void wait_oper_up(const Netns& ns, const std::string& dev) {
        for (int i = 0; i < 300; ++i) {
            auto out = run_any(ns.ip({"-o", "link", "show", "dev", dev}));
            if (out.out.find("state UP") != std::string::npos) return;
            ::usleep(10000);
        }
        BOOST_FAIL(dev << " never came up");
    }
};

// Waits up to timeout_ms for fd to become readable.
inline bool wait_readable(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

}  // namespace scout6::tun::testing
