// IKEv2 wire code points (RFC 7296 §3 and the IANA "IKEv2 Parameters"
// registry), each with a to_string() so that logs print names.
//
// The enums are opaque: a value read from the wire that has no enumerator
// is still a valid enum value, and to_string() prints it as "UNKNOWN(n)"
// through a small thread-local buffer (valid until the next call from the
// same thread).
#pragma once

#include <cstdint>

namespace scout6::ike {

// RFC 7296 §3.1, Exchange Type.
enum class ExchangeType : std::uint8_t {
    kIkeSaInit = 34,
    kIkeAuth = 35,
    kCreateChildSa = 36,
    kInformational = 37,
};

// RFC 7296 §3.2, Next Payload / payload type.
enum class PayloadType : std::uint8_t {
    kNone = 0,
    kSa = 33,
    kKe = 34,
    kIdi = 35,
    kIdr = 36,
    kCert = 37,
    kCertreq = 38,
    kAuth = 39,
    kNonce = 40,
    kNotify = 41,
    kDelete = 42,
    kVendorId = 43,
    kTsi = 44,
    kTsr = 45,
    kSk = 46,
    kCp = 47,
    kEap = 48,
    kSkf = 53,  // RFC 7383
};

// RFC 7296 §3.10.1. Error types are below 16384, status types at or above.
enum class NotifyType : std::uint16_t {
    kUnsupportedCriticalPayload = 1,
    kInvalidIkeSpi = 4,
    kInvalidMajorVersion = 5,
    kInvalidSyntax = 7,
    kInvalidMessageId = 9,
    kInvalidSpi = 11,
    kNoProposalChosen = 14,
    kInvalidKePayload = 17,
    kAuthenticationFailed = 24,
    kSinglePairRequired = 34,
    kNoAdditionalSas = 35,
    kInternalAddressFailure = 36,
    kFailedCpRequired = 37,
    kTsUnacceptable = 38,
    kInvalidSelectors = 39,
    kTemporaryFailure = 43,
    kChildSaNotFound = 44,
    kInitialContact = 16384,
    kSetWindowSize = 16385,
    kAdditionalTsPossible = 16386,
    kIpcompSupported = 16387,
    kNatDetectionSourceIp = 16388,
    kNatDetectionDestinationIp = 16389,
    kCookie = 16390,
    kUseTransportMode = 16391,
    kHttpCertLookupSupported = 16392,
    kRekeySa = 16393,
    kEspTfcPaddingNotSupported = 16394,
    kNonFirstFragmentsAlso = 16395,
    kMobikeSupported = 16396,
    kMultipleAuthSupported = 16404,        // RFC 4739
    kRedirectSupported = 16406,            // RFC 5685
    kChildlessIkev2Supported = 16418,      // RFC 6023
    kIkev2FragmentationSupported = 16430,  // RFC 7383
    kSignatureHashAlgorithms = 16431,      // RFC 7427
};

inline constexpr std::uint16_t kFirstStatusNotify = 16384;

inline bool is_error_notify(NotifyType t) {
    return static_cast<std::uint16_t>(t) < kFirstStatusNotify;
}

// RFC 7296 §3.3.1, Protocol ID (also used by Notify and Delete).
enum class ProtocolId : std::uint8_t {
    kNone = 0,
    kIke = 1,
    kAh = 2,
    kEsp = 3,
};

// RFC 7296 §3.3.2, Transform Type.
enum class TransformType : std::uint8_t {
    kEncr = 1,
    kPrf = 2,
    kInteg = 3,
    kDh = 4,
    kEsn = 5,
};

// Transform IDs scout6 speaks; others are parsed and never chosen.
inline constexpr std::uint16_t kEncrAesGcm16 = 20;    // RFC 5282
inline constexpr std::uint16_t kPrfHmacSha2_256 = 5;  // RFC 4868
inline constexpr std::uint16_t kIntegNone = 0;
inline constexpr std::uint16_t kDhNone = 0;
inline constexpr std::uint16_t kDhCurve25519 = 31;  // RFC 8031
inline constexpr std::uint16_t kEsnNone = 0;
inline constexpr std::uint16_t kAttrKeyLength = 14;  // RFC 7296 §3.3.5

// RFC 7296 §3.5, ID Type.
enum class IdType : std::uint8_t {
    kIpv4Addr = 1,
    kFqdn = 2,
    kRfc822Addr = 3,
    kIpv6Addr = 5,
    kDerAsn1Dn = 9,
    kDerAsn1Gn = 10,
    kKeyId = 11,
};

// RFC 7296 §3.8, Auth Method.
enum class AuthMethod : std::uint8_t {
    kRsaSig = 1,
    kSharedKeyMic = 2,
    kDssSig = 3,
    kDigitalSignature = 14,  // RFC 7427
};

// RFC 7296 §3.13.1, TS Type.
enum class TsType : std::uint8_t {
    kIpv4AddrRange = 7,
    kIpv6AddrRange = 8,
};

const char* to_string(ExchangeType v);
const char* to_string(PayloadType v);
const char* to_string(NotifyType v);
const char* to_string(ProtocolId v);
const char* to_string(TransformType v);
const char* to_string(IdType v);
const char* to_string(AuthMethod v);
const char* to_string(TsType v);

// True for the payload types this implementation knows how to walk
// (whether or not a given exchange allows them).
bool is_known_payload(PayloadType v);

}  // namespace scout6::ike
