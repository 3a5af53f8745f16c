// CommandRunner: the seam through which tun/ runs `ip` and `nft`.
//
// NetConfig never forks by itself; it asks a CommandRunner. The daemon uses
// SystemCommandRunner (posix_spawnp, argv only, never a shell); tests use
// FakeCommandRunner (fake_command_runner.hpp), which records every argv and
// stdin text and answers from a script.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace scout6::tun {

struct CommandOutput {
    int exit_code = 0;  // exit status; 128 + signal number when killed
    std::string out;    // everything the command wrote to stdout
    std::string err;    // everything the command wrote to stderr
};

class CommandRunner {
public:
    virtual ~CommandRunner();

    // Runs argv[0] (looked up in PATH) with argv, feeding stdin_text on its
    // standard input. A non-zero exit is NOT an error here: it comes back
    // in exit_code for the caller to judge. Errors: kSyscall when the
    // command cannot be started or its output cannot be read, kTimeout when
    // it runs too long (it is then killed), kConfig for an empty argv.
    [[nodiscard]] virtual core::Result<CommandOutput> run(
        const std::vector<std::string>& argv, std::string_view stdin_text) = 0;

    // Same with an empty standard input.
    [[nodiscard]] core::Result<CommandOutput> run(
        const std::vector<std::string>& argv) {
        return run(argv, std::string_view{});
    }
};

// Runs real commands: posix_spawnp with the caller's environment, stdin
// from an anonymous in-memory file (so `nft -f /dev/stdin` can open it),
// stdout and stderr through pipes. Blocks until the command exits or
// `timeout_ms` passes; then the child (and only it, by PID) is killed.
class SystemCommandRunner final : public CommandRunner {
public:
    explicit SystemCommandRunner(int timeout_ms = 10000)
        : timeout_ms_(timeout_ms) {}
    using CommandRunner::run;
    [[nodiscard]] core::Result<CommandOutput> run(
        const std::vector<std::string>& argv,
        std::string_view stdin_text) override;

private:
    int timeout_ms_;
};

}  // namespace scout6::tun
