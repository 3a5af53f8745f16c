#include "ike/wire/types.hpp"

#include <cstdio>

namespace scout6::ike {

namespace {

// Values without an enumerator come from peers; print them rather than
// hide them. One buffer per thread keeps this free of allocation.
const char* unknown(unsigned value) {
    thread_local char buf[24];
    std::snprintf(buf, sizeof buf, "UNKNOWN(%u)", value);
    return buf;
}

}  // namespace

const char* to_string(ExchangeType v) {
    switch (v) {
        case ExchangeType::kIkeSaInit:
            return "IKE_SA_INIT";
        case ExchangeType::kIkeAuth:
            return "IKE_AUTH";
        case ExchangeType::kCreateChildSa:
            return "CREATE_CHILD_SA";
        case ExchangeType::kInformational:
            return "INFORMATIONAL";
    }
    return unknown(static_cast<unsigned>(v));
}

// Short names as in the RFC 7296 message diagrams.
const char* to_string(PayloadType v) {
    switch (v) {
        case PayloadType::kNone:
            return "NONE";
        case PayloadType::kSa:
            return "SA";
        case PayloadType::kKe:
            return "KE";
        case PayloadType::kIdi:
            return "IDi";
        case PayloadType::kIdr:
            return "IDr";
        case PayloadType::kCert:
            return "CERT";
        case PayloadType::kCertreq:
            return "CERTREQ";
        case PayloadType::kAuth:
            return "AUTH";
        case PayloadType::kNonce:
            return "No";
        case PayloadType::kNotify:
            return "N";
        case PayloadType::kDelete:
            return "D";
        case PayloadType::kVendorId:
            return "V";
        case PayloadType::kTsi:
            return "TSi";
        case PayloadType::kTsr:
            return "TSr";
        case PayloadType::kSk:
            return "SK";
        case PayloadType::kCp:
            return "CP";
        case PayloadType::kEap:
            return "EAP";
        case PayloadType::kSkf:
            return "SKF";
    }
    return unknown(static_cast<unsigned>(v));
}

const char* to_string(NotifyType v) {
    switch (v) {
        case NotifyType::kUnsupportedCriticalPayload:
            return "UNSUPPORTED_CRITICAL_PAYLOAD";
        case NotifyType::kInvalidIkeSpi:
            return "INVALID_IKE_SPI";
        case NotifyType::kInvalidMajorVersion:
            return "INVALID_MAJOR_VERSION";
        case NotifyType::kInvalidSyntax:
            return "INVALID_SYNTAX";
        case NotifyType::kInvalidMessageId:
            return "INVALID_MESSAGE_ID";
        case NotifyType::kInvalidSpi:
            return "INVALID_SPI";
        case NotifyType::kNoProposalChosen:
            return "NO_PROPOSAL_CHOSEN";
        case NotifyType::kInvalidKePayload:
            return "INVALID_KE_PAYLOAD";
        case NotifyType::kAuthenticationFailed:
            return "AUTHENTICATION_FAILED";
        case NotifyType::kSinglePairRequired:
            return "SINGLE_PAIR_REQUIRED";
        case NotifyType::kNoAdditionalSas:
            return "NO_ADDITIONAL_SAS";
        case NotifyType::kInternalAddressFailure:
            return "INTERNAL_ADDRESS_FAILURE";
        case NotifyType::kFailedCpRequired:
            return "FAILED_CP_REQUIRED";
        case NotifyType::kTsUnacceptable:
            return "TS_UNACCEPTABLE";
        case NotifyType::kInvalidSelectors:
            return "INVALID_SELECTORS";
        case NotifyType::kTemporaryFailure:
            return "TEMPORARY_FAILURE";
        case NotifyType::kChildSaNotFound:
            return "CHILD_SA_NOT_FOUND";
        case NotifyType::kInitialContact:
            return "INITIAL_CONTACT";
        case NotifyType::kSetWindowSize:
            return "SET_WINDOW_SIZE";
        case NotifyType::kAdditionalTsPossible:
            return "ADDITIONAL_TS_POSSIBLE";
        case NotifyType::kIpcompSupported:
            return "IPCOMP_SUPPORTED";
        case NotifyType::kNatDetectionSourceIp:
            return "NAT_DETECTION_SOURCE_IP";
        case NotifyType::kNatDetectionDestinationIp:
            return "NAT_DETECTION_DESTINATION_IP";
        case NotifyType::kCookie:
            return "COOKIE";
        case NotifyType::kUseTransportMode:
            return "USE_TRANSPORT_MODE";
        case NotifyType::kHttpCertLookupSupported:
            return "HTTP_CERT_LOOKUP_SUPPORTED";
        case NotifyType::kRekeySa:
            return "REKEY_SA";
        case NotifyType::kEspTfcPaddingNotSupported:
            return "ESP_TFC_PADDING_NOT_SUPPORTED";
        case NotifyType::kNonFirstFragmentsAlso:
            return "NON_FIRST_FRAGMENTS_ALSO";
        case NotifyType::kMobikeSupported:
            return "MOBIKE_SUPPORTED";
        case NotifyType::kMultipleAuthSupported:
            return "MULTIPLE_AUTH_SUPPORTED";
        case NotifyType::kRedirectSupported:
            return "REDIRECT_SUPPORTED";
        case NotifyType::kChildlessIkev2Supported:
            return "CHILDLESS_IKEV2_SUPPORTED";
        case NotifyType::kIkev2FragmentationSupported:
            return "IKEV2_FRAGMENTATION_SUPPORTED";
        case NotifyType::kSignatureHashAlgorithms:
            return "SIGNATURE_HASH_ALGORITHMS";
    }
    return unknown(static_cast<unsigned>(v));
}

const char* to_string(ProtocolId v) {
    switch (v) {
        case ProtocolId::kNone:
            return "NONE";
        case ProtocolId::kIke:
            return "IKE";
        case ProtocolId::kAh:
            return "AH";
        case ProtocolId::kEsp:
            return "ESP";
    }
    return unknown(static_cast<unsigned>(v));
}

const char* to_string(TransformType v) {
    switch (v) {
        case TransformType::kEncr:
            return "ENCR";
        case TransformType::kPrf:
            return "PRF";
        case TransformType::kInteg:
            return "INTEG";
        case TransformType::kDh:
            return "DH";
        case TransformType::kEsn:
            return "ESN";
    }
    return unknown(static_cast<unsigned>(v));
}

const char* to_string(IdType v) {
    switch (v) {
        case IdType::kIpv4Addr:
            return "ID_IPV4_ADDR";
        case IdType::kFqdn:
            return "ID_FQDN";
        case IdType::kRfc822Addr:
            return "ID_RFC822_ADDR";
        case IdType::kIpv6Addr:
            return "ID_IPV6_ADDR";
        case IdType::kDerAsn1Dn:
            return "ID_DER_ASN1_DN";
        case IdType::kDerAsn1Gn:
            return "ID_DER_ASN1_GN";
        case IdType::kKeyId:
            return "ID_KEY_ID";
    }
    return unknown(static_cast<unsigned>(v));
}

const char* to_string(AuthMethod v) {
    switch (v) {
        case AuthMethod::kRsaSig:
            return "RSA_DIGITAL_SIGNATURE";
        case AuthMethod::kSharedKeyMic:
            return "SHARED_KEY_MIC";
        case AuthMethod::kDssSig:
            return "DSS_DIGITAL_SIGNATURE";
        case AuthMethod::kDigitalSignature:
            return "DIGITAL_SIGNATURE";
    }
    return unknown(static_cast<unsigned>(v));
}

const char* to_string(TsType v) {
    switch (v) {
        case TsType::kIpv4AddrRange:
            return "TS_IPV4_ADDR_RANGE";
        case TsType::kIpv6AddrRange:
            return "TS_IPV6_ADDR_RANGE";
    }
    return unknown(static_cast<unsigned>(v));
}

bool is_known_payload(PayloadType v) {
    switch (v) {
        case PayloadType::kSa:
        case PayloadType::kKe:
        case PayloadType::kIdi:
        case PayloadType::kIdr:
        case PayloadType::kCert:
        case PayloadType::kCertreq:
        case PayloadType::kAuth:
        case PayloadType::kNonce:
        case PayloadType::kNotify:
        case PayloadType::kDelete:
        case PayloadType::kVendorId:
        case PayloadType::kTsi:
        case PayloadType::kTsr:
        case PayloadType::kSk:
        case PayloadType::kCp:
        case PayloadType::kEap:
        case PayloadType::kSkf:
            return true;
        case PayloadType::kNone:
            return false;
    }
    return false;
}

}  // namespace scout6::ike
