#include "ike/wire/payloads.hpp"

namespace scout6::ike {

using core::ByteReader;
using core::Bytes;
using core::ByteWriter;
using core::Errc;
using core::fail;
using core::Result;

namespace {

// §3.3.1-3.3.5 sizes and markers.
constexpr std::size_t kProposalHeaderBytes = 8;
constexpr std::size_t kTransformHeaderBytes = 8;
constexpr std::uint8_t kLastSubstructure = 0;
constexpr std::uint8_t kMoreProposals = 2;
constexpr std::uint8_t kMoreTransforms = 3;
constexpr std::uint16_t kAttrFormatTv = 0x8000;  // AF bit
// §3.4, §3.5, §3.8: type/method byte plus reserved bytes.
constexpr std::size_t kKeFixedBytes = 4;
constexpr std::size_t kIdFixedBytes = 4;
constexpr std::size_t kAuthFixedBytes = 4;
// §3.10, §3.11, §3.13.
constexpr std::size_t kNotifyFixedBytes = 4;
constexpr std::size_t kDeleteFixedBytes = 4;
constexpr std::size_t kTsFixedBytes = 4;
constexpr std::size_t kSelectorFixedBytes = 8;
constexpr std::size_t kSelectorIpv6Bytes = 40;
constexpr std::size_t kSelectorIpv4Bytes = 16;
constexpr std::size_t kEspSpiBytes = 4;

Result<Transform> parse_transform(ByteReader& r, bool last_expected) {
    std::uint8_t last = 0, reserved = 0, type = 0, reserved2 = 0;
    std::uint16_t length = 0, id = 0;
    r.read_u8(last);
    r.read_u8(reserved);
    r.read_u16(length);
    if (!r.ok()) return fail(Errc::kTruncated, "transform header");
    if (length < kTransformHeaderBytes)
        return fail(Errc::kMalformed, "transform length below header");
    if (std::size_t{length} - 4 > r.remaining())
        return fail(Errc::kTruncated, "transform beyond proposal");
    if (last != (last_expected ? kLastSubstructure : kMoreTransforms))
        return fail(Errc::kMalformed, "transform last-substructure marker");
    r.read_u8(type);
    r.read_u8(reserved2);
    r.read_u16(id);
    Bytes attrs;
    r.read_bytes(length - kTransformHeaderBytes, attrs);

    Transform t;
    t.type = static_cast<TransformType>(type);
    t.id = id;
    ByteReader ar(attrs);
    while (ar.remaining() > 0) {
        std::uint16_t af_type = 0, value = 0;
        ar.read_u16(af_type);
        ar.read_u16(value);
        if (!ar.ok()) return fail(Errc::kMalformed, "transform attribute");
        if ((af_type & kAttrFormatTv) == 0) {
            // TLV: `value` is the length of what follows.
            if (!ar.skip(value))
                return fail(Errc::kMalformed, "transform attribute length");
            t.unknown_attribute = true;
            continue;
        }
        if ((af_type & ~kAttrFormatTv) == kAttrKeyLength && !t.key_length)
            t.key_length = value;
        else
            t.unknown_attribute = true;
    }
    return t;
}

Result<Proposal> parse_proposal(ByteReader& r, std::uint8_t expected_number,
                                bool& more) {
    std::uint8_t last = 0, reserved = 0, number = 0, protocol = 0;
    std::uint8_t spi_size = 0, count = 0;
    std::uint16_t length = 0;
    r.read_u8(last);
    r.read_u8(reserved);
    r.read_u16(length);
    r.read_u8(number);
    r.read_u8(protocol);
    r.read_u8(spi_size);
    r.read_u8(count);
    if (!r.ok()) return fail(Errc::kTruncated, "proposal header");
    if (last != kLastSubstructure && last != kMoreProposals)
        return fail(Errc::kMalformed, "proposal last-substructure marker");
    if (length < kProposalHeaderBytes + spi_size)
        return fail(Errc::kMalformed, "proposal length below header");
    if (length - kProposalHeaderBytes > r.remaining())
        return fail(Errc::kTruncated, "proposal beyond payload");
    if (number != expected_number)
        return fail(Errc::kMalformed, "proposal numbers not consecutive");
    if (spi_size != 0 && spi_size != 4 && spi_size != 8)
        return fail(Errc::kMalformed, "proposal spi size");
    if (count == 0)
        return fail(Errc::kMalformed, "proposal without transforms");

    Proposal p;
    p.number = number;
    p.protocol = static_cast<ProtocolId>(protocol);
    Bytes spi, transforms;
    r.read_bytes(spi_size, spi);
    r.read_bytes(length - kProposalHeaderBytes - spi_size, transforms);
    p.spi.assign(spi.begin(), spi.end());

    ByteReader tr(transforms);
    for (unsigned i = 0; i < count; ++i) {
        auto t = parse_transform(tr, i + 1 == count);
        if (!t) return tl::unexpected(t.error());
        p.transforms.push_back(*t);
    }
    if (tr.remaining() != 0)
        return fail(Errc::kMalformed, "proposal longer than its transforms");
    more = last == kMoreProposals;
    return p;
}

}  // namespace

Result<IkeHeader> parse_header(Bytes datagram) {
    ByteReader r(datagram);
    IkeHeader h;
    std::uint8_t next = 0, exchange = 0;
    r.read_u64(h.spi_i);
    r.read_u64(h.spi_r);
    r.read_u8(next);
    r.read_u8(h.version);
    r.read_u8(exchange);
    r.read_u8(h.flags);
    r.read_u32(h.message_id);
    r.read_u32(h.length);
    if (!r.ok()) return fail(Errc::kTruncated, "ike header");
    h.next_payload = static_cast<PayloadType>(next);
    h.exchange = static_cast<ExchangeType>(exchange);
    // §2.5: a higher minor version is not an error; only major matters.
    if ((h.version >> 4) != kIkeMajorVersion)
        return fail(Errc::kUnsupported, "ike major version");
    if (h.length != datagram.size())
        return fail(Errc::kMalformed, "ike length differs from datagram");
    return h;
}

bool serialize_header(const IkeHeader& h, ByteWriter& w) {
    w.write_u64(h.spi_i);
    w.write_u64(h.spi_r);
    w.write_u8(static_cast<std::uint8_t>(h.next_payload));
    w.write_u8(h.version);
    w.write_u8(static_cast<std::uint8_t>(h.exchange));
    w.write_u8(h.flags);
    w.write_u32(h.message_id);
    return w.write_u32(h.length);
}

Result<SaPayload> parse_sa(Bytes body) {
    ByteReader r(body);
    SaPayload sa;
    bool more = true;
    std::uint8_t number = 1;
    while (more) {
        if (r.remaining() == 0)
            return fail(Errc::kTruncated,
                        "sa payload ends before last proposal");
        auto p = parse_proposal(r, number, more);
        if (!p) return tl::unexpected(p.error());
        sa.proposals.push_back(std::move(*p));
        if (number == 0xff && more)
            return fail(Errc::kMalformed, "too many proposals");
        ++number;
    }
    if (r.remaining() != 0)
        return fail(Errc::kMalformed, "bytes after last proposal");
    return sa;
}

bool serialize_sa(const SaPayload& sa, ByteWriter& w) {
    for (std::size_t i = 0; i < sa.proposals.size(); ++i) {
        const Proposal& p = sa.proposals[i];
        bool last = i + 1 == sa.proposals.size();
        std::size_t start = w.size();
        w.write_u8(last ? kLastSubstructure : kMoreProposals);
        w.write_u8(0);
        std::size_t len_at = w.reserve_at(2);
        w.write_u8(p.number);
        w.write_u8(static_cast<std::uint8_t>(p.protocol));
        w.write_u8(static_cast<std::uint8_t>(p.spi.size()));
        w.write_u8(static_cast<std::uint8_t>(p.transforms.size()));
        w.write_bytes(p.spi);
        for (std::size_t j = 0; j < p.transforms.size(); ++j) {
            const Transform& t = p.transforms[j];
            bool tlast = j + 1 == p.transforms.size();
            w.write_u8(tlast ? kLastSubstructure : kMoreTransforms);
            w.write_u8(0);
            w.write_u16(static_cast<std::uint16_t>(kTransformHeaderBytes +
                                                   (t.key_length ? 4 : 0)));
            w.write_u8(static_cast<std::uint8_t>(t.type));
            w.write_u8(0);
            w.write_u16(t.id);
            if (t.key_length) {
                w.write_u16(kAttrFormatTv | kAttrKeyLength);  // 0x800E
                w.write_u16(*t.key_length);
            }
        }
        if (!w.ok()) return false;
        w.patch_u16(len_at, static_cast<std::uint16_t>(w.size() - start));
    }
    return w.ok();
}

Result<KePayload> parse_ke(Bytes body) {
    ByteReader r(body);
    KePayload ke;
    r.read_u16(ke.group);
    r.skip(2);  // RESERVED
    if (!r.ok()) return fail(Errc::kTruncated, "ke payload");
    if (r.remaining() == 0) return fail(Errc::kMalformed, "ke without data");
    ke.data = r.rest();
    return ke;
}

bool serialize_ke(std::uint16_t group, Bytes data, ByteWriter& w) {
    w.write_u16(group);
    w.write_u16(0);
    return w.write_bytes(data);
}

Result<IdPayload> parse_id(Bytes body) {
    ByteReader r(body);
    std::uint8_t type = 0;
    r.read_u8(type);
    r.skip(3);  // RESERVED
    if (!r.ok()) return fail(Errc::kTruncated, "id payload");
    if (r.remaining() == 0) return fail(Errc::kMalformed, "id without data");
    return IdPayload{static_cast<IdType>(type), r.rest(), body};
}

bool serialize_id(IdType type, Bytes data, ByteWriter& w) {
    w.write_u8(static_cast<std::uint8_t>(type));
    w.write_zeros(3);
    return w.write_bytes(data);
}

Result<AuthPayload> parse_auth(Bytes body) {
    ByteReader r(body);
    std::uint8_t method = 0;
    r.read_u8(method);
    r.skip(3);  // RESERVED
    if (!r.ok()) return fail(Errc::kTruncated, "auth payload");
    if (r.remaining() == 0) return fail(Errc::kMalformed, "auth without data");
    return AuthPayload{static_cast<AuthMethod>(method), r.rest()};
}

bool serialize_auth(AuthMethod method, Bytes data, ByteWriter& w) {
    w.write_u8(static_cast<std::uint8_t>(method));
    w.write_zeros(3);
    return w.write_bytes(data);
}

Result<Bytes> parse_nonce(Bytes body) {
    if (body.size() < kMinNonceBytes || body.size() > kMaxNonceBytes)
        return fail(Errc::kMalformed, "nonce length outside 16..256");
    return body;
}

Result<NotifyPayload> parse_notify(Bytes body) {
    ByteReader r(body);
    std::uint8_t protocol = 0, spi_size = 0;
    std::uint16_t type = 0;
    r.read_u8(protocol);
    r.read_u8(spi_size);
    r.read_u16(type);
    if (!r.ok()) return fail(Errc::kTruncated, "notify payload");
    NotifyPayload n;
    n.protocol = static_cast<ProtocolId>(protocol);
    n.type = static_cast<NotifyType>(type);
    if (!r.read_bytes(spi_size, n.spi))
        return fail(Errc::kTruncated, "notify spi");
    n.data = r.rest();
    return n;
}

bool serialize_notify(ProtocolId protocol, NotifyType type, Bytes spi,
                      Bytes data, ByteWriter& w) {
    w.write_u8(static_cast<std::uint8_t>(protocol));
    w.write_u8(static_cast<std::uint8_t>(spi.size()));
    w.write_u16(static_cast<std::uint16_t>(type));
    w.write_bytes(spi);
    return w.write_bytes(data);
}

Result<DeletePayload> parse_delete(Bytes body) {
    ByteReader r(body);
    std::uint8_t protocol = 0, spi_size = 0;
    std::uint16_t count = 0;
    r.read_u8(protocol);
    r.read_u8(spi_size);
    r.read_u16(count);
    if (!r.ok()) return fail(Errc::kTruncated, "delete payload");
    DeletePayload d;
    d.protocol = static_cast<ProtocolId>(protocol);
    if (d.protocol == ProtocolId::kIke) {
        // §3.11: the IKE SA is named by the header; no SPIs follow.
        if (spi_size != 0 || count != 0 || r.remaining() != 0)
            return fail(Errc::kMalformed, "delete of ike sa with spis");
        return d;
    }
    if (spi_size != kEspSpiBytes)
        return fail(Errc::kMalformed, "delete spi size");
    if (r.remaining() != std::size_t{count} * kEspSpiBytes)
        return fail(r.remaining() < std::size_t{count} * kEspSpiBytes
                        ? Errc::kTruncated
                        : Errc::kMalformed,
                    "delete spi count");
    for (unsigned i = 0; i < count; ++i) {
        std::uint32_t spi = 0;
        r.read_u32(spi);
        d.spis.push_back(spi);
    }
    return d;
}

bool serialize_delete(const DeletePayload& d, ByteWriter& w) {
    bool ike = d.protocol == ProtocolId::kIke;
    w.write_u8(static_cast<std::uint8_t>(d.protocol));
    w.write_u8(ike ? 0 : static_cast<std::uint8_t>(kEspSpiBytes));
    w.write_u16(ike ? 0 : static_cast<std::uint16_t>(d.spis.size()));
    if (!ike)
        for (auto spi : d.spis) w.write_u32(spi);
    return w.ok();
}

Result<TsPayload> parse_ts(Bytes body) {
    ByteReader r(body);
    std::uint8_t count = 0;
    r.read_u8(count);
    r.skip(3);  // RESERVED
    if (!r.ok()) return fail(Errc::kTruncated, "ts payload");
    if (count == 0)
        return fail(Errc::kMalformed, "ts payload without selectors");
    TsPayload ts;
    for (unsigned i = 0; i < count; ++i) {
        std::uint8_t type = 0, proto = 0;
        std::uint16_t length = 0;
        TrafficSelector sel;
        r.read_u8(type);
        r.read_u8(proto);
        r.read_u16(length);
        r.read_u16(sel.start_port);
        r.read_u16(sel.end_port);
        if (!r.ok()) return fail(Errc::kTruncated, "traffic selector header");
        sel.type = static_cast<TsType>(type);
        sel.ip_protocol = proto;
        if (length < kSelectorFixedBytes)
            return fail(Errc::kMalformed, "traffic selector length");
        std::size_t addr_bytes = length - kSelectorFixedBytes;
        if (sel.type == TsType::kIpv6AddrRange) {
            if (length != kSelectorIpv6Bytes)
                return fail(Errc::kMalformed, "ipv6 selector length");
            r.copy_bytes(sel.start.bytes);
            r.copy_bytes(sel.end.bytes);
        } else {
            if (sel.type == TsType::kIpv4AddrRange &&
                length != kSelectorIpv4Bytes)
                return fail(Errc::kMalformed, "ipv4 selector length");
            r.skip(addr_bytes);
        }
        if (!r.ok()) return fail(Errc::kTruncated, "traffic selector");
        ts.selectors.push_back(sel);
    }
    if (r.remaining() != 0)
        return fail(Errc::kMalformed, "bytes after last selector");
    return ts;
}

bool serialize_ts(const TsPayload& ts, ByteWriter& w) {
    w.write_u8(static_cast<std::uint8_t>(ts.selectors.size()));
    w.write_zeros(3);
    for (const auto& sel : ts.selectors) {
        w.write_u8(static_cast<std::uint8_t>(TsType::kIpv6AddrRange));
        w.write_u8(sel.ip_protocol);
        w.write_u16(static_cast<std::uint16_t>(kSelectorIpv6Bytes));
        w.write_u16(sel.start_port);
        w.write_u16(sel.end_port);
        w.write_bytes(sel.start.bytes);
        w.write_bytes(sel.end.bytes);
    }
    return w.ok();
}

TrafficSelector selector_from_prefix(const core::Ip6Prefix& p) {
    TrafficSelector sel;
    sel.start = p.addr;
    sel.end = p.addr;
    for (unsigned bit = p.length; bit < 128; ++bit) {
        auto mask = static_cast<std::uint8_t>(0x80u >> (bit % 8));
        sel.start.bytes[bit / 8] &= static_cast<std::uint8_t>(~mask);
        sel.end.bytes[bit / 8] |= mask;
    }
    return sel;
}

Result<core::Ip6Prefix> prefix_from_selector(const TrafficSelector& ts) {
    if (ts.type != TsType::kIpv6AddrRange)
        return fail(Errc::kUnsupported, "selector is not an ipv6 range");
    if (ts.ip_protocol != 0 || ts.start_port != 0 || ts.end_port != 0xffff)
        return fail(Errc::kUnsupported, "selector narrows protocol or ports");
    auto bit_at = [](const core::Ip6Addr& a, unsigned bit) {
        return (a.bytes[bit / 8] >> (7 - bit % 8)) & 1u;
    };
    unsigned length = 0;
    while (length < 128 && bit_at(ts.start, length) == bit_at(ts.end, length))
        ++length;
    for (unsigned bit = length; bit < 128; ++bit)
        if (bit_at(ts.start, bit) != 0 || bit_at(ts.end, bit) != 1)
            return fail(Errc::kUnsupported, "selector range is not a prefix");
    return core::Ip6Prefix{ts.start, static_cast<std::uint8_t>(length)};
}

}  // namespace scout6::ike
