// Published AES-GCM vectors run through scout6's own EVP setup (EspAead)
// and through the ESP SAs. Only the test data is copied; sources are cited
// at each array.
#include <array>
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <ostream>
#include <string_view>
#include <vector>

#include "core/esp_sa.hpp"

using namespace scout6::core;

// Lets Boost.Test print an Errc when a comparison fails.
namespace scout6::core {
inline std::ostream& operator<<(std::ostream& os, Errc code) {
    return os << to_string(code);
}
}  // namespace scout6::core

namespace {

std::vector<std::uint8_t> from_hex(std::string_view hex) {
    auto nibble = [](char c) -> std::uint8_t {
        if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
        return static_cast<std::uint8_t>(c - 'a' + 10);
    };
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) << 4 |
                                                nibble(hex[i + 1])));
    return out;
}

std::vector<std::uint8_t> concat(const std::vector<std::uint8_t>& a,
                                 const std::vector<std::uint8_t>& b) {
    std::vector<std::uint8_t> out(a);
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", revised
// 2005, Appendix B, Test Case 16: AES-256, 96-bit IV, 20 bytes of AAD.
// Its 96-bit IV cafebabe|facedbaddecaf888 splits exactly as RFC 4106 §4
// builds a nonce: salt cafebabe, explicit IV facedbaddecaf888.
const auto kTc16Key = from_hex(
    "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
const auto kTc16Salt = from_hex("cafebabe");
constexpr std::uint64_t kTc16Iv = 0xfacedbaddecaf888ULL;
const auto kTc16Aad = from_hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
const auto kTc16Plain = from_hex(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
const auto kTc16Cipher = from_hex(
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662");
const auto kTc16Tag = from_hex("76fc6ece0f4e1768cddf8853bb2d551b");

// draft-mcgrew-gcm-test-01 ("Test Cases for the use of GCM and GMAC in
// IPsec ESP", March 2009), section 4, Test Case 3: AES-256, 32-bit
// sequence number (no ESN), so it is exactly scout6's suite.
const auto kCase3Key = from_hex(
    "abbccddef00112233445566778899aababbccddef00112233445566778899aab");
const auto kCase3Salt = from_hex("11223344");
constexpr std::uint32_t kCase3Spi = 0x4a2cbfe3;
constexpr std::uint32_t kCase3Seq = 2;
constexpr std::uint64_t kCase3Iv = 0x0102030405060708ULL;
// The plaintext as the draft gives it: a 48-byte IPv4/TCP packet, then
// the ESP trailer 01 02 (padding) 02 (pad length) 01 (next header; the
// draft's value, kept as is).
const auto kCase3Plain = from_hex(
    "4500003069a6400080062690c0a80102"
    "9389155e0a9e008b2dc57ee000000000"
    "7002400020bf0000020405b401010402"
    "01020201");
constexpr std::size_t kCase3InnerBytes = 48;
constexpr std::uint8_t kCase3NextHeader = 1;
// The whole ESP packet: SPI | Seq | IV | ciphertext | ICV.
const auto kCase3Packet = from_hex(
    "4a2cbfe3000000020102030405060708"
    "ff425c9b724599df7a3bcd510194e00d"
    "6a78107f1b0b1cbf06efae9d65a5d763"
    "748a637985771d347f0545659f14e99d"
    "ef842d8eb335f4eecfdbf831824b4c49"
    "15956c96");

}  // namespace

BOOST_AUTO_TEST_SUITE(core_esp_vectors)

BOOST_AUTO_TEST_CASE(gcm_spec_case16_seals_to_published_bytes) {
    auto aead =
        EspAead::create(EspAead::Direction::kSeal, concat(kTc16Key, kTc16Salt));
    BOOST_TEST_REQUIRE(aead.has_value());
    auto text = kTc16Plain;
    std::array<std::uint8_t, kEspIcvBytes> tag{};
    BOOST_TEST_REQUIRE(aead->seal(kTc16Iv, kTc16Aad, text, tag).has_value());
    BOOST_TEST(text == kTc16Cipher, boost::test_tools::per_element());
    BOOST_TEST(tag == kTc16Tag, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(gcm_spec_case16_opens_and_rejects_wrong_aad) {
    auto aead =
        EspAead::create(EspAead::Direction::kOpen, concat(kTc16Key, kTc16Salt));
    BOOST_TEST_REQUIRE(aead.has_value());
    auto text = kTc16Cipher;
    BOOST_TEST_REQUIRE(
        aead->open(kTc16Iv, kTc16Aad, text, kTc16Tag).has_value());
    BOOST_TEST(text == kTc16Plain, boost::test_tools::per_element());

    // Same ciphertext with one AAD bit changed: the AAD really is bound.
    auto aad = kTc16Aad;
    aad[19] ^= 0x01;
    text = kTc16Cipher;
    auto opened = aead->open(kTc16Iv, aad, text, kTc16Tag);
    BOOST_TEST_REQUIRE(!opened.has_value());
    BOOST_TEST(opened.error().code == Errc::kAuthFailed);
    // The unauthenticated plaintext was wiped, not left in the buffer.
    BOOST_TEST(text == std::vector<std::uint8_t>(text.size(), 0),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(draft_case3_packet_opens_to_published_plaintext) {
    auto sa = EspInboundSa::create(kCase3Spi, concat(kCase3Key, kCase3Salt));
    BOOST_TEST_REQUIRE(sa.has_value());
    auto packet = kCase3Packet;
    auto opened = sa->open(packet);
    BOOST_TEST_REQUIRE(opened.has_value());
    BOOST_TEST(opened->seq == kCase3Seq);
    BOOST_TEST(opened->next_header == kCase3NextHeader);
    std::vector<std::uint8_t> inner(opened->payload.begin(),
                                    opened->payload.end());
    std::vector<std::uint8_t> expected(kCase3Plain.begin(),
                                       kCase3Plain.begin() + kCase3InnerBytes);
    BOOST_TEST(inner == expected, boost::test_tools::per_element());
    BOOST_TEST(sa->stats().packets == 1u);
    BOOST_TEST(sa->stats().bytes == kCase3InnerBytes);
}

BOOST_AUTO_TEST_CASE(draft_case3_sealed_byte_for_byte) {
    // The draft's padding (01 02, pad length 2) is the one seal() writes
    // for a 48-byte payload, so with the draft's IV forced through the
    // test seam and the counter set one below its sequence number, the
    // whole packet must come out identical.
    auto sa = EspOutboundSa::create(kCase3Spi, concat(kCase3Key, kCase3Salt));
    BOOST_TEST_REQUIRE(sa.has_value());
    sa->set_sequence_for_test(kCase3Seq - 1);
    std::vector<std::uint8_t> inner(kCase3Plain.begin(),
                                    kCase3Plain.begin() + kCase3InnerBytes);
    std::vector<std::uint8_t> out(esp_sealed_size(inner.size()));
    auto n = sa->seal_with_iv_for_test(kCase3NextHeader, inner, kCase3Iv, out);
    BOOST_TEST_REQUIRE(n.has_value());
    BOOST_TEST(*n == kCase3Packet.size());
    BOOST_TEST(out == kCase3Packet, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(draft_case3_aead_output_matches_for_its_plaintext) {
    // The encrypt direction at the AEAD level, independent of how seal()
    // pads: the draft's exact plaintext (payload | padding | trailer)
    // with AAD = SPI | Seq gives the draft's ciphertext and ICV.
    auto aead = EspAead::create(EspAead::Direction::kSeal,
                                concat(kCase3Key, kCase3Salt));
    BOOST_TEST_REQUIRE(aead.has_value());
    auto text = kCase3Plain;
    std::array<std::uint8_t, kEspIcvBytes> tag{};
    std::vector<std::uint8_t> aad(kCase3Packet.begin(),
                                  kCase3Packet.begin() + kEspHeaderBytes);
    BOOST_TEST_REQUIRE(aead->seal(kCase3Iv, aad, text, tag).has_value());
    std::vector<std::uint8_t> expected_text(
        kCase3Packet.begin() + kEspPayloadOffset,
        kCase3Packet.end() - kEspIcvBytes);
    std::vector<std::uint8_t> expected_tag(kCase3Packet.end() - kEspIcvBytes,
                                           kCase3Packet.end());
    BOOST_TEST(text == expected_text, boost::test_tools::per_element());
    BOOST_TEST(tag == expected_tag, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(draft_case3_with_flipped_icv_fails_auth) {
    auto sa = EspInboundSa::create(kCase3Spi, concat(kCase3Key, kCase3Salt));
    BOOST_TEST_REQUIRE(sa.has_value());
    auto packet = kCase3Packet;
    packet.back() ^= 0x80;
    auto opened = sa->open(packet);
    BOOST_TEST_REQUIRE(!opened.has_value());
    BOOST_TEST(opened.error().code == Errc::kAuthFailed);
    // A forgery does not consume the sequence number.
    auto intact = kCase3Packet;
    BOOST_TEST(sa->open(intact).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
