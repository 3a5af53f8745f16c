#include "tun/tun_device.hpp"

namespace scout6::tun {

TunDevice::~TunDevice() = default;

bool is_valid_ifname(std::string_view name) {
    // IFNAMSIZ is 16 including the terminating NUL.
    if (name.empty() || name.size() > 15) return false;
    if (name == "all" || name == "default") return false;
    if (name[0] < 'a' || name[0] > 'z') return false;
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok) return false;
    }
    return true;
}

}  // namespace scout6::tun
