// scout6: automatic IPsec for IPv6 (SCOUT6 discovery, IKEv2, ESP).
//
//   scout6 run --config FILE           foreground daemon, logs to stderr
//   scout6 check-config FILE           validate a config and summarise it
//   scout6 status [--json] (--config FILE | --socket PATH)
#include <spdlog/sinks/stdout_color_sinks.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/config.hpp"
#include "cli/control.hpp"
#include "cli/daemon.hpp"
#include "core/log.hpp"

namespace {

using namespace scout6;

constexpr auto kStatusTimeout = std::chrono::seconds(5);

int cmd_check_config(const std::string& path) {
    auto config = cli::load_config(path);
    if (!config) {
        std::cerr << "scout6: " << config.error().message() << "\n";
        return 2;
    }
    std::cout << cli::describe(*config);
    if (config->node.role == cli::Role::kRouter) {
        // Valid, but `scout6 run` refuses it (see cli/daemon.cpp).
        std::cerr << "scout6: " << path
                  << ": role \"router\" is not supported yet; scout6 run "
                     "will refuse this config\n";
        return 2;
    }
    std::cout << "config ok\n";
    return 0;
}

int cmd_run(const std::string& path, const std::string& log_level) {
    auto config = cli::load_config(path);
    if (!config) {
        spdlog::error("scout6: {}", config.error().message());
        return 2;
    }
    const std::string& level =
        log_level.empty() ? config->node.log_level : log_level;
    if (!core::set_log_level(level)) {
        spdlog::error("scout6: unknown log level \"{}\"", level);
        return 2;
    }
    return cli::run_daemon(*config);
}

int cmd_status(std::string socket, const std::string& config_path, bool json) {
    if (socket.empty()) {
        auto config = cli::load_config(config_path);
        if (!config) {
            std::cerr << "scout6: " << config.error().message() << "\n";
            return 2;
        }
        socket = config->node.control_socket;
    }
    auto reply = cli::control_request(socket, "status\n", kStatusTimeout);
    if (!reply) {
        std::cerr << "scout6: " << reply.error().message() << "\n";
        return 1;
    }
    if (json) {
        std::cout << *reply << "\n";
        return 0;
    }
    auto status = cli::parse_status_json(*reply);
    if (!status) {
        std::cerr << "scout6: bad status reply: " << status.error().message()
                  << "\n";
        return 1;
    }
    std::cout << cli::format_status_text(*status);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    auto logger = spdlog::stderr_color_mt("scout6");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

    CLI::App app{"scout6: automatic IPsec for IPv6 networks"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "scout6 0.1.0");

    std::string run_config, log_level;
    auto* run = app.add_subcommand("run", "run the daemon in the foreground");
    run->add_option("-c,--config", run_config, "config file")->required();
    run->add_option("--log-level", log_level,
                    "error, warn, info, debug or trace (overrides config)");

    std::string check_path;
    auto* check =
        app.add_subcommand("check-config", "validate a config file and exit");
    check->add_option("file", check_path, "config file")->required();

    std::string status_socket, status_config;
    bool status_json = false;
    auto* status = app.add_subcommand("status",
                                      "show a running daemon's flows, "
                                      "channels and counters");
    auto* by_socket =
        status->add_option("-s,--socket", status_socket, "control socket path");
    auto* by_config = status->add_option("-c,--config", status_config,
                                         "config file naming the socket");
    by_socket->excludes(by_config);
    status->add_flag("--json", status_json, "print the raw JSON");

    CLI11_PARSE(app, argc, argv);

    if (*run) return cmd_run(run_config, log_level);
    if (*check) return cmd_check_config(check_path);
    if (*status) {
        if (status_socket.empty() && status_config.empty()) {
            std::cerr << "scout6: status needs --socket or --config\n";
            return 2;
        }
        return cmd_status(status_socket, status_config, status_json);
    }
    return 2;
}
