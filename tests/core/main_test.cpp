#define BOOST_TEST_MODULE scout6_base
#include <boost/test/unit_test.hpp>
