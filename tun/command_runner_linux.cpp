// SystemCommandRunner on Linux.
//
// Stages: stdin text into a memfd; stdout and stderr pipes; posix_spawnp
// with argv only (no shell, so no quoting issues and no injection);
// drain both pipes with poll() until EOF or the deadline; reap the child.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "tun/command_runner.hpp"
#include "tun/unique_fd.hpp"

extern char** environ;

namespace scout6::tun {

CommandRunner::~CommandRunner() = default;

namespace {

// An in-memory file holding the child's stdin. A pipe would need a writer
// racing the child (and SIGPIPE handling), and `nft -f /dev/stdin` reopens
// fd 0 through /proc, which works for a memfd and a pipe but not a socket.
core::Result<UniqueFd> make_stdin(std::string_view text) {
    UniqueFd fd(::memfd_create("scout6-stdin", MFD_CLOEXEC));
    if (!fd.valid()) return core::fail(core::Errc::kSyscall, "memfd", errno);
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return core::fail(core::Errc::kSyscall, "memfd write", errno);
        done += static_cast<std::size_t>(n);
    }
    if (::lseek(fd.get(), 0, SEEK_SET) != 0)
        return core::fail(core::Errc::kSyscall, "memfd seek", errno);
    return fd;
}

struct Pipe {
    UniqueFd read_end;
    UniqueFd write_end;
};

core::Result<Pipe> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
        return core::fail(core::Errc::kSyscall, "pipe2", errno);
    return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Spawn file actions, destroyed with the object.
class FileActions {
public:
    FileActions() { ok_ = ::posix_spawn_file_actions_init(&fa_) == 0; }
    ~FileActions() {
        if (ok_) ::posix_spawn_file_actions_destroy(&fa_);
    }
    FileActions(const FileActions&) = delete;
    FileActions& operator=(const FileActions&) = delete;
    bool ok() const { return ok_; }
    bool dup2(int from, int to) {
        return ::posix_spawn_file_actions_adddup2(&fa_, from, to) == 0;
    }
    posix_spawn_file_actions_t* get() { return &fa_; }

private:
    posix_spawn_file_actions_t fa_;
    bool ok_ = false;
};

// Appends what is readable on fd to out; returns false at EOF or on error.
bool drain(int fd, std::string& out) {
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n > 0) {
            out.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return true;
        return false;
    }
}

int wait_exit_code(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

core::Result<CommandOutput> SystemCommandRunner::run(
    const std::vector<std::string>& argv, std::string_view stdin_text) {
    if (argv.empty()) return core::fail(core::Errc::kConfig, "empty argv");

    auto in = make_stdin(stdin_text);
    if (!in) return tl::unexpected(in.error());
    auto out_pipe = make_pipe();
    if (!out_pipe) return tl::unexpected(out_pipe.error());
    auto err_pipe = make_pipe();
    if (!err_pipe) return tl::unexpected(err_pipe.error());

    FileActions actions;
    if (!actions.ok() || !actions.dup2(in->get(), 0) ||
        !actions.dup2(out_pipe->write_end.get(), 1) ||
        !actions.dup2(err_pipe->write_end.get(), 2))
        return core::fail(core::Errc::kSyscall, "spawn file actions");

    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    pid_t pid = -1;
    int rc = ::posix_spawnp(&pid, args[0], actions.get(), nullptr, args.data(),
                            environ);
    if (rc != 0) return core::fail(core::Errc::kSyscall, "posix_spawnp", rc);
    out_pipe->write_end.reset();
    err_pipe->write_end.reset();

    CommandOutput result;
    bool out_open = true;
    bool err_open = true;
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(timeout_ms_);
    while (out_open || err_open) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        if (left <= 0) {
            // Only the child we spawned, by its PID.
            ::kill(pid, SIGKILL);
            wait_exit_code(pid);
            return core::fail(core::Errc::kTimeout, "command timed out");
        }
        pollfd fds[2] = {{out_open ? out_pipe->read_end.get() : -1, POLLIN, 0},
                         {err_open ? err_pipe->read_end.get() : -1, POLLIN, 0}};
        int n = ::poll(fds, 2, static_cast<int>(left));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int saved = errno;
            ::kill(pid, SIGKILL);
            wait_exit_code(pid);
            return core::fail(core::Errc::kSyscall, "poll", saved);
        }
        if (out_open && fds[0].revents != 0)
            out_open = drain(out_pipe->read_end.get(), result.out);
        if (err_open && fds[1].revents != 0)
            err_open = drain(err_pipe->read_end.get(), result.err);
    }
    result.exit_code = wait_exit_code(pid);
    if (result.exit_code < 0)
        return core::fail(core::Errc::kSyscall, "waitpid", errno);
    return result;
}

}  // namespace scout6::tun
