// ESP data path with AES-256-GCM (RFC 4303, RFC 4106).
//
// Outbound, per packet:
//   1. refuse if the 32-bit sequence number space is used up (§3.3.3)
//   2. move the payload into place, append padding 1,2,3.. and the trailer
//   3. write SPI, Seq, IV; encrypt in place with AAD = SPI | Seq
//   4. append the ICV
// Inbound, per packet (§3.4):
//   1. length: header, IV, trailer and ICV must fit
//   2. SPI: the caller picked this SA by SPI; a mismatch is its mistake
//   3. replay pre-check: drop duplicates before spending AES on them
//   4. decrypt in place and verify the ICV
//   5. only now mark the sequence number seen (§3.4.3)
//   6. trailer: pad length fits, padding bytes are 1,2,3.. (§2.4)
#include "core/esp_sa.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <climits>
#include <cstring>
#include <utility>

#include "core/log.hpp"

namespace scout6::core {
namespace {

// RFC 4106 §3.1: the IV only has to be unique per key. The sequence
// number is, so the IV is the sequence number widened to 64 bits.
std::uint64_t iv_for_sequence(std::uint32_t seq) {
    return seq;
}

// OpenSSL leaves a reason in its per-thread queue on failure; drop it so
// that one bad call does not colour the next caller's diagnostics.
tl::unexpected<Error> crypto_failure(const char* detail) {
    ERR_clear_error();
    return fail(Errc::kCrypto, detail);
}

bool fits_int(std::size_t n) {
    return n <= static_cast<std::size_t>(INT_MAX);
}

}  // namespace

// ---------------------------------------------------------------- EspAead

void EspAead::CtxFree::operator()(EVP_CIPHER_CTX* ctx) const {
    EVP_CIPHER_CTX_free(ctx);  // also cleanses the key schedule
}

EspAead::EspAead(Direction direction, EVP_CIPHER_CTX* ctx, Bytes salt)
    : direction_(direction), ctx_(ctx) {
    std::memcpy(nonce_.data(), salt.data(), kEspSaltBytes);
}

EspAead::EspAead(EspAead&&) noexcept = default;
EspAead& EspAead::operator=(EspAead&&) noexcept = default;

EspAead::~EspAead() {
    OPENSSL_cleanse(nonce_.data(), nonce_.size());
}

Result<EspAead> EspAead::create(Direction direction, Bytes keymat) {
    if (keymat.size() != kEspKeymatBytes)
        return fail(Errc::kMalformed, "esp: keymat must be 36 bytes");

    EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    if (cipher == nullptr)
        return crypto_failure("esp: AES-256-GCM not available");
    std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
    int enc = direction == Direction::kSeal ? 1 : 0;
    // The key goes in once; per packet only the IV is set (begin()). The
    // default GCM IV length is the 12 bytes RFC 4106 §4 needs.
    bool ok = ctx != nullptr &&
              EVP_CipherInit_ex2(ctx.get(), cipher, keymat.data(), nullptr, enc,
                                 nullptr) == 1 &&
              EVP_CIPHER_CTX_get_iv_length(ctx.get()) ==
                  static_cast<int>(kNonceBytes);
    EVP_CIPHER_free(cipher);
    if (!ok) return crypto_failure("esp: cannot key AES-256-GCM");

    return EspAead(direction, ctx.release(),
                   keymat.subspan(kEspKeyBytes, kEspSaltBytes));
}

Status EspAead::begin(std::uint64_t iv, Bytes aad) {
    for (std::size_t i = 0; i < kEspIvBytes; ++i)
        nonce_[kEspSaltBytes + i] =
            static_cast<std::uint8_t>(iv >> (8 * (kEspIvBytes - 1 - i)));

    int len = 0;
    if (EVP_CipherInit_ex(ctx_.get(), nullptr, nullptr, nullptr, nonce_.data(),
                          -1) != 1 ||
        EVP_CipherUpdate(ctx_.get(), nullptr, &len, aad.data(),
                         static_cast<int>(aad.size())) != 1)
        return crypto_failure("esp: cannot start AES-GCM operation");
    return {};
}

Status EspAead::seal(std::uint64_t iv, Bytes aad, MutableBytes text,
                     MutableBytes tag) {
    if (!ctx_ || direction_ != Direction::kSeal || tag.size() != kEspIcvBytes ||
        !fits_int(text.size()) || !fits_int(aad.size())) {
        SCOUT6_BUG("esp-001", "esp: seal on a bad aead or bad sizes");
        return fail(Errc::kInternal, "esp: seal misuse");
    }
    if (auto started = begin(iv, aad); !started) return started;

    int len = 0;
    std::array<std::uint8_t, kEspIcvBytes> no_output{};  // GCM writes none
    if (EVP_EncryptUpdate(ctx_.get(), text.data(), &len, text.data(),
                          static_cast<int>(text.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx_.get(), no_output.data(), &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_GET_TAG,
                            static_cast<int>(kEspIcvBytes), tag.data()) != 1)
        return crypto_failure("esp: AES-GCM encryption failed");
    return {};
}

Status EspAead::open(std::uint64_t iv, Bytes aad, MutableBytes text,
                     Bytes tag) {
    if (!ctx_ || direction_ != Direction::kOpen || tag.size() != kEspIcvBytes ||
        !fits_int(text.size()) || !fits_int(aad.size())) {
        SCOUT6_BUG("esp-002", "esp: open on a bad aead or bad sizes");
        return fail(Errc::kInternal, "esp: open misuse");
    }
    if (auto started = begin(iv, aad); !started) return started;

    // OpenSSL wants a writable tag buffer; the packet's may be read-only.
    std::array<std::uint8_t, kEspIcvBytes> expected{};
    std::memcpy(expected.data(), tag.data(), kEspIcvBytes);
    int len = 0;
    if (EVP_DecryptUpdate(ctx_.get(), text.data(), &len, text.data(),
                          static_cast<int>(text.size())) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_SET_TAG,
                            static_cast<int>(kEspIcvBytes),
                            expected.data()) != 1)
        return crypto_failure("esp: AES-GCM decryption failed");

    // The final call compares tags in constant time (CRYPTO_memcmp inside
    // the provider). Until it succeeds the text is unauthenticated: wipe it.
    std::array<std::uint8_t, kEspIcvBytes> no_output{};  // GCM writes none
    if (EVP_DecryptFinal_ex(ctx_.get(), no_output.data(), &len) != 1) {
        ERR_clear_error();
        OPENSSL_cleanse(text.data(), text.size());
        return fail(Errc::kAuthFailed, "esp: ICV does not verify");
    }
    return {};
}

// ---------------------------------------------------------- EspOutboundSa

Result<EspOutboundSa> EspOutboundSa::create(std::uint32_t spi, Bytes keymat) {
    auto aead = EspAead::create(EspAead::Direction::kSeal, keymat);
    if (!aead) return tl::unexpected(aead.error());
    return EspOutboundSa(spi, std::move(*aead));
}

Result<std::size_t> EspOutboundSa::seal(std::uint8_t next_header, Bytes payload,
                                        MutableBytes out) {
    return seal_impl(next_header, payload, nullptr, out);
}

Result<std::size_t> EspOutboundSa::seal_with_iv_for_test(
    std::uint8_t next_header, Bytes payload, std::uint64_t iv,
    MutableBytes out) {
    return seal_impl(next_header, payload, &iv, out);
}

Result<std::size_t> EspOutboundSa::seal_impl(std::uint8_t next_header,
                                             Bytes payload,
                                             const std::uint64_t* fixed_iv,
                                             MutableBytes out) {
    // RFC 4303 §3.3.3: without ESN the counter must not cycle; the SA is
    // done once 2^32 - 1 went out, and IKE must have replaced it by then.
    if (seq_ == UINT32_MAX) {
        ++stats_.seq_exhausted;
        return fail(Errc::kBadState, "esp: sequence exhausted; rekey the SA");
    }
    if (payload.size() > kEspMaxPayloadBytes)
        return fail(Errc::kUnsupported, "esp: payload too large");
    std::size_t total = esp_sealed_size(payload.size());
    if (out.size() < total)
        return fail(Errc::kNoSpace, "esp: output buffer too small");

    // Take the number before encrypting: even a failed attempt may have
    // left keystream in out, so its nonce must never be used again.
    std::uint32_t seq = ++seq_;
    std::uint64_t iv = fixed_iv ? *fixed_iv : iv_for_sequence(seq);

    // The payload first: it may overlap the header area of out.
    std::size_t text_bytes = total - kEspPayloadOffset - kEspIcvBytes;
    if (!payload.empty())
        std::memmove(&out[kEspPayloadOffset], payload.data(), payload.size());
    std::size_t pad = text_bytes - payload.size() - kEspTrailerBytes;
    std::size_t trailer_at = kEspPayloadOffset + payload.size();
    for (std::size_t i = 0; i < pad; ++i)  // RFC 4303 §2.4: 1, 2, 3, ...
        out[trailer_at + i] = static_cast<std::uint8_t>(i + 1);
    out[trailer_at + pad] = static_cast<std::uint8_t>(pad);
    out[trailer_at + pad + 1] = next_header;

    ByteWriter header(out.first(kEspPayloadOffset));
    header.write_u32(spi_);
    header.write_u32(seq);
    header.write_u64(iv);
    if (!header.ok()) {
        SCOUT6_BUG("esp-003", "esp: header does not fit its own size");
        return fail(Errc::kInternal, "esp: header write");
    }

    auto sealed = aead_.seal(iv, out.first(kEspHeaderBytes),
                             out.subspan(kEspPayloadOffset, text_bytes),
                             out.subspan(total - kEspIcvBytes, kEspIcvBytes));
    if (!sealed) {
        ++stats_.crypto_errors;
        return tl::unexpected(sealed.error());
    }
    ++stats_.packets;
    stats_.bytes += payload.size();
    return total;
}

// ----------------------------------------------------------- EspInboundSa

Result<EspInboundSa> EspInboundSa::create(std::uint32_t spi, Bytes keymat) {
    auto aead = EspAead::create(EspAead::Direction::kOpen, keymat);
    if (!aead) return tl::unexpected(aead.error());
    return EspInboundSa(spi, std::move(*aead));
}

Result<EspPayload> EspInboundSa::open(MutableBytes packet) {
    // GCM needs no block alignment, so the floor is the fixed fields plus
    // the two trailer bytes; a sender that aligns (§2.4) is above it.
    if (packet.size() < kEspMinPacketBytes) {
        ++stats_.truncated;
        return fail(Errc::kTruncated, "esp: packet shorter than ESP minimum");
    }

    ByteReader reader(packet);
    std::uint32_t spi = 0;
    std::uint32_t seq = 0;
    std::uint64_t iv = 0;
    reader.read_u32(spi);
    reader.read_u32(seq);
    reader.read_u64(iv);

    if (spi != spi_) {
        ++stats_.spi_mismatches;
        return fail(Errc::kNotFound, "esp: SPI does not belong to this SA");
    }
    if (!window_.check(seq)) {
        ++stats_.replays;
        SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 10,
                               "esp: spi={:08x}: replay dropped seq={} top={}",
                               spi_, seq, window_.top());
        return fail(Errc::kReplay, "esp: sequence number replayed or stale");
    }

    std::size_t text_bytes =
        packet.size() - kEspMinPacketBytes + kEspTrailerBytes;
    MutableBytes text = packet.subspan(kEspPayloadOffset, text_bytes);
    auto opened = aead_.open(iv, packet.first(kEspHeaderBytes), text,
                             packet.last(kEspIcvBytes));
    if (!opened) {
        if (opened.error().code == Errc::kAuthFailed) {
            ++stats_.auth_failures;
            SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 10,
                                   "esp: spi={:08x}: ICV failed seq={}", spi_,
                                   seq);
        } else {
            ++stats_.crypto_errors;
        }
        return tl::unexpected(opened.error());
    }

    // RFC 4303 §3.4.3: authentic, so the number is now used up, whatever
    // the trailer turns out to hold.
    window_.update(seq);
    return parse_trailer(text, seq);
}

Result<EspPayload> EspInboundSa::parse_trailer(MutableBytes plain,
                                               std::uint32_t seq) {
    std::uint8_t next_header = plain[plain.size() - 1];
    std::size_t pad = plain[plain.size() - 2];
    if (pad + kEspTrailerBytes > plain.size()) {
        ++stats_.malformed;
        return fail(Errc::kMalformed, "esp: pad length exceeds payload");
    }
    std::size_t payload_bytes = plain.size() - kEspTrailerBytes - pad;
    // RFC 4303 §2.4: the default padding is 1, 2, 3, ...; anything else
    // from an authenticated peer means its ESP is broken, not that the
    // packet was forged.
    for (std::size_t i = 0; i < pad; ++i) {
        if (plain[payload_bytes + i] != static_cast<std::uint8_t>(i + 1)) {
            ++stats_.malformed;
            SCOUT6_LOG_EVERY_N_SEC(spdlog::level::debug, 10,
                                   "esp: spi={:08x}: bad padding seq={}", spi_,
                                   seq);
            return fail(Errc::kMalformed, "esp: padding bytes not 1,2,3..");
        }
    }

    ++stats_.packets;
    stats_.bytes += payload_bytes;
    return EspPayload{next_header, plain.first(payload_bytes), seq};
}

}  // namespace scout6::core
