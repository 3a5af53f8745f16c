// PRF_HMAC_SHA2_256, prf+ and the RFC 7296 key schedule against
// published known answers (RFC 4231, RFC 4868, the NIST SP 800-135 IKEv2
// sample) and a few self-generated extensions (tests/ike/vectors/).
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

std::string prf_hex(core::Bytes key, core::Bytes data) {
    auto out = prf(key, data);
    BOOST_TEST_REQUIRE(out.has_value());
    BOOST_TEST(out->size() == kPrfKeyBytes);
    return to_hex(out->view());
}

// NIST SP 800-135 IKEv2 KDF sample for SHA-256 (CAVS "ikev2" component),
// taken from the NIST sample values as NSS relays them in
// gtests/common/testvectors/ike-sha256-vectors.h: 64-bit nonces, 256-bit
// g^ir, 1056-bit DKM.
const char* const kCavpNi = "3f302be1abcb28e1";
const char* const kCavpNr = "8c332ee006064c9b";
const char* const kCavpGir =
    "0f4d257d7a58fc4545c7d7a88119eee5d5c9690c5b4c989171d3abbfd99d1d29";
const char* const kCavpGirNew =
    "25f3b12d6f282739256e39bf54eda53b60ffcf379bb7bcc90c27b4c4c578616c";
constexpr std::uint64_t kCavpSpiI = 0x40dac39e1e1a8640;
constexpr std::uint64_t kCavpSpiR = 0x8619a1cf9a6e4c07;
const char* const kCavpSkeyseed =
    "5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe";
const char* const kCavpDkm =
    "0b137d669b0947d7d026d593f0305ad401ff0c471357d695778a9c7f4b4869ec"
    "e98aca531188d16041b3bb936d2dbb3b4993a6e768a809160de45d0283f273a6"
    "cdf6854379e31be72b8d3d1fa990cf9c5b015ca9f918a7df6253c958114a09d4"
    "e1c19bdcd4db14b29d98db1a74ad405c588662c14a04d0d36aa4ab55e90f8986"
    "d12d4aad";
const char* const kCavpSkeyseedRekey =
    "2d63f6debc92048b4fef3889c4c99ca67d6496e0fac14a2bca9a2d6566ff2398";

}  // namespace

BOOST_AUTO_TEST_SUITE(ike_crypto_prf)

BOOST_AUTO_TEST_CASE(hmac_sha256_matches_rfc4231_test_cases) {
    // Test case 1: 20-byte key.
    BOOST_TEST(
        prf_hex(std::vector<std::uint8_t>(20, 0x0b), as_bytes("Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b"
        "881dc200c9833da726e9376c2e32cff7");
    // Test case 2: a key shorter than the output.
    BOOST_TEST(
        prf_hex(as_bytes("Jefe"), as_bytes("what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c7"
        "5a003f089d2739839dec58b964ec3843");
    // Test case 6: a 131-byte key, longer than the SHA-256 block.
    std::vector<std::uint8_t> long_key(131, 0xaa);
    BOOST_TEST(
        prf_hex(long_key,
                as_bytes("Test Using Larger Than Block-Size Key - Hash Key "
                         "First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    // Test case 7: long key and long data.
    BOOST_TEST(
        prf_hex(long_key,
                as_bytes("This is a test using a larger than block-size key "
                         "and a larger than block-size data. The key needs "
                         "to be hashed before being used by the HMAC "
                         "algorithm.")) ==
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

BOOST_AUTO_TEST_CASE(prf_matches_rfc4868_prf_test_vectors) {
    // RFC 4868 §2.7.1, PRF-HMAC-SHA-256 with 32-byte keys.
    BOOST_TEST(
        prf_hex(std::vector<std::uint8_t>(32, 0x0b), as_bytes("Hi There")) ==
        "198a607eb44bfbc69903a0f1cf2bbdc5"
        "ba0aa3f3d9ae3c1c7a3b1696a0b68cf7");
    BOOST_TEST(prf_hex(as_bytes("JefeJefeJefeJefeJefeJefeJefeJefe"),
                       as_bytes("what do ya want for nothing?")) ==
               "167f928588c5cc2eef8e3093caa0e87c"
               "9ff566a14794aa61648d81621a2a40c6");
    BOOST_TEST(prf_hex(std::vector<std::uint8_t>(32, 0xaa),
                       std::vector<std::uint8_t>(50, 0xdd)) ==
               "cdcb1220d1ecccea91e53aba3092f962"
               "e549fe6ce9ed7fdc43191fbde45c30b0");
    std::vector<std::uint8_t> counting(32);
    for (std::size_t i = 0; i < counting.size(); ++i)
        counting[i] = static_cast<std::uint8_t>(i + 1);
    BOOST_TEST(prf_hex(counting, std::vector<std::uint8_t>(50, 0xcd)) ==
               "372efcf9b40b35c2115b1346903d2ef4"
               "2fced46f0846e7257bb156d3d7b30d3f");
}

BOOST_AUTO_TEST_CASE(prf_plus_first_block_is_prf_of_seed_and_one) {
    // RFC 7296 §2.13: T1 = prf(K, S | 0x01), T2 = prf(K, T1 | S | 0x02).
    auto key = from_hex("000102030405060708090a0b0c0d0e0f");
    auto seed = from_hex("fedcba9876543210");
    auto out = prf_plus(key, seed, 2 * kPrfKeyBytes);
    BOOST_TEST_REQUIRE(out.has_value());

    auto s1 = seed;
    s1.push_back(0x01);
    auto t1 = prf(key, s1);
    BOOST_TEST_REQUIRE(t1.has_value());
    std::vector<std::uint8_t> s2(t1->view().begin(), t1->view().end());
    s2.insert(s2.end(), seed.begin(), seed.end());
    s2.push_back(0x02);
    auto t2 = prf(key, s2);
    BOOST_TEST_REQUIRE(t2.has_value());

    BOOST_TEST(to_hex(out->view().first(kPrfKeyBytes)) == to_hex(t1->view()));
    BOOST_TEST(to_hex(out->view().subspan(kPrfKeyBytes)) == to_hex(t2->view()));
}

BOOST_AUTO_TEST_CASE(prf_plus_shorter_output_is_a_prefix) {
    auto key = from_hex("0b0b0b0b");
    auto seed = from_hex("01020304");
    auto full = prf_plus(key, seed, 100);
    auto part = prf_plus(key, seed, 45);
    BOOST_TEST_REQUIRE(full.has_value());
    BOOST_TEST_REQUIRE(part.has_value());
    BOOST_TEST(full->size() == 100u);
    BOOST_TEST(part->size() == 45u);
    BOOST_TEST(to_hex(full->view().first(45)) == to_hex(part->view()));
}

BOOST_AUTO_TEST_CASE(prf_plus_stops_at_255_blocks) {
    auto key = from_hex("00");
    auto max = prf_plus(key, {}, kPrfPlusMaxBytes);
    BOOST_TEST_REQUIRE(max.has_value());
    BOOST_TEST(max->size() == 255 * kPrfKeyBytes);

    auto over = prf_plus(key, {}, kPrfPlusMaxBytes + 1);
    BOOST_TEST_REQUIRE(!over.has_value());
    BOOST_TEST(over.error().code == core::Errc::kUnsupported);

    auto none = prf_plus(key, {}, 0);
    BOOST_TEST_REQUIRE(none.has_value());
    BOOST_TEST(none->empty());
}

BOOST_AUTO_TEST_CASE(skeyseed_and_dkm_match_nist_ikev2_sample) {
    auto ni = from_hex(kCavpNi);
    auto nr = from_hex(kCavpNr);
    auto gir = from_hex(kCavpGir);

    // SKEYSEED = prf(Ni | Nr, g^ir).
    auto nonces = ni;
    nonces.insert(nonces.end(), nr.begin(), nr.end());
    BOOST_TEST(prf_hex(nonces, gir) == kCavpSkeyseed);

    // DKM = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), 132 bytes.
    auto seed = nonces;
    auto spis = from_hex("40dac39e1e1a8640 8619a1cf9a6e4c07");
    seed.insert(seed.end(), spis.begin(), spis.end());
    auto dkm = prf_plus(from_hex(kCavpSkeyseed), seed, 132);
    BOOST_TEST_REQUIRE(dkm.has_value());
    BOOST_TEST(to_hex(dkm->view()) == kCavpDkm);

    // SKEYSEED(Rekey) = prf(SK_d (old), g^ir (new) | Ni | Nr), SK_d being
    // the first 32 DKM bytes: another published prf answer.
    auto rekey_data = from_hex(kCavpGirNew);
    rekey_data.insert(rekey_data.end(), nonces.begin(), nonces.end());
    BOOST_TEST(prf_hex(dkm->view().first(kPrfKeyBytes), rekey_data) ==
               kCavpSkeyseedRekey);
}

BOOST_AUTO_TEST_CASE(derive_ike_keys_splits_the_nist_dkm_in_rfc_order) {
    auto keys = derive_ike_keys(from_hex(kCavpNi), from_hex(kCavpNr),
                                from_hex(kCavpGir), kCavpSpiI, kCavpSpiR);
    BOOST_TEST_REQUIRE(keys.has_value());
    BOOST_TEST(keys->sk_d.size() == kPrfKeyBytes);
    BOOST_TEST(keys->sk_ei.size() == kGcmKeymatBytes);
    BOOST_TEST(keys->sk_er.size() == kGcmKeymatBytes);
    BOOST_TEST(keys->sk_pi.size() == kPrfKeyBytes);
    BOOST_TEST(keys->sk_pr.size() == kPrfKeyBytes);

    // SK_d | SK_ei | SK_er | SK_pi | SK_pr with empty SK_a*: the published
    // 132-byte DKM is a prefix of that concatenation.
    std::string all = to_hex(keys->sk_d.view()) + to_hex(keys->sk_ei.view()) +
                      to_hex(keys->sk_er.view()) + to_hex(keys->sk_pi.view()) +
                      to_hex(keys->sk_pr.view());
    BOOST_TEST(all.size() == 2 * kIkeKeymatBytes);
    BOOST_TEST(all.substr(0, std::string(kCavpDkm).size()) == kCavpDkm);

    // Past the published 132 bytes: self-generated by
    // tests/ike/vectors/gen_crypto_vectors.py (Python hmac).
    BOOST_TEST(to_hex(keys->sk_pi.view()) ==
               "9d98db1a74ad405c588662c14a04d0d3"
               "6aa4ab55e90f8986d12d4aad5ce032b9");
    BOOST_TEST(to_hex(keys->sk_pr.view()) ==
               "df9fda904ea34550dd8855ef297eb081"
               "6a2ea725fc3bf74e207b67c666caa64d");
}

BOOST_AUTO_TEST_CASE(derive_ike_keys_depends_on_every_input) {
    auto ni = from_hex(kCavpNi), nr = from_hex(kCavpNr);
    auto gir = from_hex(kCavpGir);
    auto base = derive_ike_keys(ni, nr, gir, kCavpSpiI, kCavpSpiR);
    BOOST_TEST_REQUIRE(base.has_value());
    std::string base_d = to_hex(base->sk_d.view());

    auto ni2 = ni;
    ni2[0] ^= 1;
    auto gir2 = gir;
    gir2[31] ^= 0x80;
    auto variants = {
        derive_ike_keys(ni2, nr, gir, kCavpSpiI, kCavpSpiR),
        derive_ike_keys(ni, nr, gir2, kCavpSpiI, kCavpSpiR),
        derive_ike_keys(ni, nr, gir, kCavpSpiI ^ 1, kCavpSpiR),
        derive_ike_keys(ni, nr, gir, kCavpSpiI, kCavpSpiR ^ 1),
        // Swapping the nonces is not the same SA.
        derive_ike_keys(nr, ni, gir, kCavpSpiI, kCavpSpiR),
    };
    for (const auto& v : variants) {
        BOOST_TEST_REQUIRE(v.has_value());
        BOOST_TEST(to_hex(v->sk_d.view()) != base_d);
    }
}

BOOST_AUTO_TEST_CASE(child_keymat_is_prf_plus_of_sk_d_and_nonces) {
    // SK_d from the NIST sample; the 72-byte KEYMAT is self-generated by
    // tests/ike/vectors/gen_crypto_vectors.py (no published SHA-256 Child
    // SA answer was found).
    auto sk_d = from_hex(
        "0b137d669b0947d7d026d593f0305ad401ff0c471357d695778a9c7f4b4869ec");
    auto keymat = derive_child_keymat(sk_d, from_hex(kCavpNi),
                                      from_hex(kCavpNr), kChildKeymatBytes);
    BOOST_TEST_REQUIRE(keymat.has_value());
    BOOST_TEST(to_hex(keymat->view()) ==
               "7d808e2b44635300e7025f1b640c431b13a9b3b891cd45a15261f4f3c4a7"
               "e39b3a3c8017ccc2b74610faf52ba3faf6d9e83c859b448217b24dadc82c"
               "9887460b7bd724236b988591");

    auto too_long = derive_child_keymat(
        sk_d, from_hex(kCavpNi), from_hex(kCavpNr), kPrfPlusMaxBytes + 1);
    BOOST_TEST_REQUIRE(!too_long.has_value());
    BOOST_TEST(too_long.error().code == core::Errc::kUnsupported);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace scout6::ike
