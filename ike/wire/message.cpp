#include "ike/wire/message.hpp"

#include <array>

#include "core/log.hpp"

namespace scout6::ike {

using core::ByteReader;
using core::Bytes;
using core::ByteWriter;
using core::Errc;
using core::fail;
using core::Result;

namespace {

constexpr std::uint8_t kMany = 0xff;

struct PayloadRule {
    PayloadType type;
    std::uint8_t min;
    std::uint8_t max;
};

// Which payloads each exchange may carry, after RFC 7296 §1.2-§1.4 and
// §3.10-3.11 (strongSwan keeps the same tables in encoding/message.c).
// Requests and responses of one exchange allow the same set here; the
// exchange code checks the finer points. CERT and CP are allowed and
// ignored: a peer may send them unasked.
constexpr std::array kIkeSaInitRules{
    PayloadRule{PayloadType::kSa, 1, 1},
    PayloadRule{PayloadType::kKe, 1, 1},
    PayloadRule{PayloadType::kNonce, 1, 1},
    PayloadRule{PayloadType::kNotify, 0, kMany},
    PayloadRule{PayloadType::kVendorId, 0, kMany},
    PayloadRule{PayloadType::kCertreq, 0, kMany},
};
constexpr std::array kIkeAuthRequestRules{
    PayloadRule{PayloadType::kIdi, 1, 1},
    PayloadRule{PayloadType::kCert, 0, 4},
    PayloadRule{PayloadType::kCertreq, 0, kMany},
    PayloadRule{PayloadType::kIdr, 0, 1},
    PayloadRule{PayloadType::kAuth, 1, 1},
    PayloadRule{PayloadType::kCp, 0, 1},
    PayloadRule{PayloadType::kSa, 1, 1},
    PayloadRule{PayloadType::kTsi, 1, 1},
    PayloadRule{PayloadType::kTsr, 1, 1},
    PayloadRule{PayloadType::kNotify, 0, kMany},
    PayloadRule{PayloadType::kVendorId, 0, kMany},
};
constexpr std::array kIkeAuthResponseRules{
    PayloadRule{PayloadType::kIdr, 1, 1},
    PayloadRule{PayloadType::kCert, 0, 4},
    PayloadRule{PayloadType::kAuth, 1, 1},
    PayloadRule{PayloadType::kCp, 0, 1},
    PayloadRule{PayloadType::kSa, 1, 1},
    PayloadRule{PayloadType::kTsi, 1, 1},
    PayloadRule{PayloadType::kTsr, 1, 1},
    PayloadRule{PayloadType::kNotify, 0, kMany},
    PayloadRule{PayloadType::kVendorId, 0, kMany},
};
constexpr std::array kCreateChildSaRules{
    PayloadRule{PayloadType::kSa, 0, 1},
    PayloadRule{PayloadType::kNonce, 0, 1},
    PayloadRule{PayloadType::kKe, 0, 1},
    PayloadRule{PayloadType::kTsi, 0, 1},
    PayloadRule{PayloadType::kTsr, 0, 1},
    PayloadRule{PayloadType::kNotify, 0, kMany},
    PayloadRule{PayloadType::kVendorId, 0, kMany},
};
constexpr std::array kInformationalRules{
    PayloadRule{PayloadType::kNotify, 0, kMany},
    PayloadRule{PayloadType::kDelete, 0, kMany},
    PayloadRule{PayloadType::kCp, 0, 1},
    PayloadRule{PayloadType::kVendorId, 0, kMany},
};

std::span<const PayloadRule> rules_for(ExchangeType exchange, bool response) {
    switch (exchange) {
        case ExchangeType::kIkeSaInit:
            return kIkeSaInitRules;
        case ExchangeType::kIkeAuth:
            if (response) return kIkeAuthResponseRules;
            return kIkeAuthRequestRules;
        case ExchangeType::kCreateChildSa:
            return kCreateChildSaRules;
        case ExchangeType::kInformational:
            return kInformationalRules;
    }
    return {};
}

std::optional<NotifyType> peek_notify_type(const RawPayload& p) {
    if (p.type != PayloadType::kNotify || p.body.size() < 4) return {};
    return static_cast<NotifyType>((p.body[2] << 8) | p.body[3]);
}

PayloadProblem problem(Errc code, const char* detail,
                       NotifyType notify = NotifyType::kInvalidSyntax,
                       std::uint8_t payload_type = 0) {
    return PayloadProblem{core::Error{code, detail}, notify, payload_type};
}

}  // namespace

Result<PayloadChain> walk_payloads(PayloadType first, Bytes chain) {
    PayloadChain out;
    ByteReader r(chain);
    PayloadType type = first;
    while (type != PayloadType::kNone) {
        std::uint8_t next = 0, flags = 0;
        std::uint16_t length = 0;
        r.read_u8(next);
        r.read_u8(flags);
        r.read_u16(length);
        if (!r.ok()) return fail(Errc::kTruncated, "generic payload header");
        if (length < kGenericHeaderBytes)
            return fail(Errc::kMalformed, "payload length below header");
        RawPayload p;
        p.type = type;
        p.critical = (flags & kCriticalBit) != 0;
        if (!r.read_bytes(length - kGenericHeaderBytes, p.body))
            return fail(Errc::kTruncated, "payload beyond message");
        out.payloads.push_back(p);
        // Not yet: IKE fragmentation (RFC 7383); we never announce it, and
        // an SKF payload fails the rules of every exchange.
        if (type == PayloadType::kSk || type == PayloadType::kSkf) {
            // §3.14: SK is last; its Next Payload names the inner chain.
            if (r.remaining() != 0)
                return fail(Errc::kMalformed, "bytes after encrypted payload");
            out.sk_first_inner = static_cast<PayloadType>(next);
            return out;
        }
        type = static_cast<PayloadType>(next);
    }
    if (r.remaining() != 0)
        return fail(Errc::kMalformed, "bytes after last payload");
    return out;
}

std::optional<PayloadProblem> check_payload_rules(
    ExchangeType exchange, bool response, bool protected_body,
    std::span<const RawPayload> payloads) {
    auto rules = rules_for(exchange, response);
    if (rules.empty())
        return problem(Errc::kUnsupported, "unknown exchange type");

    bool plain_exchange = exchange == ExchangeType::kIkeSaInit;
    if (!protected_body && !plain_exchange) {
        // Everything after IKE_SA_INIT is protected (§1.2): the outer
        // chain is exactly one SK.
        if (payloads.size() != 1 || payloads[0].type != PayloadType::kSk)
            return problem(Errc::kMalformed, "payload outside sk");
        return std::nullopt;
    }
    if (protected_body && plain_exchange)
        return problem(Errc::kMalformed, "sk in ike_sa_init");

    std::array<unsigned, 256> counts{};
    bool standalone_notify = false;
    for (const auto& p : payloads) {
        if (!is_known_payload(p.type)) {
            // §2.5: unknown and critical → reject the whole message.
            if (p.critical)
                return problem(Errc::kUnsupported,
                               "unsupported critical payload",
                               NotifyType::kUnsupportedCriticalPayload,
                               static_cast<std::uint8_t>(p.type));
            continue;
        }
        const PayloadRule* rule = nullptr;
        for (const auto& r : rules)
            if (r.type == p.type) rule = &r;
        if (rule == nullptr)
            return problem(Errc::kMalformed, "payload not allowed here");
        if (++counts[static_cast<std::uint8_t>(p.type)] > rule->max)
            return problem(Errc::kMalformed, "payload repeated");
        if (auto n = peek_notify_type(p))
            standalone_notify |=
                is_error_notify(*n) || *n == NotifyType::kCookie;
    }
    if (standalone_notify) return std::nullopt;
    for (const auto& r : rules)
        if (counts[static_cast<std::uint8_t>(r.type)] < r.min)
            return problem(Errc::kMalformed, "required payload missing");
    return std::nullopt;
}

const NotifyPayload* MessageBody::find_notify(NotifyType type) const {
    for (const auto& n : notifies)
        if (n.type == type) return &n;
    return nullptr;
}

const NotifyPayload* MessageBody::first_error() const {
    for (const auto& n : notifies)
        if (is_error_notify(n.type)) return &n;
    return nullptr;
}

Result<MessageBody> parse_body(std::span<const RawPayload> payloads) {
    MessageBody m;
    for (const auto& p : payloads) {
        switch (p.type) {
            case PayloadType::kSa: {
                auto v = parse_sa(p.body);
                if (!v) return tl::unexpected(v.error());
                m.sa = std::move(*v);
                break;
            }
            case PayloadType::kKe: {
                auto v = parse_ke(p.body);
                if (!v) return tl::unexpected(v.error());
                m.ke = *v;
                break;
            }
            case PayloadType::kNonce: {
                auto v = parse_nonce(p.body);
                if (!v) return tl::unexpected(v.error());
                m.nonce = *v;
                break;
            }
            case PayloadType::kIdi:
            case PayloadType::kIdr: {
                auto v = parse_id(p.body);
                if (!v) return tl::unexpected(v.error());
                (p.type == PayloadType::kIdi ? m.idi : m.idr) = *v;
                break;
            }
            case PayloadType::kAuth: {
                auto v = parse_auth(p.body);
                if (!v) return tl::unexpected(v.error());
                m.auth = *v;
                break;
            }
            case PayloadType::kTsi:
            case PayloadType::kTsr: {
                auto v = parse_ts(p.body);
                if (!v) return tl::unexpected(v.error());
                (p.type == PayloadType::kTsi ? m.tsi : m.tsr) = std::move(*v);
                break;
            }
            case PayloadType::kNotify: {
                auto v = parse_notify(p.body);
                if (!v) return tl::unexpected(v.error());
                m.notifies.push_back(*v);
                break;
            }
            case PayloadType::kDelete: {
                auto v = parse_delete(p.body);
                if (!v) return tl::unexpected(v.error());
                m.deletes.push_back(std::move(*v));
                break;
            }
            default:
                // V, CERT, CERTREQ, CP and unknown non-critical payloads
                // carry nothing scout6 acts on.
                break;
        }
    }
    return m;
}

namespace {

void append_name(std::string& out, PayloadType type, Bytes body) {
    if (!out.empty()) out += ',';
    out += to_string(type);
    if (type == PayloadType::kNotify && body.size() >= 4) {
        out += '(';
        out += to_string(static_cast<NotifyType>((body[2] << 8) | body[3]));
        out += ')';
    }
}

}  // namespace

std::string summarize(std::span<const RawPayload> payloads) {
    std::string out;
    for (const auto& p : payloads) append_name(out, p.type, p.body);
    return out;
}

std::string PayloadList::summary() const {
    std::string out;
    for (const auto& p : items_) append_name(out, p.type, p.body);
    return out;
}

template <typename Fn>
void PayloadList::add(PayloadType type, Fn&& write_body) {
    std::vector<std::uint8_t> buf(kMaxPayloadBody);
    ByteWriter w(buf);
    if (!write_body(w) || !w.ok()) {
        SCOUT6_BUG("ike-001", "payload {} does not fit", to_string(type));
        ok_ = false;
        return;
    }
    buf.resize(w.size());
    items_.push_back(OutPayload{type, std::move(buf)});
}

void PayloadList::add_sa(const SaPayload& sa) {
    add(PayloadType::kSa, [&](ByteWriter& w) { return serialize_sa(sa, w); });
}

void PayloadList::add_ke(std::uint16_t group, Bytes data) {
    add(PayloadType::kKe,
        [&](ByteWriter& w) { return serialize_ke(group, data, w); });
}

void PayloadList::add_nonce(Bytes nonce) {
    add(PayloadType::kNonce,
        [&](ByteWriter& w) { return w.write_bytes(nonce); });
}

void PayloadList::add_id(PayloadType idi_or_idr, IdType type, Bytes data) {
    add(idi_or_idr, [&](ByteWriter& w) { return serialize_id(type, data, w); });
}

void PayloadList::add_auth(AuthMethod method, Bytes data) {
    add(PayloadType::kAuth,
        [&](ByteWriter& w) { return serialize_auth(method, data, w); });
}

void PayloadList::add_notify(ProtocolId protocol, NotifyType type, Bytes spi,
                             Bytes data) {
    add(PayloadType::kNotify, [&](ByteWriter& w) {
        return serialize_notify(protocol, type, spi, data, w);
    });
}

void PayloadList::add_delete(const DeletePayload& d) {
    add(PayloadType::kDelete,
        [&](ByteWriter& w) { return serialize_delete(d, w); });
}

void PayloadList::add_ts(PayloadType tsi_or_tsr, const TsPayload& ts) {
    add(tsi_or_tsr, [&](ByteWriter& w) { return serialize_ts(ts, w); });
}

void PayloadList::add_raw(PayloadType type, Bytes body, bool critical) {
    add(type, [&](ByteWriter& w) { return w.write_bytes(body); });
    if (ok_ && critical) items_.back().critical = true;
}

std::size_t chain_size(const PayloadList& payloads) {
    std::size_t n = 0;
    for (const auto& p : payloads.items())
        n += kGenericHeaderBytes + p.body.size();
    return n;
}

bool serialize_chain(const PayloadList& payloads, ByteWriter& w) {
    const auto& items = payloads.items();
    for (std::size_t i = 0; i < items.size(); ++i) {
        PayloadType next =
            i + 1 < items.size() ? items[i + 1].type : PayloadType::kNone;
        w.write_u8(static_cast<std::uint8_t>(next));
        w.write_u8(items[i].critical ? kCriticalBit : 0);
        w.write_u16(static_cast<std::uint16_t>(kGenericHeaderBytes +
                                               items[i].body.size()));
        w.write_bytes(items[i].body);
    }
    return w.ok();
}

Result<std::vector<std::uint8_t>> serialize_message(
    IkeHeader header, const PayloadList& payloads) {
    std::size_t total = kIkeHeaderBytes + chain_size(payloads);
    if (!payloads.ok() || total > 0xffff) {
        SCOUT6_BUG("ike-002", "message of {} bytes", total);
        return fail(Errc::kInternal, "message too large");
    }
    header.next_payload = payloads.items().empty()
                              ? PayloadType::kNone
                              : payloads.items().front().type;
    header.length = static_cast<std::uint32_t>(total);
    std::vector<std::uint8_t> out(total);
    ByteWriter w(out);
    serialize_header(header, w);
    if (!serialize_chain(payloads, w) || w.size() != total) {
        SCOUT6_BUG("ike-003", "message size mismatch");
        return fail(Errc::kInternal, "message size mismatch");
    }
    return out;
}

Result<std::vector<std::uint8_t>> serialize_encrypted(
    IkeHeader header, const PayloadList& inner, SkCipher& cipher,
    std::uint64_t iv_counter) {
    std::size_t inner_size = chain_size(inner);
    std::size_t sk_body = inner_size + SkCipher::overhead(inner_size);
    std::size_t total = kIkeHeaderBytes + kGenericHeaderBytes + sk_body;
    if (!inner.ok() || total > 0xffff) {
        SCOUT6_BUG("ike-004", "encrypted message of {} bytes", total);
        return fail(Errc::kInternal, "message too large");
    }

    std::vector<std::uint8_t> plain(inner_size);
    ByteWriter pw(plain);
    if (!serialize_chain(inner, pw) || pw.size() != inner_size) {
        SCOUT6_BUG("ike-005", "inner chain size mismatch");
        return fail(Errc::kInternal, "inner chain size mismatch");
    }

    header.next_payload = PayloadType::kSk;
    header.length = static_cast<std::uint32_t>(total);
    std::vector<std::uint8_t> out(total);
    ByteWriter w(out);
    serialize_header(header, w);
    // SK generic header; Next Payload names the first inner payload.
    w.write_u8(static_cast<std::uint8_t>(
        inner.items().empty() ? PayloadType::kNone : inner.items()[0].type));
    w.write_u8(0);
    w.write_u16(static_cast<std::uint16_t>(kGenericHeaderBytes + sk_body));
    if (!w.ok()) return fail(Errc::kInternal, "sk header");

    std::size_t aad_size = w.size();
    auto sealed = cipher.seal(Bytes(out.data(), aad_size), plain, iv_counter,
                              core::MutableBytes(out).subspan(aad_size));
    sodium_memzero(plain.data(), plain.size());
    if (!sealed) return tl::unexpected(sealed.error());
    if (*sealed != sk_body) {
        SCOUT6_BUG("ike-006", "sk body {} != {}", *sealed, sk_body);
        return fail(Errc::kInternal, "sk body size");
    }
    return out;
}

Result<PayloadChain> open_encrypted(Bytes datagram, const PayloadChain& outer,
                                    SkCipher& cipher,
                                    std::vector<std::uint8_t>& plaintext) {
    if (!outer.has_sk()) return fail(Errc::kMalformed, "no sk payload");
    Bytes sk = outer.payloads.back().body;
    // RFC 5282 §5.1: AAD runs from the IKE header to the end of the SK
    // generic header, i.e. everything before the SK body.
    Bytes aad = datagram.first(datagram.size() - sk.size());
    if (sk.size() < kGcmIvBytes + kGcmIcvBytes + 1)
        return fail(Errc::kTruncated, "sk payload shorter than iv and icv");
    plaintext.assign(sk.size() - kGcmIvBytes - kGcmIcvBytes, 0);
    auto n = cipher.open(aad, sk, plaintext);
    if (!n) return tl::unexpected(n.error());
    plaintext.resize(*n);
    return walk_payloads(outer.sk_first_inner, plaintext);
}

}  // namespace scout6::ike
