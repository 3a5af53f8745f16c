// Shared-key AUTH (RFC 7296 §2.15), NAT detection hashes (§2.23), the
// constant-time compare and the enum names. The expected values are
// self-generated with Python's hmac and hashlib by
// tests/ike/vectors/gen_crypto_vectors.py (output in crypto_vectors.txt):
// no published IKEv2 AUTH or NAT-D example for this suite was found.
#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "ike/crypto_suite.hpp"
#include "tests/ike/crypto_test_util.hpp"

namespace scout6::ike {
namespace {

using test::as_bytes;
using test::from_hex;
using test::to_hex;

// The worked example: a stand-in first message (64 counting bytes, then
// "IKE_SA_INIT stand-in"), the peer's 32-byte nonce of 0xa5, SK_pi of
// counting bytes, and an ID_IPV6_ADDR payload body for 2001:db8::1.
std::vector<std::uint8_t> example_message() {
    std::vector<std::uint8_t> m(64);
    for (std::size_t i = 0; i < m.size(); ++i)
        m[i] = static_cast<std::uint8_t>(i);
    auto tail = as_bytes("IKE_SA_INIT stand-in");
    m.insert(m.end(), tail.begin(), tail.end());
    return m;
}

const std::vector<std::uint8_t> kPeerNonce(32, 0xa5);
const char* const kSkPi =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const char* const kIdBody =
    "05 000000"                          // ID_IPV6_ADDR, reserved
    "20010db8000000000000000000000001";  // 2001:db8::1
const char* const kAuth =
    "c67f31a6ab7add456a715ed3f02accd9b77929191b35c43d67b4cfbf2358ca7d";

}  // namespace

BOOST_AUTO_TEST_SUITE(ike_crypto_auth)

BOOST_AUTO_TEST_CASE(psk_auth_matches_worked_example) {
    auto auth =
        psk_auth(as_bytes("correct horse battery staple"), example_message(),
                 kPeerNonce, from_hex(kSkPi), from_hex(kIdBody));
    BOOST_TEST_REQUIRE(auth.has_value());
    BOOST_TEST(auth->size() == kPrfKeyBytes);
    BOOST_TEST(to_hex(auth->view()) == kAuth);
}

BOOST_AUTO_TEST_CASE(psk_auth_depends_on_every_input) {
    auto psk = as_bytes("correct horse battery staple");
    auto msg = example_message();
    auto sk = from_hex(kSkPi);
    auto id = from_hex(kIdBody);

    auto msg2 = msg;
    msg2.back() ^= 1;
    auto nonce2 = kPeerNonce;
    nonce2[0] ^= 1;
    auto sk2 = sk;
    sk2[5] ^= 1;
    auto id2 = id;
    id2[0] = 1;  // ID_IPV4_ADDR instead: the type is signed too
    std::vector<std::uint8_t> psk2(psk.begin(), psk.end());
    psk2.push_back('!');

    auto variants = {
        psk_auth(psk2, msg, kPeerNonce, sk, id),
        psk_auth(psk, msg2, kPeerNonce, sk, id),
        psk_auth(psk, msg, nonce2, sk, id),
        psk_auth(psk, msg, kPeerNonce, sk2, id),
        psk_auth(psk, msg, kPeerNonce, sk, id2),
    };
    for (const auto& v : variants) {
        BOOST_TEST_REQUIRE(v.has_value());
        BOOST_TEST(to_hex(v->view()) != kAuth);
    }
}

BOOST_AUTO_TEST_CASE(constant_time_equal_compares_content_and_length) {
    auto a = from_hex(kAuth);
    auto b = a;
    BOOST_TEST(constant_time_equal(a, b));
    for (std::size_t i = 0; i < b.size(); ++i) {
        auto c = b;
        c[i] ^= 0x40;
        BOOST_TEST(!constant_time_equal(a, c));
    }
    BOOST_TEST(!constant_time_equal(a, core::Bytes(a).first(31)));
    BOOST_TEST(!constant_time_equal({}, a));
    BOOST_TEST(constant_time_equal({}, {}));
}

BOOST_AUTO_TEST_CASE(nat_detection_hash_matches_python_hashlib) {
    auto addr = core::Ip6Addr::parse("2001:db8::1");
    BOOST_TEST_REQUIRE(addr.has_value());
    auto h =
        nat_detection_hash(0x0123456789abcdef, 0xfedcba9876543210, *addr, 4500);
    BOOST_TEST_REQUIRE(h.has_value());
    BOOST_TEST(to_hex(*h) == "9de8bfefaab479f0d5a5609a6de20595c6307502");

    // The IKE_SA_INIT request: responder SPI still zero, port 500.
    auto any = core::Ip6Addr::parse("::");
    BOOST_TEST_REQUIRE(any.has_value());
    auto z = nat_detection_hash(0x0123456789abcdef, 0, *any, 500);
    BOOST_TEST_REQUIRE(z.has_value());
    BOOST_TEST(to_hex(*z) == "b6f89b626eb73ab5156a80232c641cbbc2781286");
}

BOOST_AUTO_TEST_CASE(nat_detection_hash_changes_with_port_and_address) {
    auto addr = core::Ip6Addr::parse("2001:db8::1");
    auto other = core::Ip6Addr::parse("2001:db8::2");
    BOOST_TEST_REQUIRE(addr.has_value());
    BOOST_TEST_REQUIRE(other.has_value());
    auto base = nat_detection_hash(1, 2, *addr, 4500);
    auto port = nat_detection_hash(1, 2, *addr, 4501);
    auto ip = nat_detection_hash(1, 2, *other, 4500);
    auto spis = nat_detection_hash(2, 1, *addr, 4500);
    BOOST_TEST_REQUIRE(base.has_value());
    BOOST_TEST_REQUIRE(port.has_value());
    BOOST_TEST_REQUIRE(ip.has_value());
    BOOST_TEST_REQUIRE(spis.has_value());
    BOOST_TEST(to_hex(*base) != to_hex(*port));
    BOOST_TEST(to_hex(*base) != to_hex(*ip));
    BOOST_TEST(to_hex(*base) != to_hex(*spis));
}

BOOST_AUTO_TEST_CASE(transform_ids_have_rfc_names_and_numbers) {
    BOOST_TEST(static_cast<int>(EncrId::kAesGcm16) == 20);
    BOOST_TEST(static_cast<int>(PrfId::kHmacSha256) == 5);
    BOOST_TEST(static_cast<int>(DhGroup::kCurve25519) == 31);
    BOOST_TEST(std::string(to_string(EncrId::kAesGcm16)) == "ENCR_AES_GCM_16");
    BOOST_TEST(std::string(to_string(PrfId::kHmacSha256)) ==
               "PRF_HMAC_SHA2_256");
    BOOST_TEST(std::string(to_string(DhGroup::kCurve25519)) == "Curve25519");
    BOOST_TEST(std::string(to_string(static_cast<EncrId>(12))) ==
               "ENCR_UNKNOWN");
    BOOST_TEST(kIkeKeymatBytes == 168u);
    BOOST_TEST(kChildKeymatBytes == 72u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace scout6::ike
