// The scout6 daemon: a Node on a libuv loop, attached to the kernel
// through tun/ (TUN device, routing rule, nftables, raw and UDP sockets).
#pragma once

#include "cli/config.hpp"

namespace scout6::cli {

// Runs in the foreground until SIGINT or SIGTERM, then removes everything
// it installed. Before installing anything it removes what a crashed
// earlier instance of the same name left behind. Returns the process exit
// code; startup failures are logged with their reason.
int run_daemon(const Config& config);

}  // namespace scout6::cli
