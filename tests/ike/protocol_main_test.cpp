#define BOOST_TEST_MODULE ike_tests
#include <boost/test/unit_test.hpp>
