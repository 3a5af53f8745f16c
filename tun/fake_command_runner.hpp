// FakeCommandRunner: a CommandRunner for tests. It records every call and
// answers from a script, so NetConfig's commands can be checked exactly
// without root. Single-threaded use only.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "tun/command_runner.hpp"

namespace scout6::tun {

class FakeCommandRunner final : public CommandRunner {
public:
    struct Call {
        std::vector<std::string> argv;
        std::string stdin_text;
    };

    // Decides the answer for one call; when unset, every call exits 0 with
    // no output. Queued answers (push_result) take precedence.
    std::function<core::Result<CommandOutput>(const Call&)> responder;

    void push_result(core::Result<CommandOutput> result) {
        queued_.push_back(std::move(result));
    }

    const std::vector<Call>& calls() const { return calls_; }
    void clear() { calls_.clear(); }

    using CommandRunner::run;
    [[nodiscard]] core::Result<CommandOutput> run(
        const std::vector<std::string>& argv,
        std::string_view stdin_text) override {
        calls_.push_back(Call{argv, std::string(stdin_text)});
        if (!queued_.empty()) {
            auto result = std::move(queued_.front());
            queued_.pop_front();
            return result;
        }
        if (responder) return responder(calls_.back());
        return CommandOutput{};
    }

private:
    std::vector<Call> calls_;
    std::deque<core::Result<CommandOutput>> queued_;
};

}  // namespace scout6::tun
