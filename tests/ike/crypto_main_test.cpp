// The ike_crypto_tests executable: IKEv2 crypto suite known answers.
#define BOOST_TEST_MODULE ike_crypto
#include <boost/test/unit_test.hpp>
