#include "tun/command_runner.hpp"

#include <boost/test/unit_test.hpp>

#include "tests/tun/test_print.hpp"
#include "tun/fake_command_runner.hpp"

using namespace scout6;
using tun::SystemCommandRunner;

BOOST_AUTO_TEST_SUITE(tun_command_runner)

BOOST_AUTO_TEST_CASE(feeds_stdin_and_captures_stdout) {
    SystemCommandRunner runner;
    auto out = runner.run({"cat"}, "line one\nline two\n");
    BOOST_REQUIRE(out.has_value());
    BOOST_TEST(out->exit_code == 0);
    BOOST_TEST(out->out == "line one\nline two\n");
    BOOST_TEST(out->err.empty());
}

BOOST_AUTO_TEST_CASE(stdin_is_reopenable_through_dev_stdin) {
    // nft -f /dev/stdin reopens fd 0 by path.
    SystemCommandRunner runner;
    auto out = runner.run({"cat", "/dev/stdin"}, "ruleset");
    BOOST_REQUIRE(out.has_value());
    BOOST_TEST(out->exit_code == 0);
    BOOST_TEST(out->out == "ruleset");
}

BOOST_AUTO_TEST_CASE(passes_argv_without_a_shell) {
    SystemCommandRunner runner;
    auto out = runner.run({"printf", "%s|", "a b", "$HOME", ";true"});
    BOOST_REQUIRE(out.has_value());
    BOOST_TEST(out->out == "a b|$HOME|;true|");
}

BOOST_AUTO_TEST_CASE(reports_exit_code_and_stderr) {
    SystemCommandRunner runner;
    auto out = runner.run({"ls", "/nonexistent-scout6-path"});
    BOOST_REQUIRE(out.has_value());
    BOOST_TEST(out->exit_code != 0);
    BOOST_TEST(out->err.find("No such file") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_program_is_a_syscall_error) {
    SystemCommandRunner runner;
    auto out = runner.run({"scout6-no-such-program"});
    BOOST_REQUIRE(!out.has_value());
    BOOST_TEST(out.error().code == core::Errc::kSyscall);
}

BOOST_AUTO_TEST_CASE(empty_argv_is_refused) {
    SystemCommandRunner runner;
    auto out = runner.run({});
    BOOST_REQUIRE(!out.has_value());
    BOOST_TEST(out.error().code == core::Errc::kConfig);
}

BOOST_AUTO_TEST_CASE(kills_a_command_that_runs_too_long) {
    SystemCommandRunner runner(100);
    auto out = runner.run({"sleep", "5"});
    BOOST_REQUIRE(!out.has_value());
    BOOST_TEST(out.error().code == core::Errc::kTimeout);
}

BOOST_AUTO_TEST_CASE(fake_records_calls_and_plays_queued_results) {
    tun::FakeCommandRunner fake;
    fake.push_result(tun::CommandOutput{3, "o", "e"});
    auto first = fake.run({"a", "b"}, "in");
    auto second = fake.run({"c"});
    BOOST_REQUIRE(first.has_value());
    BOOST_REQUIRE(second.has_value());
    BOOST_TEST(first->exit_code == 3);
    BOOST_TEST(second->exit_code == 0);
    BOOST_REQUIRE(fake.calls().size() == 2u);
    BOOST_TEST(fake.calls()[0].argv == (std::vector<std::string>{"a", "b"}));
    BOOST_TEST(fake.calls()[0].stdin_text == "in");
    BOOST_TEST(fake.calls()[1].stdin_text.empty());
}

BOOST_AUTO_TEST_SUITE_END()
