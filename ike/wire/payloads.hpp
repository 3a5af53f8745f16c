// IKEv2 header and payload codecs (RFC 7296 §3).
//
// parse_* functions read one payload *body* (the bytes after the 4-byte
// generic payload header; the chain walker in message.hpp owns those
// headers) from untrusted input and return a plain struct. Spans in the
// result point into the input and live as long as it does. serialize_*
// functions write one body through a ByteWriter and return false when it
// does not fit (the writer is then failed for good).
//
// Only formats are checked here (lengths, counts, reserved structure);
// whether a value is acceptable is the exchange's decision.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/bytes.hpp"
#include "core/ip6.hpp"
#include "core/result.hpp"
#include "ike/wire/types.hpp"

namespace scout6::ike {

// RFC 7296 §3.1: the fixed IKE header.
inline constexpr std::size_t kIkeHeaderBytes = 28;
inline constexpr std::size_t kIkeHeaderNextPayloadOffset = 16;
inline constexpr std::uint8_t kIkeMajorVersion = 2;
inline constexpr std::uint8_t kIkeVersionByte = 0x20;  // 2.0
inline constexpr std::uint8_t kFlagInitiator = 0x08;   // I
inline constexpr std::uint8_t kFlagVersion = 0x10;     // V
inline constexpr std::uint8_t kFlagResponse = 0x20;    // R
// RFC 7296 §3.2: the generic payload header.
inline constexpr std::size_t kGenericHeaderBytes = 4;
inline constexpr std::uint8_t kCriticalBit = 0x80;
// RFC 7296 §3.9: nonces are 16 to 256 bytes.
inline constexpr std::size_t kMinNonceBytes = 16;
inline constexpr std::size_t kMaxNonceBytes = 256;
// Largest body a generic header can describe.
inline constexpr std::size_t kMaxPayloadBody = 0xffff - kGenericHeaderBytes;

struct IkeHeader {
    std::uint64_t spi_i = 0;
    std::uint64_t spi_r = 0;
    PayloadType next_payload = PayloadType::kNone;
    std::uint8_t version = kIkeVersionByte;
    ExchangeType exchange = ExchangeType::kIkeSaInit;
    std::uint8_t flags = 0;
    std::uint32_t message_id = 0;
    std::uint32_t length = 0;

    bool is_response() const { return (flags & kFlagResponse) != 0; }
    // Set by the original initiator of the IKE SA (§3.1, I flag).
    bool from_initiator() const { return (flags & kFlagInitiator) != 0; }
};

// Reads the fixed header of a whole datagram. Fails with kTruncated when
// the datagram is shorter than the header, kUnsupported for a major
// version other than 2 (minor versions are ignored, §2.5), and kMalformed
// when the Length field differs from the datagram size or a reserved flag
// bit is set.
[[nodiscard]] core::Result<IkeHeader> parse_header(core::Bytes datagram);
bool serialize_header(const IkeHeader& h, core::ByteWriter& w);

// §3.3: SA payload, proposals and transforms.
struct Transform {
    TransformType type = TransformType::kEncr;
    std::uint16_t id = 0;
    std::optional<std::uint16_t> key_length;  // attribute 14, TV format
    bool unknown_attribute = false;  // §3.3.6: such a transform is refused

    friend bool operator==(const Transform&, const Transform&) = default;
};

struct Proposal {
    std::uint8_t number = 1;
    ProtocolId protocol = ProtocolId::kIke;
    std::vector<std::uint8_t> spi;  // 0 bytes (IKE_SA_INIT) or 4 (ESP)
    std::vector<Transform> transforms;

    friend bool operator==(const Proposal&, const Proposal&) = default;
};

struct SaPayload {
    std::vector<Proposal> proposals;

    friend bool operator==(const SaPayload&, const SaPayload&) = default;
};

// Checks the last-substructure markers (0 last, 2 more proposals, 3 more
// transforms), every declared length, proposal numbering from 1, SPI size
// 0/4/8 and the transform count.
[[nodiscard]] core::Result<SaPayload> parse_sa(core::Bytes body);
bool serialize_sa(const SaPayload& sa, core::ByteWriter& w);

// §3.4: Key Exchange. RESERVED is two bytes after the group.
struct KePayload {
    std::uint16_t group = 0;
    core::Bytes data;
};
[[nodiscard]] core::Result<KePayload> parse_ke(core::Bytes body);
bool serialize_ke(std::uint16_t group, core::Bytes data, core::ByteWriter& w);

// §3.5: Identification (IDi, IDr). `rest` is the whole body, the
// "RestOfIDPayload" that AUTH is computed over (§2.15).
struct IdPayload {
    IdType type = IdType::kIpv6Addr;
    core::Bytes data;
    core::Bytes rest;
};
[[nodiscard]] core::Result<IdPayload> parse_id(core::Bytes body);
bool serialize_id(IdType type, core::Bytes data, core::ByteWriter& w);

// §3.8: Authentication.
struct AuthPayload {
    AuthMethod method = AuthMethod::kSharedKeyMic;
    core::Bytes data;
};
[[nodiscard]] core::Result<AuthPayload> parse_auth(core::Bytes body);
bool serialize_auth(AuthMethod method, core::Bytes data, core::ByteWriter& w);

// §3.9: Nonce. Fails with kMalformed outside 16..256 bytes.
[[nodiscard]] core::Result<core::Bytes> parse_nonce(core::Bytes body);

// §3.10: Notify.
struct NotifyPayload {
    ProtocolId protocol = ProtocolId::kNone;
    NotifyType type = NotifyType::kInvalidSyntax;
    core::Bytes spi;
    core::Bytes data;
};
[[nodiscard]] core::Result<NotifyPayload> parse_notify(core::Bytes body);
bool serialize_notify(ProtocolId protocol, NotifyType type, core::Bytes spi,
                      core::Bytes data, core::ByteWriter& w);

// §3.11: Delete. SPI size 0 for IKE (then no SPIs), 4 for ESP/AH.
struct DeletePayload {
    ProtocolId protocol = ProtocolId::kIke;
    std::vector<std::uint32_t> spis;
};
[[nodiscard]] core::Result<DeletePayload> parse_delete(core::Bytes body);
bool serialize_delete(const DeletePayload& d, core::ByteWriter& w);

// §3.13.1: one traffic selector. IPv4 selectors are parsed (and skipped
// by scout6, which is IPv6 only); their addresses are left unspecified.
struct TrafficSelector {
    TsType type = TsType::kIpv6AddrRange;
    std::uint8_t ip_protocol = 0;
    std::uint16_t start_port = 0;
    std::uint16_t end_port = 0xffff;
    core::Ip6Addr start;
    core::Ip6Addr end;

    friend bool operator==(const TrafficSelector&,
                           const TrafficSelector&) = default;
};

// §3.13: TSi / TSr.
struct TsPayload {
    std::vector<TrafficSelector> selectors;
};
[[nodiscard]] core::Result<TsPayload> parse_ts(core::Bytes body);
bool serialize_ts(const TsPayload& ts, core::ByteWriter& w);

// An IPv6 prefix as one TS_IPV6_ADDR_RANGE selector, protocol 0, all
// ports; and back. A range that is not exactly one prefix fails with
// kUnsupported.
TrafficSelector selector_from_prefix(const core::Ip6Prefix& p);
[[nodiscard]] core::Result<core::Ip6Prefix> prefix_from_selector(
    const TrafficSelector& ts);

}  // namespace scout6::ike
