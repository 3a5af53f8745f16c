// X25519 (RFC 8031 group 31) against RFC 7748 known answers, plus the
// RFC 8031 §2.3 rejection of low-order peer values.
#include <array>
#include <boost/test/unit_test.hpp>
#include <vector>

#include "ike/crypto_suite.hpp"
#include "tests/ike/crypto_test_util.hpp"

namespace scout6::ike {
namespace {

using test::from_hex;
using test::to_hex;

std::string x25519_hex(const char* scalar, const std::vector<std::uint8_t>& u) {
    auto pair = X25519KeyPair::from_private_for_test(from_hex(scalar));
    BOOST_TEST_REQUIRE(pair.has_value());
    auto shared = pair->shared_secret(u);
    BOOST_TEST_REQUIRE(shared.has_value());
    return to_hex(shared->view());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ike_crypto_x25519)

BOOST_AUTO_TEST_CASE(scalar_mult_matches_rfc7748_section_5_2) {
    BOOST_TEST(
        x25519_hex(
            "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
            from_hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6"
                     "d0ab1c4c")) ==
        "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
    // The u-coordinate has its top bit set, which X25519 must ignore.
    BOOST_TEST(
        x25519_hex(
            "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
            from_hex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549"
                     "c715a493")) ==
        "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
}

BOOST_AUTO_TEST_CASE(iterated_scalar_mult_matches_rfc7748_section_5_2) {
    // k = u = 9; each round k, u = X25519(k, u), k.
    std::vector<std::uint8_t> k(32, 0), u(32, 0);
    k[0] = 9;
    u[0] = 9;
    for (int round = 1; round <= 1000; ++round) {
        auto pair = X25519KeyPair::from_private_for_test(k);
        BOOST_TEST_REQUIRE(pair.has_value());
        auto next = pair->shared_secret(u);
        BOOST_TEST_REQUIRE(next.has_value());
        u = k;
        k.assign(next->view().begin(), next->view().end());
        if (round == 1)
            BOOST_TEST(to_hex(k) ==
                       "422c8e7a6227d7bca1350b3e2bb7279f"
                       "7897b87bb6854b783c60e80311ae3079");
    }
    BOOST_TEST(to_hex(k) ==
               "684cf59ba83309552800ef566f2f4d3c"
               "1c3887c49360e3875f2eb94d99532c51");
}

BOOST_AUTO_TEST_CASE(alice_and_bob_match_rfc7748_section_6_1) {
    auto alice = X25519KeyPair::from_private_for_test(from_hex(
        "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    auto bob = X25519KeyPair::from_private_for_test(from_hex(
        "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
    BOOST_TEST_REQUIRE(alice.has_value());
    BOOST_TEST_REQUIRE(bob.has_value());
    BOOST_TEST(to_hex(alice->public_key()) ==
               "8520f0098930a754748b7ddcb43ef75a"
               "0dbf3a0d26381af4eba4a98eaa9b4e6a");
    BOOST_TEST(to_hex(bob->public_key()) ==
               "de9edb7d7b7dc1b4d35b61c2ece43537"
               "3f8343c85b78674dadfc7e146f882b4f");

    auto ab = alice->shared_secret(bob->public_key());
    auto ba = bob->shared_secret(alice->public_key());
    BOOST_TEST_REQUIRE(ab.has_value());
    BOOST_TEST_REQUIRE(ba.has_value());
    const char* k =
        "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    BOOST_TEST(to_hex(ab->view()) == k);
    BOOST_TEST(to_hex(ba->view()) == k);
}

BOOST_AUTO_TEST_CASE(generated_pairs_agree_and_differ_per_seed) {
    SeededRandom random(7);
    auto a = X25519KeyPair::generate(random);
    auto b = X25519KeyPair::generate(random);
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST_REQUIRE(b.has_value());
    BOOST_TEST(to_hex(a->public_key()) != to_hex(b->public_key()));
    auto ab = a->shared_secret(b->public_key());
    auto ba = b->shared_secret(a->public_key());
    BOOST_TEST_REQUIRE(ab.has_value());
    BOOST_TEST_REQUIRE(ba.has_value());
    BOOST_TEST(to_hex(ab->view()) == to_hex(ba->view()));

    // The same seed gives the same key: exchange tests are reproducible.
    SeededRandom again(7);
    auto a2 = X25519KeyPair::generate(again);
    BOOST_TEST_REQUIRE(a2.has_value());
    BOOST_TEST(to_hex(a2->public_key()) == to_hex(a->public_key()));

    SystemRandom system;
    auto c = X25519KeyPair::generate(system);
    BOOST_TEST_REQUIRE(c.has_value());
    BOOST_TEST(to_hex(c->public_key()) != to_hex(a->public_key()));
}

BOOST_AUTO_TEST_CASE(rejects_low_order_peer_values) {
    auto pair = X25519KeyPair::from_private_for_test(from_hex(
        "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    BOOST_TEST_REQUIRE(pair.has_value());
    // Points of small order on Curve25519 (u = 0, u = 1, and an order-8
    // point): X25519 of any of them is all zero (RFC 7748 §6.1).
    const char* low_order[] = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    };
    for (const char* u : low_order) {
        auto shared = pair->shared_secret(from_hex(u));
        BOOST_TEST_REQUIRE(!shared.has_value());
        BOOST_TEST(shared.error().code == core::Errc::kCrypto);
    }
}

BOOST_AUTO_TEST_CASE(rejects_wrong_lengths) {
    auto bad_private =
        X25519KeyPair::from_private_for_test(std::vector<std::uint8_t>(31, 1));
    BOOST_TEST_REQUIRE(!bad_private.has_value());
    BOOST_TEST(bad_private.error().code == core::Errc::kMalformed);

    SeededRandom random(1);
    auto pair = X25519KeyPair::generate(random);
    BOOST_TEST_REQUIRE(pair.has_value());
    for (std::size_t n : {0u, 31u, 33u, 64u}) {
        auto shared = pair->shared_secret(std::vector<std::uint8_t>(n, 9));
        BOOST_TEST_REQUIRE(!shared.has_value());
        BOOST_TEST(shared.error().code == core::Errc::kMalformed);
    }
}

BOOST_AUTO_TEST_CASE(seeded_random_is_deterministic_per_seed_and_call) {
    std::array<std::uint8_t, 16> a1{}, a2{}, b1{};
    SeededRandom a(42), b(42), c(43);
    a.fill(a1);
    a.fill(a2);
    b.fill(b1);
    BOOST_TEST(to_hex(a1) == to_hex(b1));
    BOOST_TEST(to_hex(a1) != to_hex(a2));
    std::array<std::uint8_t, 16> c1{};
    c.fill(c1);
    BOOST_TEST(to_hex(c1) != to_hex(a1));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace scout6::ike
