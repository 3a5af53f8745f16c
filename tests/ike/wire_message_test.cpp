// The payload chain walker, the per-exchange rules, and whole messages in
// the clear and under SK (RFC 7296 §3.2, §3.14; RFC 5282).
#include <boost/test/unit_test.hpp>
#include <vector>

#include "ike/exchange/proposals.hpp"
#include "ike/wire/message.hpp"

using namespace scout6;
using namespace scout6::ike;

namespace {

// The inner payloads of an IKE_AUTH request as scout6 builds them.
PayloadList auth_request_payloads() {
    auto a = *core::Ip6Addr::parse("fd00:10::1");
    std::vector<std::uint8_t> mic(32, 0x5a);
    PayloadList p;
    p.add_id(PayloadType::kIdi, IdType::kIpv6Addr, a.bytes);
    p.add_auth(AuthMethod::kSharedKeyMic, mic);
    p.add_sa(esp_offer(0x11223344));
    p.add_ts(PayloadType::kTsi,
             TsPayload{{selector_from_prefix(
                 *core::Ip6Prefix::parse("fd00:20::1/128"))}});
    p.add_ts(PayloadType::kTsr,
             TsPayload{{selector_from_prefix(
                 *core::Ip6Prefix::parse("fd00:20::2/128"))}});
    return p;
}

std::vector<std::uint8_t> chain_bytes(const PayloadList& p) {
    std::vector<std::uint8_t> out(chain_size(p));
    core::ByteWriter w(out);
    BOOST_REQUIRE(serialize_chain(p, w));
    return out;
}

SkCipher cipher(std::uint8_t fill) {
    std::vector<std::uint8_t> key(kGcmKeymatBytes, fill);
    return std::move(*SkCipher::create(key));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ike_wire_message)

BOOST_AUTO_TEST_CASE(chain_walks_in_order_with_generic_headers) {
    auto p = auth_request_payloads();
    auto bytes = chain_bytes(p);
    // First generic header: next = AUTH (39), C = 0, length 4 + 20.
    BOOST_TEST(bytes[0] == 39);
    BOOST_TEST(bytes[1] == 0);
    BOOST_TEST(((bytes[2] << 8) | bytes[3]) == 24);
    auto chain = walk_payloads(PayloadType::kIdi, bytes);
    BOOST_REQUIRE(chain);
    BOOST_TEST(summarize(chain->payloads) == "IDi,AUTH,SA,TSi,TSr");
    BOOST_TEST(!check_payload_rules(ExchangeType::kIkeAuth, false, true,
                                    chain->payloads));
    auto body = parse_body(chain->payloads);
    BOOST_REQUIRE(body);
    BOOST_TEST(body->tsr->selectors.size() == 1u);
}

BOOST_AUTO_TEST_CASE(chain_truncation_is_reported) {
    auto bytes = chain_bytes(auth_request_payloads());
    for (std::size_t n = 1; n < bytes.size(); ++n) {
        auto chain =
            walk_payloads(PayloadType::kIdi, core::Bytes(bytes.data(), n));
        BOOST_REQUIRE_MESSAGE(!chain, "cut at " << n);
        BOOST_TEST((chain.error().code == core::Errc::kTruncated),
                   "cut at " << n);
    }
    bytes[3] = 3;  // a payload length below the generic header
    BOOST_TEST((walk_payloads(PayloadType::kIdi, bytes).error().code ==
                core::Errc::kMalformed));
}

BOOST_AUTO_TEST_CASE(rules_refuse_missing_repeated_and_critical_unknown) {
    auto p = auth_request_payloads();
    auto bytes = chain_bytes(p);
    auto chain = *walk_payloads(PayloadType::kIdi, bytes);

    auto missing = chain.payloads;
    missing.erase(missing.begin() + 1);  // no AUTH
    BOOST_TEST(check_payload_rules(ExchangeType::kIkeAuth, false, true, missing)
                   .has_value());

    auto repeated = chain.payloads;
    repeated.push_back(repeated[0]);  // two IDi
    BOOST_TEST(
        check_payload_rules(ExchangeType::kIkeAuth, false, true, repeated)
            .has_value());

    auto unknown = chain.payloads;
    unknown.push_back(RawPayload{static_cast<PayloadType>(200), false, {}});
    BOOST_TEST(
        !check_payload_rules(ExchangeType::kIkeAuth, false, true, unknown));
    unknown.back().critical = true;
    auto problem =
        check_payload_rules(ExchangeType::kIkeAuth, false, true, unknown);
    BOOST_REQUIRE(problem);
    BOOST_TEST((problem->notify == NotifyType::kUnsupportedCriticalPayload));
    BOOST_TEST(problem->payload_type == 200);

    // IKE_AUTH payloads in the clear, and SK inside IKE_SA_INIT.
    BOOST_TEST(check_payload_rules(ExchangeType::kIkeAuth, false, false,
                                   chain.payloads)
                   .has_value());
    BOOST_TEST(check_payload_rules(ExchangeType::kIkeSaInit, false, true,
                                   chain.payloads)
                   .has_value());
}

BOOST_AUTO_TEST_CASE(error_notify_stands_alone) {
    PayloadList p;
    p.add_notify(ProtocolId::kNone, NotifyType::kNoProposalChosen, {}, {});
    auto bytes = chain_bytes(p);
    auto chain = *walk_payloads(PayloadType::kNotify, bytes);
    BOOST_TEST(!check_payload_rules(ExchangeType::kIkeSaInit, true, false,
                                    chain.payloads));
    PayloadList q;
    q.add_notify(ProtocolId::kNone, NotifyType::kNatDetectionSourceIp, {},
                 std::vector<std::uint8_t>(20));
    auto qb = chain_bytes(q);
    auto qc = *walk_payloads(PayloadType::kNotify, qb);
    BOOST_TEST(
        check_payload_rules(ExchangeType::kIkeSaInit, true, false, qc.payloads)
            .has_value());
}

BOOST_AUTO_TEST_CASE(encrypted_message_round_trip_and_tamper) {
    auto sealer = cipher(7);
    auto opener = cipher(7);
    IkeHeader h;
    h.spi_i = 1;
    h.spi_r = 2;
    h.exchange = ExchangeType::kIkeAuth;
    h.flags = kFlagInitiator;
    h.message_id = 1;
    auto msg = serialize_encrypted(h, auth_request_payloads(), sealer, 1);
    BOOST_REQUIRE(msg);
    auto hdr = parse_header(*msg);
    BOOST_REQUIRE(hdr);
    BOOST_TEST((hdr->next_payload == PayloadType::kSk));
    auto outer = walk_payloads(hdr->next_payload,
                               core::Bytes(*msg).subspan(kIkeHeaderBytes));
    BOOST_REQUIRE(outer);
    BOOST_TEST(outer->has_sk());
    BOOST_TEST((outer->sk_first_inner == PayloadType::kIdi));
    std::vector<std::uint8_t> plain;
    auto inner = open_encrypted(*msg, *outer, opener, plain);
    BOOST_REQUIRE(inner);
    BOOST_TEST(summarize(inner->payloads) == "IDi,AUTH,SA,TSi,TSr");

    // The header is authenticated data: flip the message ID.
    auto tampered = *msg;
    tampered[23] ^= 1;
    auto outer2 = walk_payloads(hdr->next_payload,
                                core::Bytes(tampered).subspan(kIkeHeaderBytes));
    BOOST_REQUIRE(outer2);
    BOOST_TEST((open_encrypted(tampered, *outer2, opener, plain).error().code ==
                core::Errc::kAuthFailed));
}

BOOST_AUTO_TEST_CASE(plain_message_has_length_and_next_payload) {
    PayloadList p;
    p.add_sa(ike_offer());
    IkeHeader h;
    h.spi_i = 0xabc;
    auto msg = serialize_message(h, p);
    BOOST_REQUIRE(msg);
    auto hdr = parse_header(*msg);
    BOOST_REQUIRE(hdr);
    BOOST_TEST(hdr->length == msg->size());
    BOOST_TEST((hdr->next_payload == PayloadType::kSa));
}

// A decrypted IKE_AUTH body, mutated byte by byte and bit by bit and cut
// at every length: the walk, the rules and the payload parsers must each
// either accept or return an error, never crash or read out of bounds.
BOOST_AUTO_TEST_CASE(mutated_auth_body_never_crashes) {
    auto golden = chain_bytes(auth_request_payloads());
    std::size_t accepted = 0, refused = 0;
    auto run = [&](const std::vector<std::uint8_t>& m) {
        auto chain = walk_payloads(PayloadType::kIdi, m);
        if (!chain) return void(++refused);
        if (check_payload_rules(ExchangeType::kIkeAuth, false, true,
                                chain->payloads))
            return void(++refused);
        auto body = parse_body(chain->payloads);
        if (!body) return void(++refused);
        ++accepted;
    };
    for (std::size_t i = 0; i < golden.size(); ++i) {
        for (int bit = -1; bit < 8; ++bit) {
            auto m = golden;
            m[i] = bit < 0 ? static_cast<std::uint8_t>(m[i] + 0x55)
                           : static_cast<std::uint8_t>(m[i] ^ (1u << bit));
            run(m);
        }
        run(std::vector<std::uint8_t>(golden.begin(), golden.begin() + i));
    }
    BOOST_TEST(accepted > 0u);
    BOOST_TEST(refused > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
