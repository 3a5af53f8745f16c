#define BOOST_TEST_MODULE scout6_esp
#include <boost/test/unit_test.hpp>
