// The SK payload cipher, ENCR_AES_GCM_16 with a 256-bit key (RFC 5282):
// the GCM specification's AES-256 test case 16 (McGrew and Viega; also
// NIST SP 800-38D), round trips, and every tamper and framing error.
#include <boost/test/unit_test.hpp>
#include <vector>

#include "ike/crypto_suite.hpp"
#include "tests/ike/crypto_test_util.hpp"

namespace scout6::ike {
namespace {

using test::from_hex;
using test::to_hex;

// GCM spec test case 16. The 12-byte IV cafebabe facedbaddecaf888 splits
// into the RFC 5282 salt (first 4, from SK_e) and the explicit IV (last 8,
// on the wire).
const char* const kTc16Key =
    "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
const char* const kTc16Salt = "cafebabe";
constexpr std::uint64_t kTc16Iv = 0xfacedbaddecaf888;
const char* const kTc16Aad = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
const char* const kTc16Plain =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
const char* const kTc16Cipher =
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662";
const char* const kTc16Tag = "76fc6ece0f4e1768cddf8853bb2d551b";

SkCipher tc16_cipher() {
    auto keymat = from_hex(std::string(kTc16Key) + kTc16Salt);
    auto cipher = SkCipher::create(keymat);
    BOOST_TEST_REQUIRE(cipher.has_value());
    return std::move(*cipher);
}

std::vector<std::uint8_t> tc16_body() {
    return from_hex(std::string("facedbaddecaf888") + kTc16Cipher + kTc16Tag);
}

bool all_zero(core::Bytes b) {
    for (auto x : b)
        if (x != 0) return false;
    return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ike_crypto_sk_cipher)

BOOST_AUTO_TEST_CASE(seal_reproduces_gcm_test_case_16) {
    SkCipher cipher = tc16_cipher();
    auto plain = from_hex(kTc16Plain);
    std::vector<std::uint8_t> out(plain.size() + kGcmIvBytes + kGcmIcvBytes);
    auto n =
        cipher.seal_padded_for_test(from_hex(kTc16Aad), plain, kTc16Iv, out);
    BOOST_TEST_REQUIRE(n.has_value());
    BOOST_TEST(*n == out.size());
    BOOST_TEST(to_hex(out) == to_hex(tc16_body()));
}

BOOST_AUTO_TEST_CASE(open_accepts_gcm_test_case_16_and_strips_padding) {
    // The vector's last plaintext byte, 0x39, reads as a pad length of 57:
    // 60 - 1 - 57 leaves two bytes of "inner payloads".
    SkCipher cipher = tc16_cipher();
    std::vector<std::uint8_t> plain(64, 0xee);
    auto n = cipher.open(from_hex(kTc16Aad), tc16_body(), plain);
    BOOST_TEST_REQUIRE(n.has_value());
    BOOST_TEST(*n == 2u);
    BOOST_TEST(to_hex(core::Bytes(plain).first(2)) == "d931");
    // The padding is wiped, the bytes past the plaintext untouched.
    BOOST_TEST(all_zero(core::Bytes(plain).subspan(2, 58)));
    BOOST_TEST(plain[60] == 0xee);
}

BOOST_AUTO_TEST_CASE(seal_appends_a_zero_pad_length) {
    SkCipher cipher = tc16_cipher();
    auto inner = from_hex("2900000c0100000011223344");
    auto padded = inner;
    padded.push_back(0);
    auto aad = from_hex(kTc16Aad);
    std::vector<std::uint8_t> a(inner.size() +
                                SkCipher::overhead(inner.size()));
    std::vector<std::uint8_t> b(a.size());
    auto na = cipher.seal(aad, inner, 7, a);
    auto nb = cipher.seal_padded_for_test(aad, padded, 7, b);
    BOOST_TEST_REQUIRE(na.has_value());
    BOOST_TEST_REQUIRE(nb.has_value());
    BOOST_TEST(*na == a.size());
    BOOST_TEST(to_hex(a) == to_hex(b));
    // The explicit IV is the counter, big-endian.
    BOOST_TEST(to_hex(core::Bytes(a).first(kGcmIvBytes)) == "0000000000000007");
}

BOOST_AUTO_TEST_CASE(round_trips_inner_payloads_of_every_small_size) {
    SkCipher cipher = tc16_cipher();
    auto aad = from_hex("0011223344556677 8899aabbccddeeff 2e202308 00000001");
    for (std::size_t len = 0; len <= 70; ++len) {
        std::vector<std::uint8_t> inner(len);
        for (std::size_t i = 0; i < len; ++i)
            inner[i] = static_cast<std::uint8_t>(i * 7 + len);
        std::vector<std::uint8_t> body(len + SkCipher::overhead(len));
        auto n = cipher.seal(aad, inner, 1000 + len, body);
        BOOST_TEST_REQUIRE(n.has_value());
        BOOST_TEST(*n == body.size());

        std::vector<std::uint8_t> plain(len + 1);
        auto m = cipher.open(aad, body, plain);
        BOOST_TEST_REQUIRE(m.has_value());
        BOOST_TEST(*m == len);
        BOOST_TEST(to_hex(core::Bytes(plain).first(len)) == to_hex(inner));
    }
}

BOOST_AUTO_TEST_CASE(every_single_bit_tamper_fails_authentication) {
    SkCipher cipher = tc16_cipher();
    const auto aad = from_hex(kTc16Aad);
    const auto body = tc16_body();
    std::vector<std::uint8_t> plain(body.size());

    // Every bit of the AAD.
    for (std::size_t i = 0; i < aad.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            auto bad = aad;
            bad[i] ^= static_cast<std::uint8_t>(1u << bit);
            auto r = cipher.open(bad, body, plain);
            BOOST_TEST_REQUIRE(!r.has_value());
            BOOST_TEST(r.error().code == core::Errc::kAuthFailed);
        }
    }
    // Every bit of IV, ciphertext and ICV; no plaintext is left behind.
    for (std::size_t i = 0; i < body.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            auto bad = body;
            bad[i] ^= static_cast<std::uint8_t>(1u << bit);
            std::fill(plain.begin(), plain.end(), 0xee);
            auto r = cipher.open(aad, bad, plain);
            BOOST_TEST_REQUIRE(!r.has_value());
            BOOST_TEST(r.error().code == core::Errc::kAuthFailed);
            std::size_t text = body.size() - kGcmIvBytes - kGcmIcvBytes;
            BOOST_TEST(all_zero(core::Bytes(plain).first(text)));
        }
    }
    // A dropped or an added AAD byte.
    auto shorter = aad;
    shorter.pop_back();
    auto longer = aad;
    longer.push_back(0);
    for (const auto& bad : {shorter, longer}) {
        auto r = cipher.open(bad, body, plain);
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST(r.error().code == core::Errc::kAuthFailed);
    }
    // The untampered body still opens: the loop above was not vacuous.
    BOOST_TEST(cipher.open(aad, body, plain).has_value());
}

BOOST_AUTO_TEST_CASE(truncation_never_opens) {
    SkCipher cipher = tc16_cipher();
    const auto aad = from_hex(kTc16Aad);
    const auto body = tc16_body();
    std::vector<std::uint8_t> plain(body.size());
    for (std::size_t len = 0; len < body.size(); ++len) {
        auto r = cipher.open(aad, core::Bytes(body).first(len), plain);
        BOOST_TEST_REQUIRE(!r.has_value());
        auto want = len < kGcmIvBytes + 1 + kGcmIcvBytes
                        ? core::Errc::kTruncated
                        : core::Errc::kAuthFailed;
        BOOST_TEST(r.error().code == want);
    }
}

BOOST_AUTO_TEST_CASE(rejects_pad_length_longer_than_plaintext) {
    SkCipher cipher = tc16_cipher();
    auto aad = from_hex("01020304");
    struct Case {
        const char* padded;
        bool ok;
        std::size_t inner;
    };
    const Case cases[] = {
        {"abcd03", false, 0},  // 3 pad bytes + length byte > 3 bytes
        {"abcd02", true, 0},   // ab cd are both padding
        {"abcd01", true, 1},   // ab | cd (pad) | 01
        {"00", true, 0},       // an empty SK payload
        {"01", false, 0},      // claims a pad byte that is not there
        {"ff", false, 0},
    };
    for (const auto& c : cases) {
        auto padded = from_hex(c.padded);
        std::vector<std::uint8_t> body(padded.size() + kGcmIvBytes +
                                       kGcmIcvBytes);
        BOOST_TEST_REQUIRE(
            cipher.seal_padded_for_test(aad, padded, 3, body).has_value());
        std::vector<std::uint8_t> plain(padded.size());
        auto r = cipher.open(aad, body, plain);
        BOOST_TEST(r.has_value() == c.ok, c.padded);
        if (r) {
            BOOST_TEST(*r == c.inner);
        } else {
            BOOST_TEST(r.error().code == core::Errc::kMalformed);
            BOOST_TEST(all_zero(plain));
        }
    }
}

BOOST_AUTO_TEST_CASE(reports_short_buffers_and_bad_keys) {
    SkCipher cipher = tc16_cipher();
    auto inner = from_hex("0102030405");
    std::vector<std::uint8_t> body(inner.size() + SkCipher::overhead(5) - 1);
    auto r = cipher.seal({}, inner, 0, body);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == core::Errc::kNoSpace);

    body.resize(inner.size() + SkCipher::overhead(5));
    BOOST_TEST_REQUIRE(cipher.seal({}, inner, 0, body).has_value());
    std::vector<std::uint8_t> plain(inner.size());  // needs 6
    auto o = cipher.open({}, body, plain);
    BOOST_TEST_REQUIRE(!o.has_value());
    BOOST_TEST(o.error().code == core::Errc::kNoSpace);

    for (std::size_t n : {0u, 32u, 35u, 37u}) {
        auto bad = SkCipher::create(std::vector<std::uint8_t>(n, 1));
        BOOST_TEST_REQUIRE(!bad.has_value());
        BOOST_TEST(bad.error().code == core::Errc::kMalformed);
    }
    BOOST_TEST(SkCipher::overhead(0) == 25u);
    BOOST_TEST(SkCipher::overhead(1000) == 25u);
}

BOOST_AUTO_TEST_CASE(salt_and_key_both_matter) {
    auto keymat = from_hex(std::string(kTc16Key) + kTc16Salt);
    auto other_salt = keymat;
    other_salt.back() ^= 1;
    auto other_key = keymat;
    other_key.front() ^= 1;
    auto a = SkCipher::create(keymat);
    auto b = SkCipher::create(other_salt);
    auto c = SkCipher::create(other_key);
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST_REQUIRE(b.has_value());
    BOOST_TEST_REQUIRE(c.has_value());

    auto inner = from_hex("00112233");
    std::vector<std::uint8_t> body(inner.size() + SkCipher::overhead(4));
    BOOST_TEST_REQUIRE(a->seal({}, inner, 9, body).has_value());
    std::vector<std::uint8_t> plain(body.size());
    for (SkCipher* wrong : {&*b, &*c}) {
        auto r = wrong->open({}, body, plain);
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST(r.error().code == core::Errc::kAuthFailed);
    }
}

BOOST_AUTO_TEST_CASE(moved_cipher_keeps_working_and_source_refuses) {
    SkCipher first = tc16_cipher();
    SkCipher second = std::move(first);
    auto inner = from_hex("aa");
    std::vector<std::uint8_t> body(1 + SkCipher::overhead(1));
    BOOST_TEST(second.seal({}, inner, 1, body).has_value());
    // A moved-from cipher is our bug if used, never a crash.
    auto r = first.seal({}, inner, 1, body);  // NOLINT(bugprone-use-after-move)
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == core::Errc::kInternal);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace scout6::ike
