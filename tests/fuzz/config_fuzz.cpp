// libFuzzer target: the configuration loader (cli/config.hpp) and the
// status JSON reader (cli/control.hpp).
//
// Input: one mode byte, then text. Even: parse_config(); a Config it
// accepts must also describe() itself. Odd: parse_status_json(); a
// snapshot it accepts must survive to_json() and parse back equal, and
// format as text.
//
// parse_config() resolves a relative psk_file against the directory of
// the source name, which does not exist here; absolute paths are opened
// read-only, so keep this target away from directories with FIFOs in them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cli/config.hpp"
#include "cli/control.hpp"
#include "tests/fuzz/fuzz_util.hpp"

using namespace scout6;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet_logs();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
    if (size < 1) return 0;
    fuzz::BugCheck bug_check;
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

    if ((data[0] & 1) == 0) {
        auto config =
            cli::parse_config(text, "/nonexistent-scout6-fuzz/x.toml");
        if (config) {
            (void)cli::describe(*config);
            if (config->node.addresses.empty() || config->scope.protect.empty())
                fuzz::invariant_failed("config: accepted without required");
        } else {
            (void)config.error().message();
        }
        return 0;
    }

    auto status = cli::parse_status_json(text);
    if (!status) return 0;
    (void)cli::format_status_text(*status);
    auto again = cli::parse_status_json(cli::to_json(*status));
    if (!again) fuzz::invariant_failed("status: own JSON rejected");
    if (!(*again == *status)) fuzz::invariant_failed("status: round trip");
    return 0;
}
