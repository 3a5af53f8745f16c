#define BOOST_TEST_MODULE scout6_tun_root
#include <boost/test/unit_test.hpp>
