// The Encrypted payload body with ENCR_AES_GCM_16 (RFC 5282).
//
// seal: write IV -> set nonce (salt | IV) -> feed AAD -> encrypt inner
//       payloads, then the pad-length byte -> append the ICV.
// open: check sizes -> set nonce -> feed AAD -> decrypt -> verify ICV
//       (wipe the plaintext on failure) -> check and strip the padding.
#include <openssl/evp.h>
#include <sodium.h>

#include <climits>

#include "ike/crypto_suite.hpp"

namespace scout6::ike {

namespace {

using core::Bytes;
using core::fail;
using core::MutableBytes;
using core::Result;

// RFC 5282 §4: the 12-byte GCM nonce is the salt then the explicit IV.
constexpr std::size_t kGcmNonceBytes = kGcmSaltBytes + kGcmIvBytes;

// OpenSSL's update calls take int lengths.
bool fits_int(std::size_t n) {
    return n <= static_cast<std::size_t>(INT_MAX);
}

}  // namespace

void SkCipher::CtxFree::operator()(EVP_CIPHER_CTX* ctx) const {
    EVP_CIPHER_CTX_free(ctx);  // also cleanses the key schedule
}

SkCipher::SkCipher(Ctx seal_ctx, Ctx open_ctx, Bytes salt)
    : seal_ctx_(std::move(seal_ctx)), open_ctx_(std::move(open_ctx)) {
    std::memcpy(salt_.data(), salt.data(), salt_.size());
}

SkCipher::SkCipher(SkCipher&&) noexcept = default;
SkCipher& SkCipher::operator=(SkCipher&&) noexcept = default;
SkCipher::~SkCipher() {
    sodium_memzero(salt_.data(), salt_.size());
}

Result<SkCipher> SkCipher::create(Bytes key_and_salt36) {
    if (key_and_salt36.size() != kGcmKeymatBytes)
        return fail(core::Errc::kMalformed, "sk_e length");

    EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    if (cipher == nullptr) return fail(core::Errc::kCrypto, "aes-256-gcm");

    // One context per direction, each keyed once: per message only the
    // nonce is set, so the AES key schedule is not rebuilt.
    auto make = [&](int enc) -> Ctx {
        Ctx ctx(EVP_CIPHER_CTX_new());
        const OSSL_PARAM no_params[] = {OSSL_PARAM_END};
        if (!ctx ||
            EVP_CipherInit_ex2(ctx.get(), cipher, key_and_salt36.data(),
                               nullptr, enc, no_params) != 1 ||
            EVP_CIPHER_CTX_get_iv_length(ctx.get()) !=
                static_cast<int>(kGcmNonceBytes))
            return nullptr;
        return ctx;
    };
    Ctx seal_ctx = make(1);
    Ctx open_ctx = make(0);
    EVP_CIPHER_free(cipher);
    if (!seal_ctx || !open_ctx)
        return fail(core::Errc::kCrypto, "aes-256-gcm init");

    return SkCipher(std::move(seal_ctx), std::move(open_ctx),
                    key_and_salt36.subspan(kGcmKeyBytes, kGcmSaltBytes));
}

Result<std::size_t> SkCipher::seal(Bytes aad, Bytes inner_payloads,
                                   std::uint64_t iv_counter, MutableBytes out) {
    // RFC 5282 §3: GCM needs no block alignment, so no padding; the
    // pad-length byte is still there and says 0.
    static constexpr std::uint8_t kNoPadding[kPadLengthBytes] = {0};
    return seal_parts(aad, inner_payloads, Bytes(kNoPadding), iv_counter, out);
}

Result<std::size_t> SkCipher::seal_padded_for_test(Bytes aad,
                                                   Bytes padded_plaintext,
                                                   std::uint64_t iv_counter,
                                                   MutableBytes out) {
    return seal_parts(aad, padded_plaintext, Bytes(), iv_counter, out);
}

Result<std::size_t> SkCipher::seal_parts(Bytes aad, Bytes body,
                                         Bytes pad_and_length,
                                         std::uint64_t iv_counter,
                                         MutableBytes out) {
    if (!seal_ctx_) return fail(core::Errc::kInternal, "sk cipher moved from");
    std::size_t text_len = body.size() + pad_and_length.size();
    std::size_t total = kGcmIvBytes + text_len + kGcmIcvBytes;
    if (total < text_len || out.size() < total)
        return fail(core::Errc::kNoSpace, "sk body does not fit");
    if (!fits_int(aad.size()) || !fits_int(text_len))
        return fail(core::Errc::kNoSpace, "sk body too large");

    core::ByteWriter iv_writer(out.first(kGcmIvBytes));
    iv_writer.write_u64(iv_counter);
    std::array<std::uint8_t, kGcmNonceBytes> nonce{};
    std::memcpy(nonce.data(), salt_.data(), kGcmSaltBytes);
    std::memcpy(nonce.data() + kGcmSaltBytes, out.data(), kGcmIvBytes);

    EVP_CIPHER_CTX* ctx = seal_ctx_.get();
    std::uint8_t* ct = out.data() + kGcmIvBytes;
    int len = 0;
    bool ok =
        EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()) == 1;
    ok = ok &&
         (aad.empty() || EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(),
                                           static_cast<int>(aad.size())) == 1);
    ok = ok && (body.empty() ||
                EVP_EncryptUpdate(ctx, ct, &len, body.data(),
                                  static_cast<int>(body.size())) == 1);
    ok = ok &&
         (pad_and_length.empty() ||
          EVP_EncryptUpdate(ctx, ct + body.size(), &len, pad_and_length.data(),
                            static_cast<int>(pad_and_length.size())) == 1);
    ok = ok && EVP_EncryptFinal_ex(ctx, ct + text_len, &len) == 1 && len == 0;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
                                   static_cast<int>(kGcmIcvBytes),
                                   ct + text_len) == 1;
    if (!ok) {
        // Never hand back half-encrypted output.
        sodium_memzero(out.data(), total);
        return fail(core::Errc::kCrypto, "aes-gcm seal");
    }
    return total;
}

Result<std::size_t> SkCipher::open(Bytes aad, Bytes iv_ct_icv,
                                   MutableBytes plaintext_out) {
    if (!open_ctx_) return fail(core::Errc::kInternal, "sk cipher moved from");
    // RFC 5282 §3: even an empty SK payload carries its pad-length byte.
    if (iv_ct_icv.size() < kGcmIvBytes + kPadLengthBytes + kGcmIcvBytes)
        return fail(core::Errc::kTruncated, "sk body shorter than overhead");
    std::size_t text_len = iv_ct_icv.size() - kGcmIvBytes - kGcmIcvBytes;
    if (plaintext_out.size() < text_len)
        return fail(core::Errc::kNoSpace, "sk plaintext does not fit");
    if (!fits_int(aad.size()) || !fits_int(text_len))
        return fail(core::Errc::kNoSpace, "sk body too large");

    std::array<std::uint8_t, kGcmNonceBytes> nonce{};
    std::memcpy(nonce.data(), salt_.data(), kGcmSaltBytes);
    std::memcpy(nonce.data() + kGcmSaltBytes, iv_ct_icv.data(), kGcmIvBytes);
    Bytes ct = iv_ct_icv.subspan(kGcmIvBytes, text_len);
    // EVP wants a mutable tag pointer; copy the 16 bytes rather than cast.
    std::array<std::uint8_t, kGcmIcvBytes> icv{};
    std::memcpy(icv.data(), iv_ct_icv.data() + kGcmIvBytes + text_len,
                kGcmIcvBytes);

    EVP_CIPHER_CTX* ctx = open_ctx_.get();
    int len = 0;
    bool ok =
        EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()) == 1;
    ok = ok &&
         (aad.empty() || EVP_DecryptUpdate(ctx, nullptr, &len, aad.data(),
                                           static_cast<int>(aad.size())) == 1);
    ok = ok && EVP_DecryptUpdate(ctx, plaintext_out.data(), &len, ct.data(),
                                 static_cast<int>(ct.size())) == 1;
    ok = ok &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
                             static_cast<int>(kGcmIcvBytes), icv.data()) == 1;
    if (!ok) {
        sodium_memzero(plaintext_out.data(), text_len);
        return fail(core::Errc::kCrypto, "aes-gcm open");
    }
    // A Final failure after a successful setup is the ICV check.
    if (EVP_DecryptFinal_ex(ctx, plaintext_out.data() + text_len, &len) != 1) {
        sodium_memzero(plaintext_out.data(), text_len);
        return fail(core::Errc::kAuthFailed, "sk icv mismatch");
    }

    // RFC 7296 §3.14: the last byte counts the padding before it. The
    // peer authenticated this, but a bad value is still its fault.
    std::size_t pad_len = plaintext_out[text_len - 1];
    if (pad_len + kPadLengthBytes > text_len) {
        sodium_memzero(plaintext_out.data(), text_len);
        return fail(core::Errc::kMalformed, "sk pad length too long");
    }
    std::size_t inner_len = text_len - kPadLengthBytes - pad_len;
    sodium_memzero(plaintext_out.data() + inner_len, text_len - inner_len);
    return inner_len;
}

}  // namespace scout6::ike
