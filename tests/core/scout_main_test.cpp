#define BOOST_TEST_MODULE scout6_scout
#include <boost/test/unit_test.hpp>
