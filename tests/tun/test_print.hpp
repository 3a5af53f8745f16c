// Printers so Boost.Test can show tun/ values in failed assertions.
#pragma once

#include <boost/test/unit_test.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "core/ip6.hpp"
#include "core/result.hpp"

namespace scout6::core {
inline std::ostream& boost_test_print_type(std::ostream& os, Errc code) {
    return os << to_string(code);
}
inline std::ostream& boost_test_print_type(std::ostream& os, const Ip6Addr& a) {
    return os << a.to_string();
}
}  // namespace scout6::core

namespace boost::test_tools::tt_detail {
template <>
struct print_log_value<std::vector<std::string>> {
    void operator()(std::ostream& os, const std::vector<std::string>& v) {
        for (std::size_t i = 0; i < v.size(); ++i) os << (i ? " " : "") << v[i];
    }
};
}  // namespace boost::test_tools::tt_detail
