// The one IKEv2 cryptographic suite scout6 speaks, and the key schedule
// built on it:
//
//   ENCR_AES_GCM_16 (256-bit key)    RFC 5282, RFC 7296 §3.3.2
//   PRF_HMAC_SHA2_256                RFC 4868
//   Diffie-Hellman group 31, X25519  RFC 8031
//   Shared-key AUTH                  RFC 7296 §2.15
//   NAT detection hashes             RFC 7296 §2.23
//
// No integrity transform: AES-GCM is an AEAD, so IKE SAs carry no SK_ai or
// SK_ar (RFC 5282 §7) and the SK payload has no separate checksum.
//
// Primitives come from OpenSSL (AES-GCM, SHA-1) and libsodium (HMAC-SHA-256,
// X25519, randomness). Key material lives in core::SecretBytes. Nothing in
// this file logs keys. All functions are safe to call from any thread;
// SkCipher objects are not shared between threads.
#pragma once

#include <openssl/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/bytes.hpp"
#include "core/ip6.hpp"
#include "core/result.hpp"
#include "core/secret.hpp"

namespace scout6::ike {

// RFC 7296 §3.3.2 transform IDs scout6 speaks.
enum class EncrId : std::uint16_t { kAesGcm16 = 20 };
enum class PrfId : std::uint16_t { kHmacSha256 = 5 };
enum class DhGroup : std::uint16_t { kCurve25519 = 31 };

const char* to_string(EncrId id);
const char* to_string(PrfId id);
const char* to_string(DhGroup group);

// RFC 4868 §2.1: PRF_HMAC_SHA2_256 key and output size.
constexpr std::size_t kPrfKeyBytes = 32;
// RFC 5282 §7.1: AES-256 key followed by a 4-byte salt; §3.1 8-byte IV;
// ENCR_AES_GCM_16 has a 16-byte ICV.
constexpr std::size_t kGcmKeyBytes = 32, kGcmSaltBytes = 4, kGcmIvBytes = 8,
                      kGcmIcvBytes = 16;
// RFC 7296 §3.3.5 Key Length attribute value for the 256-bit key.
constexpr std::uint16_t kGcmKeyLengthBits = 256;
// SK_e* length: key | salt (RFC 5282 §7.1).
constexpr std::size_t kGcmKeymatBytes = kGcmKeyBytes + kGcmSaltBytes;
// RFC 8031 §2: public values and shared secrets are 32 bytes.
constexpr std::size_t kX25519Bytes = 32;
// RFC 7296 §2.10: at least 16 bytes and half the PRF key size; scout6
// always sends the full PRF key size.
constexpr std::size_t kNonceBytes = 32;
// RFC 7296 §2.23: SHA-1 output.
constexpr std::size_t kNatDetectionBytes = 20;
// RFC 7296 §2.13: prf+ stops after 255 iterations.
constexpr std::size_t kPrfPlusMaxBytes = 255 * kPrfKeyBytes;
// RFC 7296 §2.14: SK_d | SK_ei | SK_er | SK_pi | SK_pr for this suite.
constexpr std::size_t kIkeKeymatBytes =
    kPrfKeyBytes + 2 * kGcmKeymatBytes + 2 * kPrfKeyBytes;
// RFC 7296 §2.17, RFC 4106 §8.1: the ESP SA pair's keymat, i->r then r->i,
// each AES-256 key | salt.
constexpr std::size_t kChildKeymatBytes = 2 * kGcmKeymatBytes;

// Where randomness comes from: SPIs, nonces, X25519 private keys.
class Random {
public:
    virtual ~Random() = default;
    virtual void fill(core::MutableBytes out) = 0;
};

// libsodium's randombytes_buf (the OS CSPRNG).
class SystemRandom final : public Random {
public:
    void fill(core::MutableBytes out) override;
};

// Deterministic bytes for tests and reproducible exchanges: each fill()
// draws from randombytes_buf_deterministic under a seed derived from the
// constructor seed and a per-call counter, so two SeededRandoms with the
// same seed yield the same sequence of fills. Never for real keys.
class SeededRandom final : public Random {
public:
    explicit SeededRandom(std::uint64_t seed) : seed_(seed) {}
    void fill(core::MutableBytes out) override;

private:
    std::uint64_t seed_;
    std::uint64_t counter_ = 0;
};

// PRF_HMAC_SHA2_256: HMAC-SHA-256(key, data), 32 bytes. Any key length
// (RFC 4868 §2.1.2 only constrains what IKE feeds it). Errors: none in
// practice; kCrypto if the library refuses.
[[nodiscard]] core::Result<core::SecretBytes> prf(core::Bytes key,
                                                  core::Bytes data);

// RFC 7296 §2.13: T1 | T2 | ..., Tn = prf(key, Tn-1 | seed | n), cut to
// `length` bytes. Errors: kUnsupported when length > kPrfPlusMaxBytes
// (more than 255 blocks).
[[nodiscard]] core::Result<core::SecretBytes> prf_plus(core::Bytes key,
                                                       core::Bytes seed,
                                                       std::size_t length);

// RFC 8031 X25519 key pair for one IKE_SA_INIT (or CREATE_CHILD_SA) KE
// payload. The private key lives in SecretBytes and is wiped with the
// object. Movable and copyable.
class X25519KeyPair {
public:
    // A fresh private key from `random` (clamped by X25519 itself,
    // RFC 7748 §5). Errors: kCrypto if libsodium refuses.
    [[nodiscard]] static core::Result<X25519KeyPair> generate(Random& random);

    // Test seam: a fixed 32-byte private scalar (RFC 7748 vectors).
    // Errors: kMalformed on a wrong length, kCrypto.
    [[nodiscard]] static core::Result<X25519KeyPair> from_private_for_test(
        core::Bytes private_key);

    // The 32-byte public value for the KE payload; a view into this
    // object, valid as long as it is.
    core::Bytes public_key() const {
        return core::Bytes(public_.data(), public_.size());
    }

    // g^ir: X25519(private, peer_public), 32 bytes. Errors: kMalformed
    // when peer_public is not kX25519Bytes long; kCrypto when the result
    // is all zero, i.e. the peer sent a low-order point (RFC 8031 §2.3).
    [[nodiscard]] core::Result<core::SecretBytes> shared_secret(
        core::Bytes peer_public) const;

private:
    X25519KeyPair() = default;
    [[nodiscard]] static core::Result<X25519KeyPair> from_private(
        core::Bytes private_key);

    core::SecretBytes private_;
    std::array<std::uint8_t, kX25519Bytes> public_{};
};

// RFC 7296 §2.14 keys of one IKE SA. AES-GCM: no SK_ai/SK_ar (RFC 5282
// §7). sk_ei/sk_er are kGcmKeymatBytes: 32-byte key | 4-byte salt, ready
// for SkCipher::create. sk_d, sk_pi, sk_pr are kPrfKeyBytes.
struct IkeKeys {
    core::SecretBytes sk_d, sk_ei, sk_er, sk_pi, sk_pr;
};

// SKEYSEED = prf(Ni | Nr, g^ir);
// {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
//     = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)   (RFC 7296 §2.14),
// with SK_a* empty for AEAD. ni/nr are the nonce payload bodies; their
// lengths are the wire layer's to check (RFC 7296 §2.10). Errors: kCrypto.
[[nodiscard]] core::Result<IkeKeys> derive_ike_keys(core::Bytes ni,
                                                    core::Bytes nr,
                                                    core::Bytes shared_secret,
                                                    std::uint64_t spi_i,
                                                    std::uint64_t spi_r);

// KEYMAT = prf+(SK_d, Ni | Nr) (RFC 7296 §2.17, no PFS), `length` bytes
// (kChildKeymatBytes for one ESP SA pair). Errors: as prf_plus.
[[nodiscard]] core::Result<core::SecretBytes> derive_child_keymat(
    core::Bytes sk_d, core::Bytes ni, core::Bytes nr, std::size_t length);

// RFC 7296 §2.15 shared-key AUTH payload data:
//   octets = real_message | peer_nonce | prf(sk_p, id_payload_body)
//   AUTH   = prf(prf(psk, "Key Pad for IKEv2"), octets)
// real_message is this side's whole first message (IKE_SA_INIT request or
// response) as sent; peer_nonce is the other side's Nonce data; sk_p is
// SK_pi for the initiator's AUTH and SK_pr for the responder's;
// id_payload_body is the ID payload without its 4-byte generic header
// (ID type, 3 reserved bytes, data). Returns kPrfKeyBytes. Errors: kCrypto.
[[nodiscard]] core::Result<core::SecretBytes> psk_auth(
    core::Bytes psk, core::Bytes real_message, core::Bytes peer_nonce,
    core::Bytes sk_p, core::Bytes id_payload_body);

// Constant-time comparison (CRYPTO_memcmp) of two equal-length byte
// strings; false on a length mismatch (lengths are not secret).
bool constant_time_equal(core::Bytes a, core::Bytes b);

// The Encrypted (SK) payload body with ENCR_AES_GCM_16 (RFC 5282 §3):
//
//   | IV (8) | ciphertext ... | ICV (16) |
//   plaintext = inner payloads | padding | pad length (1)
//   nonce     = salt (4, from SK_e*) | IV            (RFC 5282 §4)
//   AAD       = IKE header .. end of the SK generic header (RFC 5282 §5.1)
//
// One SkCipher per key (SK_ei or SK_er); it can both seal and open. The
// AES key schedule is built once in create(); per message only the IV
// changes. Movable, not copyable, not thread-safe.
class SkCipher {
public:
    // key_and_salt36: kGcmKeymatBytes (SK_ei or SK_er); not kept outside
    // OpenSSL's contexts. Errors: kMalformed on a wrong length, kCrypto.
    [[nodiscard]] static core::Result<SkCipher> create(
        core::Bytes key_and_salt36);

    SkCipher(SkCipher&&) noexcept;
    SkCipher& operator=(SkCipher&&) noexcept;
    ~SkCipher();

    // Bytes the SK body adds to plaintext_len bytes of inner payloads:
    // IV + pad-length byte + ICV (seal pads with nothing).
    static constexpr std::size_t overhead(
        [[maybe_unused]] std::size_t plaintext_len) {
        return kGcmIvBytes + kPadLengthBytes + kGcmIcvBytes;
    }

    // Writes IV | CT | ICV for inner_payloads (pad length 0) to the front
    // of out and returns inner_payloads.size() + overhead(). The IV is
    // iv_counter, big-endian; the caller must never reuse one under the
    // same key (the message ID, say, is a fine counter). inner_payloads
    // must not overlap out. Errors: kNoSpace when out is too small,
    // kCrypto.
    [[nodiscard]] core::Result<std::size_t> seal(core::Bytes aad,
                                                 core::Bytes inner_payloads,
                                                 std::uint64_t iv_counter,
                                                 core::MutableBytes out);

    // Checks and decrypts an SK body into plaintext_out (which needs room
    // for the ciphertext: iv_ct_icv.size() - kGcmIvBytes - kGcmIcvBytes
    // bytes), strips the padding and returns the inner payloads' length;
    // they sit at the front of plaintext_out. Errors: kTruncated (shorter
    // than IV + pad length + ICV), kNoSpace (plaintext_out too small),
    // kAuthFailed (ICV mismatch; plaintext_out is wiped), kMalformed (pad
    // length longer than the plaintext, after a valid ICV), kCrypto.
    [[nodiscard]] core::Result<std::size_t> open(
        core::Bytes aad, core::Bytes iv_ct_icv,
        core::MutableBytes plaintext_out);

    // Test seam: seals `padded_plaintext` exactly as given (its last byte
    // is taken as the pad length and not checked), to reproduce published
    // GCM vectors. Same output and errors as seal().
    [[nodiscard]] core::Result<std::size_t> seal_padded_for_test(
        core::Bytes aad, core::Bytes padded_plaintext, std::uint64_t iv_counter,
        core::MutableBytes out);

private:
    static constexpr std::size_t kPadLengthBytes = 1;  // RFC 5282 §3

    struct CtxFree {
        void operator()(EVP_CIPHER_CTX* ctx) const;
    };
    using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

    SkCipher(Ctx seal_ctx, Ctx open_ctx, core::Bytes salt);
    [[nodiscard]] core::Result<std::size_t> seal_parts(
        core::Bytes aad, core::Bytes body, core::Bytes pad_and_length,
        std::uint64_t iv_counter, core::MutableBytes out);

    Ctx seal_ctx_;
    Ctx open_ctx_;
    std::array<std::uint8_t, kGcmSaltBytes> salt_{};
};

// RFC 7296 §2.23 NAT_DETECTION_*_IP data: SHA-1(SPIi | SPIr | IP | Port),
// SPIs and port big-endian, IP the 16 address bytes. Errors: kCrypto.
[[nodiscard]] core::Result<std::array<std::uint8_t, kNatDetectionBytes>>
nat_detection_hash(std::uint64_t spi_i, std::uint64_t spi_r,
                   const core::Ip6Addr& addr, std::uint16_t port);

}  // namespace scout6::ike
