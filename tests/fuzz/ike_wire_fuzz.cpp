// libFuzzer target: IKEv2 wire codecs (ike/wire/message.hpp, payloads.hpp).
//
// Input: one mode byte (taken modulo 4), then the mode's data.
//   0  a whole datagram, as the engine sees it: parse_header(), the walk
//      after the header, the rules for its exchange and role, parse_body()
//      and, when it ends in SK, open_encrypted() under a fixed key.
//   1  first payload type (1) | exchange and role (1) | payload chain:
//      walk, rules, parse_body, summarize, without a header in front.
//   2  parser (1) | one payload body: parse_sa / ke / id / auth / nonce /
//      notify / delete / ts; SA, Delete and TS must survive a serialize
//      and parse round trip.
//   3  first inner type (1) | exchange and role (1) | padded plaintext:
//      an SK payload sealed under the fixed key around arbitrary inner
//      bytes, so that the decrypted-path walker and parsers see them.
// The exchange-and-role byte: exchange 34 + (b & 3), response if b & 4.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ike/crypto_suite.hpp"
#include "ike/wire/message.hpp"
#include "ike/wire/payloads.hpp"
#include "tests/fuzz/fuzz_util.hpp"

using namespace scout6;
using namespace scout6::ike;

namespace {

constexpr std::array<std::uint8_t, kGcmKeymatBytes> kSkKey = {
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
    0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
    0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x01, 0x02, 0x03, 0x04};

SkCipher sk_cipher() {
    auto c = SkCipher::create(kSkKey);
    if (!c) fuzz::invariant_failed("ike: SkCipher not created");
    return std::move(*c);
}

ExchangeType exchange_of(std::uint8_t b) {
    return static_cast<ExchangeType>(
        static_cast<std::uint8_t>(ExchangeType::kIkeSaInit) + (b & 3));
}

// Rules then typed parse, as the engine does after the walk (and parse
// anyway when the rules refuse, to reach more parser states).
void check_chain(ExchangeType exchange, bool response, bool protected_body,
                 const PayloadChain& chain) {
    auto problem =
        check_payload_rules(exchange, response, protected_body, chain.payloads);
    if (problem && problem->error.code == core::Errc::kInternal)
        fuzz::invariant_failed("ike: payload rules said kInternal");
    auto body = parse_body(chain.payloads);
    if (body) {
        (void)body->first_error();
        (void)body->find_notify(NotifyType::kCookie);
    }
    (void)summarize(chain.payloads);
}

void whole_datagram(core::Bytes input) {
    auto h = parse_header(input);
    if (!h) return;
    if (h->length != input.size())
        fuzz::invariant_failed("ike: header accepted with a wrong length");
    auto chain = walk_payloads(h->next_payload, input.subspan(kIkeHeaderBytes));
    if (!chain) return;
    check_chain(h->exchange, h->is_response(), chain->has_sk(), *chain);
    if (!chain->has_sk()) return;
    auto cipher = sk_cipher();
    std::vector<std::uint8_t> plaintext;
    auto inner = open_encrypted(input, *chain, cipher, plaintext);
    if (inner) fuzz::invariant_failed("ike: forged SK payload opened");
}

void bare_chain(core::Bytes input) {
    if (input.size() < 2) return;
    auto chain =
        walk_payloads(static_cast<PayloadType>(input[0]), input.subspan(2));
    if (!chain) return;
    check_chain(exchange_of(input[1]), (input[1] & 4) != 0, chain->has_sk(),
                *chain);
}

bool operator==(const DeletePayload& a, const DeletePayload& b) {
    return a.protocol == b.protocol && a.spis == b.spis;
}
bool operator==(const TsPayload& a, const TsPayload& b) {
    return a.selectors == b.selectors;
}

template <typename T, typename Serialize, typename Parse>
void round_trip(const T& value, Serialize serialize, Parse parse,
                const char* what) {
    std::vector<std::uint8_t> buf(kMaxPayloadBody);
    core::ByteWriter w(buf);
    if (!serialize(value, w)) fuzz::invariant_failed(what);
    auto again = parse(core::Bytes(buf.data(), w.size()));
    if (!again || !(*again == value)) fuzz::invariant_failed(what);
}

void one_payload(core::Bytes input) {
    if (input.empty()) return;
    core::Bytes body = input.subspan(1);
    switch (input[0] % 8) {
        case 0:
            if (auto sa = parse_sa(body)) {
                bool known = true;
                for (const auto& p : sa->proposals)
                    for (const auto& t : p.transforms)
                        known = known && !t.unknown_attribute;
                if (known)
                    round_trip(*sa, serialize_sa, parse_sa,
                               "ike: SA round trip failed");
            }
            break;
        case 1:
            (void)parse_ke(body);
            break;
        case 2:
            (void)parse_id(body);
            break;
        case 3:
            (void)parse_auth(body);
            break;
        case 4:
            if (auto n = parse_nonce(body);
                n && (n->size() < kMinNonceBytes || n->size() > kMaxNonceBytes))
                fuzz::invariant_failed("ike: nonce size outside 16..256");
            break;
        case 5:
            (void)parse_notify(body);
            break;
        case 6:
            if (auto d = parse_delete(body))
                round_trip(*d, serialize_delete, parse_delete,
                           "ike: Delete round trip failed");
            break;
        case 7:
            if (auto ts = parse_ts(body)) {
                bool ipv6 = true;
                for (const auto& s : ts->selectors) {
                    ipv6 = ipv6 && s.type == TsType::kIpv6AddrRange;
                    (void)prefix_from_selector(s);
                }
                if (ipv6)
                    round_trip(*ts, serialize_ts, parse_ts,
                               "ike: TS round trip failed");
            }
            break;
    }
}

void sealed_inner(core::Bytes input) {
    if (input.size() < 3) return;
    auto first = static_cast<PayloadType>(input[0]);
    std::uint8_t role = input[1];
    core::Bytes padded = input.subspan(2);

    constexpr std::size_t kAad = kIkeHeaderBytes + kGenericHeaderBytes;
    std::size_t sk_body = kGcmIvBytes + padded.size() + kGcmIcvBytes;
    std::size_t total = kAad + sk_body;
    if (total > 0xffff) return;
    IkeHeader h;
    h.spi_i = 0x0102030405060708u;
    h.spi_r = 0x1112131415161718u;
    h.next_payload = PayloadType::kSk;
    h.exchange = exchange_of(role);
    h.flags = (role & 4) != 0 ? kFlagResponse : kFlagInitiator;
    h.message_id = 1;
    h.length = static_cast<std::uint32_t>(total);
    std::vector<std::uint8_t> msg(total);
    core::ByteWriter w(msg);
    serialize_header(h, w);
    w.write_u8(static_cast<std::uint8_t>(first));
    w.write_u8(0);
    w.write_u16(static_cast<std::uint16_t>(kGenericHeaderBytes + sk_body));
    if (!w.ok() || w.size() != kAad)
        fuzz::invariant_failed("ike: harness header size");
    auto cipher = sk_cipher();
    auto sealed =
        cipher.seal_padded_for_test(core::Bytes(msg.data(), kAad), padded, 7,
                                    core::MutableBytes(msg).subspan(kAad));
    if (!sealed || *sealed != sk_body)
        fuzz::invariant_failed("ike: harness seal failed");

    auto parsed = parse_header(msg);
    if (!parsed) fuzz::invariant_failed("ike: own header rejected");
    auto outer = walk_payloads(parsed->next_payload,
                               core::Bytes(msg).subspan(kIkeHeaderBytes));
    if (!outer || !outer->has_sk())
        fuzz::invariant_failed("ike: own SK payload not walked");
    std::vector<std::uint8_t> plaintext;
    auto inner = open_encrypted(msg, *outer, cipher, plaintext);
    if (!inner) {
        if (inner.error().code == core::Errc::kAuthFailed)
            fuzz::invariant_failed("ike: own SK payload failed the ICV");
        return;
    }
    check_chain(parsed->exchange, parsed->is_response(), true, *inner);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet_logs();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
    if (size < 1) return 0;
    fuzz::BugCheck bug_check;
    core::Bytes input(data + 1, size - 1);
    switch (data[0] % 4) {
        case 0:
            whole_datagram(input);
            break;
        case 1:
            bare_chain(input);
            break;
        case 2:
            one_payload(input);
            break;
        case 3:
            sealed_inner(input);
            break;
    }
    return 0;
}
