#include "core/bytes.hpp"

#include <array>
#include <boost/test/unit_test.hpp>

using namespace scout6::core;

BOOST_AUTO_TEST_SUITE(core_bytes)

BOOST_AUTO_TEST_CASE(reads_big_endian_integers_in_order) {
    const std::array<std::uint8_t, 7> in{0x01, 0x02, 0x03, 0x04,
                                         0x05, 0x06, 0x07};
    ByteReader r(in);
    std::uint8_t a = 0;
    std::uint16_t b = 0;
    std::uint32_t c = 0;
    BOOST_TEST(r.read_u8(a));
    BOOST_TEST(r.read_u16(b));
    BOOST_TEST(r.read_u32(c));
    BOOST_TEST(a == 0x01);
    BOOST_TEST(b == 0x0203);
    BOOST_TEST(c == 0x04050607u);
    BOOST_TEST(r.remaining() == 0u);
}

BOOST_AUTO_TEST_CASE(failed_read_is_sticky_and_keeps_cursor) {
    const std::array<std::uint8_t, 3> in{1, 2, 3};
    ByteReader r(in);
    std::uint32_t v = 0;
    BOOST_TEST(!r.read_u32(v));
    BOOST_TEST(r.position() == 0u);
    std::uint8_t b = 0;
    BOOST_TEST(!r.read_u8(b));
    BOOST_TEST(!r.ok());
}

BOOST_AUTO_TEST_CASE(writer_refuses_to_overflow) {
    std::array<std::uint8_t, 3> out{};
    ByteWriter w(out);
    BOOST_TEST(w.write_u16(0xabcd));
    BOOST_TEST(!w.write_u16(0x1234));
    BOOST_TEST(!w.ok());
    BOOST_TEST(w.size() == 2u);
    BOOST_TEST(out[0] == 0xab);
    BOOST_TEST(out[1] == 0xcd);
}

BOOST_AUTO_TEST_CASE(writer_patches_reserved_length) {
    std::array<std::uint8_t, 8> out{};
    ByteWriter w(out);
    auto at = w.reserve_at(4);
    BOOST_TEST(w.write_u16(7));
    BOOST_TEST(w.patch_u32(at, 0x11223344u));
    BOOST_TEST(out[0] == 0x11);
    BOOST_TEST(out[3] == 0x44);
    BOOST_TEST(!w.patch_u32(4, 1));  // beyond what was written
}

BOOST_AUTO_TEST_SUITE_END()
