// ESP security associations: RFC 4303 tunnel mode with AES-256-GCM-16
// (RFC 4106), 32-bit sequence numbers (no ESN).
//
// An EspOutboundSa turns an inner packet into an ESP packet; an
// EspInboundSa checks and opens one. Each is keyed once by whoever
// negotiated it (this layer knows nothing of IKE) and then used on the
// data path: no allocation per packet, the AES key schedule is built once
// per SA, and only the nonce changes per packet.
//
// Wire layout (RFC 4303 §2, RFC 4106 §3):
//
//   0        4        8                16
//   | SPI    | Seq    | IV (8)         | ciphertext ... | ICV (16) |
//
//   ciphertext = encrypt(payload | 1,2,3,.. | pad length | next header)
//   AAD        = SPI | Seq                      (RFC 4106 §5, no ESN)
//   nonce      = salt (4, from the keymat) | IV (RFC 4106 §4)
//
// Neither class is thread-safe; one thread owns an SA.
#pragma once

#include <openssl/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "core/bytes.hpp"
#include "core/replay_window.hpp"
#include "core/result.hpp"

namespace scout6::core {

// RFC 4106 §8.1: keying material is the AES key followed by the salt.
constexpr std::size_t kEspKeyBytes = 32;
constexpr std::size_t kEspSaltBytes = 4;
constexpr std::size_t kEspKeymatBytes = kEspKeyBytes + kEspSaltBytes;
// RFC 4303 §2.1-2.2: SPI and Sequence Number.
constexpr std::size_t kEspHeaderBytes = 8;
// RFC 4106 §3.1: the explicit 8-octet IV carried in each packet.
constexpr std::size_t kEspIvBytes = 8;
// RFC 4106 §6: this suite uses the full 16-octet ICV.
constexpr std::size_t kEspIcvBytes = 16;
// RFC 4303 §2.4-2.6: Pad Length and Next Header close the plaintext.
constexpr std::size_t kEspTrailerBytes = 2;
// RFC 4303 §2.4: plaintext padded to 4 bytes, so at most 3 pad bytes.
constexpr std::size_t kEspAlignBytes = 4;
constexpr std::size_t kEspMaxPadBytes = kEspAlignBytes - 1;
// Where the (encrypted) payload starts in an ESP packet.
constexpr std::size_t kEspPayloadOffset = kEspHeaderBytes + kEspIvBytes;
constexpr std::size_t kEspMaxOverhead = kEspHeaderBytes + kEspIvBytes +
                                        kEspMaxPadBytes + kEspTrailerBytes +
                                        kEspIcvBytes;
// The shortest packet open() considers: empty payload, no padding.
constexpr std::size_t kEspMinPacketBytes =
    kEspHeaderBytes + kEspIvBytes + kEspTrailerBytes + kEspIcvBytes;
// seal() refuses larger payloads: IPv6 without jumbograms (RFC 8200 §3).
constexpr std::size_t kEspMaxPayloadBytes = 40 + 65535;
// IANA protocol numbers for Next Header (RFC 4303 §2.6).
constexpr std::uint8_t kNextHeaderIpv6 = 41;
constexpr std::uint8_t kNextHeaderNone = 59;  // a dummy packet

// Exact size of the ESP packet seal() writes for a payload of n bytes.
constexpr std::size_t esp_sealed_size(std::size_t payload_bytes) {
    std::size_t plain = payload_bytes + kEspTrailerBytes;
    std::size_t padded =
        (plain + kEspAlignBytes - 1) / kEspAlignBytes * kEspAlignBytes;
    return kEspHeaderBytes + kEspIvBytes + padded + kEspIcvBytes;
}

// Per-SA counters. Outbound SAs use packets, bytes, seq_exhausted and
// crypto_errors; inbound SAs use all but seq_exhausted.
struct EspStats {
    std::uint64_t packets = 0;         // sealed, or opened and accepted
    std::uint64_t bytes = 0;           // payload bytes of those packets
    std::uint64_t auth_failures = 0;   // ICV did not verify
    std::uint64_t replays = 0;         // duplicate or left of the window
    std::uint64_t truncated = 0;       // shorter than any ESP packet
    std::uint64_t malformed = 0;       // bad trailer after a valid ICV
    std::uint64_t spi_mismatches = 0;  // handed a packet for another SA
    std::uint64_t seq_exhausted = 0;   // seal refused: rekey needed
    std::uint64_t crypto_errors = 0;   // OpenSSL refused an operation

    // Calls fn(name, value) for every counter, in declaration order.
    template <typename Fn>
    void for_each(Fn&& fn) const {
        fn("packets", packets);
        fn("bytes", bytes);
        fn("auth_failures", auth_failures);
        fn("replays", replays);
        fn("truncated", truncated);
        fn("malformed", malformed);
        fn("spi_mismatches", spi_mismatches);
        fn("seq_exhausted", seq_exhausted);
        fn("crypto_errors", crypto_errors);
    }
};

// AES-256-GCM with the RFC 4106 nonce (salt | 8-byte IV), for one
// direction. The key schedule is built once in create(); each call only
// sets the IV. The SAs below use it; it is public so that tests can run
// published AEAD vectors through the very same EVP setup.
class EspAead {
public:
    enum class Direction { kSeal, kOpen };

    // keymat: kEspKeymatBytes, key then salt (RFC 4106 §8.1); not kept
    // (the key lives on only inside OpenSSL's context). Errors: kMalformed
    // for a wrong keymat length, kCrypto when OpenSSL refuses.
    [[nodiscard]] static Result<EspAead> create(Direction direction,
                                                Bytes keymat);

    EspAead(EspAead&&) noexcept;
    EspAead& operator=(EspAead&&) noexcept;
    ~EspAead();

    // Encrypts text in place and writes the kEspIcvBytes tag. Errors:
    // kCrypto, kInternal (wrong direction, moved-from object).
    [[nodiscard]] Status seal(std::uint64_t iv, Bytes aad, MutableBytes text,
                              MutableBytes tag);

    // Decrypts text in place and verifies tag. On kAuthFailed the text is
    // wiped, so unauthenticated plaintext never reaches the caller.
    // Errors: kAuthFailed, kCrypto, kInternal.
    [[nodiscard]] Status open(std::uint64_t iv, Bytes aad, MutableBytes text,
                              Bytes tag);

private:
    struct CtxFree {
        void operator()(EVP_CIPHER_CTX* ctx) const;
    };
    static constexpr std::size_t kNonceBytes = kEspSaltBytes + kEspIvBytes;

    EspAead(Direction direction, EVP_CIPHER_CTX* ctx, Bytes salt);
    [[nodiscard]] Status begin(std::uint64_t iv, Bytes aad);

    Direction direction_;
    std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx_;
    std::array<std::uint8_t, kNonceBytes> nonce_{};  // salt | IV
};

// The sending half of an SA. Movable, not copyable.
class EspOutboundSa {
public:
    // keymat: kEspKeymatBytes (key | salt). Errors as EspAead::create.
    [[nodiscard]] static Result<EspOutboundSa> create(std::uint32_t spi,
                                                      Bytes keymat);

    // Writes one ESP packet carrying payload to the front of out and
    // returns its size, esp_sealed_size(payload.size()). payload may
    // overlap out (it is moved into place first), so a caller can build
    // the inner packet at out[kEspPayloadOffset] and seal without a copy.
    // Errors: kNoSpace (out too small), kUnsupported (payload over
    // kEspMaxPayloadBytes), kBadState "sequence exhausted" once 2^32 - 1
    // packets went out (RFC 4303 §3.3.3: rekey, do not wrap), kCrypto.
    [[nodiscard]] Result<std::size_t> seal(std::uint8_t next_header,
                                           Bytes payload, MutableBytes out);

    std::uint32_t spi() const { return spi_; }
    // The sequence number of the last packet sealed (0 before the first).
    std::uint32_t last_sequence() const { return seq_; }
    const EspStats& stats() const { return stats_; }

    // Test seams. The first pretends last_sent packets went out already.
    // The second seals with an explicit IV instead of the counter, to
    // reproduce published vectors; it still takes the next sequence number.
    void set_sequence_for_test(std::uint32_t last_sent) { seq_ = last_sent; }
    [[nodiscard]] Result<std::size_t> seal_with_iv_for_test(
        std::uint8_t next_header, Bytes payload, std::uint64_t iv,
        MutableBytes out);

private:
    EspOutboundSa(std::uint32_t spi, EspAead aead)
        : spi_(spi), aead_(std::move(aead)) {}
    Result<std::size_t> seal_impl(std::uint8_t next_header, Bytes payload,
                                  const std::uint64_t* fixed_iv,
                                  MutableBytes out);

    std::uint32_t spi_;
    std::uint32_t seq_ = 0;
    EspAead aead_;
    EspStats stats_;
};

// What open() found: the inner packet and how it was labelled.
struct EspPayload {
    // RFC 4303 §2.6; kNextHeaderIpv6 in tunnel mode. kNextHeaderNone marks
    // a dummy packet (§2.6), which the caller discards.
    std::uint8_t next_header = 0;
    // The decrypted inner packet: a view into the buffer given to open(),
    // valid as long as that buffer is.
    MutableBytes payload;
    std::uint32_t seq = 0;
};

// The receiving half of an SA, with its anti-replay window. Movable, not
// copyable.
class EspInboundSa {
public:
    // keymat: kEspKeymatBytes (key | salt). Errors as EspAead::create.
    [[nodiscard]] static Result<EspInboundSa> create(std::uint32_t spi,
                                                     Bytes keymat);

    // Checks and decrypts one ESP packet in place. Order (RFC 4303 §3.4):
    // length, SPI, replay pre-check, ICV, window update, then trailer.
    // Errors, each counted: kTruncated (shorter than kEspMinPacketBytes),
    // kNotFound (SPI is not this SA's), kReplay (duplicate, too old, or
    // sequence 0), kAuthFailed (ICV; the ciphertext area is wiped),
    // kMalformed (pad length or padding bytes wrong after a valid ICV; the
    // sequence number stays consumed), kCrypto. After any error the
    // buffer's contents are unspecified.
    [[nodiscard]] Result<EspPayload> open(MutableBytes packet);

    std::uint32_t spi() const { return spi_; }
    const EspStats& stats() const { return stats_; }
    const ReplayWindow& replay_window() const { return window_; }

private:
    EspInboundSa(std::uint32_t spi, EspAead aead)
        : spi_(spi), aead_(std::move(aead)) {}
    Result<EspPayload> parse_trailer(MutableBytes plain, std::uint32_t seq);

    std::uint32_t spi_;
    EspAead aead_;
    ReplayWindow window_;
    EspStats stats_;
};

}  // namespace scout6::core
