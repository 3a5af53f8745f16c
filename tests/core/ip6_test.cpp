#include "core/ip6.hpp"

#include <boost/test/unit_test.hpp>

using namespace scout6::core;

BOOST_AUTO_TEST_SUITE(core_ip6)

BOOST_AUTO_TEST_CASE(parses_and_prints_addresses) {
    auto a = Ip6Addr::parse("fd00:1::2");
    BOOST_REQUIRE(a);
    BOOST_TEST(a->to_string() == "fd00:1::2");
    BOOST_TEST(!Ip6Addr::parse("10.0.0.1"));
    BOOST_TEST(!Ip6Addr::parse("fd00::zz"));
}

BOOST_AUTO_TEST_CASE(prefix_contains_by_bits) {
    auto p = Ip6Prefix::parse("fd00:1::/33");
    BOOST_REQUIRE(p);
    BOOST_TEST(p->contains(*Ip6Addr::parse("fd00:1:7fff::1")));
    BOOST_TEST(!p->contains(*Ip6Addr::parse("fd00:1:8000::1")));
    BOOST_TEST(!p->contains(*Ip6Addr::parse("fd00:2::1")));
}

BOOST_AUTO_TEST_CASE(prefix_rejects_host_bits_and_bad_length) {
    BOOST_TEST(!Ip6Prefix::parse("fd00:1::1/64"));
    BOOST_TEST(!Ip6Prefix::parse("fd00:1::/129"));
    BOOST_TEST(!Ip6Prefix::parse("fd00:1::/6x"));
    auto host = Ip6Prefix::parse("fd00:1::1");
    BOOST_REQUIRE(host);
    BOOST_TEST(host->length == 128);
}

BOOST_AUTO_TEST_CASE(flow_key_is_unordered) {
    auto a = *Ip6Addr::parse("fd00::1");
    auto b = *Ip6Addr::parse("fd00::2");
    BOOST_TEST((FlowKey::of(a, b) == FlowKey::of(b, a)));
}

BOOST_AUTO_TEST_SUITE_END()
