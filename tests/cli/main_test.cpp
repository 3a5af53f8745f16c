#define BOOST_TEST_MODULE scout6_cli
#include <boost/test/unit_test.hpp>
