#define BOOST_TEST_MODULE scout6_tun
#include <boost/test/unit_test.hpp>
