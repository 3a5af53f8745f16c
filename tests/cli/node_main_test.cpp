#define BOOST_TEST_MODULE scout6_node
#include <boost/test/unit_test.hpp>
