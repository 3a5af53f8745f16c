// The IKEv2 key schedule and the small primitives around it: PRF, prf+,
// X25519, PSK AUTH, NAT detection hashes and the random sources. The SK
// payload cipher lives in crypto_sk_cipher.cpp.
#include "ike/crypto_suite.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <string_view>

namespace scout6::ike {

namespace {

using core::Bytes;
using core::fail;
using core::MutableBytes;
using core::Result;
using core::SecretBytes;

// RFC 7296 §2.15: the pad string, 17 ASCII bytes without a terminator.
constexpr std::string_view kKeyPad = "Key Pad for IKEv2";

// RFC 7296 §3.1: SPIs are 8 bytes on the wire; §2.23: ports 2 bytes.
constexpr std::size_t kSpiBytes = 8;
constexpr std::size_t kPortBytes = 2;
constexpr std::size_t kIp6Bytes = 16;

// libsodium must be initialised before use; sodium_init is idempotent and
// thread-safe, so every entry point that needs it just calls it.
bool sodium_ready() {
    return sodium_init() >= 0;
}

// HMAC-SHA-256 over the concatenation of `parts`, without building the
// concatenation: IKE inputs (whole messages, nonce pairs) are fed as they
// lie. The state holds key-derived material, so it is wiped.
Result<SecretBytes> hmac_sha256(Bytes key, std::initializer_list<Bytes> parts) {
    if (!sodium_ready()) return fail(core::Errc::kCrypto, "sodium_init");

    crypto_auth_hmacsha256_state state;
    SecretBytes out(crypto_auth_hmacsha256_BYTES);
    bool ok = crypto_auth_hmacsha256_init(&state, key.data(), key.size()) == 0;
    for (Bytes part : parts)
        ok = ok && crypto_auth_hmacsha256_update(&state, part.data(),
                                                 part.size()) == 0;
    ok = ok && crypto_auth_hmacsha256_final(&state, out.data()) == 0;
    sodium_memzero(&state, sizeof(state));
    if (!ok) return fail(core::Errc::kCrypto, "hmac-sha256");
    return out;
}

void put_u64(std::uint64_t v, std::uint8_t* out) {
    core::ByteWriter w(MutableBytes(out, kSpiBytes));
    w.write_u64(v);
}

}  // namespace

const char* to_string(EncrId id) {
    switch (id) {
        case EncrId::kAesGcm16:
            return "ENCR_AES_GCM_16";
    }
    return "ENCR_UNKNOWN";
}

const char* to_string(PrfId id) {
    switch (id) {
        case PrfId::kHmacSha256:
            return "PRF_HMAC_SHA2_256";
    }
    return "PRF_UNKNOWN";
}

const char* to_string(DhGroup group) {
    switch (group) {
        case DhGroup::kCurve25519:
            return "Curve25519";
    }
    return "DH_UNKNOWN";
}

void SystemRandom::fill(core::MutableBytes out) {
    // sodium_init cannot fail in a way that leaves randombytes unusable
    // short of a missing /dev/urandom, where libsodium aborts by design.
    (void)sodium_ready();
    if (!out.empty()) randombytes_buf(out.data(), out.size());
}

void SeededRandom::fill(core::MutableBytes out) {
    // A fresh 32-byte seed per call: seed | counter, the rest zero. The
    // counter makes successive fills differ; the stream is ChaCha20, so
    // the bytes look random enough for protocol tests.
    std::array<std::uint8_t, randombytes_SEEDBYTES> seed{};
    put_u64(seed_, seed.data());
    put_u64(counter_++, seed.data() + kSpiBytes);
    if (!out.empty())
        randombytes_buf_deterministic(out.data(), out.size(), seed.data());
}

Result<SecretBytes> prf(Bytes key, Bytes data) {
    return hmac_sha256(key, {data});
}

Result<SecretBytes> prf_plus(Bytes key, Bytes seed, std::size_t length) {
    // RFC 7296 §2.13: the counter is one octet, so at most 255 blocks.
    if (length > kPrfPlusMaxBytes)
        return fail(core::Errc::kUnsupported, "prf+ over 255 blocks");

    SecretBytes out(length);
    SecretBytes block;  // T(n-1); empty before T1
    std::size_t done = 0;
    for (std::uint8_t n = 1; done < length; ++n) {
        const std::uint8_t counter[1] = {n};
        auto t = hmac_sha256(key, {block.view(), seed, Bytes(counter, 1)});
        if (!t) return tl::unexpected(t.error());
        block = std::move(*t);

        std::size_t take = std::min(block.size(), length - done);
        std::memcpy(out.data() + done, block.data(), take);
        done += take;
    }
    return out;
}

Result<X25519KeyPair> X25519KeyPair::generate(Random& random) {
    SecretBytes secret(kX25519Bytes);
    random.fill(secret.mutable_view());
    return from_private(secret.view());
}

Result<X25519KeyPair> X25519KeyPair::from_private_for_test(Bytes private_key) {
    return from_private(private_key);
}

Result<X25519KeyPair> X25519KeyPair::from_private(Bytes private_key) {
    if (private_key.size() != crypto_scalarmult_curve25519_SCALARBYTES)
        return fail(core::Errc::kMalformed, "x25519 private key length");
    if (!sodium_ready()) return fail(core::Errc::kCrypto, "sodium_init");

    X25519KeyPair pair;
    pair.private_.assign(private_key);
    if (crypto_scalarmult_curve25519_base(pair.public_.data(),
                                          pair.private_.data()) != 0)
        return fail(core::Errc::kCrypto, "x25519 public key");
    return pair;
}

Result<SecretBytes> X25519KeyPair::shared_secret(Bytes peer_public) const {
    if (peer_public.size() != kX25519Bytes)
        return fail(core::Errc::kMalformed, "x25519 public value length");
    if (private_.size() != kX25519Bytes)
        return fail(core::Errc::kInternal, "x25519 key pair moved from");

    // RFC 8031 §2.3 asks for the all-zero check on the result. libsodium
    // refuses low-order inputs itself (returns -1); the explicit check
    // below keeps the RFC rule even if that ever changes.
    SecretBytes shared(kX25519Bytes);
    if (crypto_scalarmult_curve25519(shared.data(), private_.data(),
                                     peer_public.data()) != 0)
        return fail(core::Errc::kCrypto, "x25519 low-order peer value");
    if (sodium_is_zero(shared.data(), shared.size()))
        return fail(core::Errc::kCrypto, "x25519 all-zero shared secret");
    return shared;
}

Result<IkeKeys> derive_ike_keys(Bytes ni, Bytes nr, Bytes shared_secret,
                                std::uint64_t spi_i, std::uint64_t spi_r) {
    // RFC 7296 §2.14: SKEYSEED = prf(Ni | Nr, g^ir). HMAC takes the
    // concatenated nonces as its key whatever their length.
    SecretBytes nonces(ni.size() + nr.size());
    if (!ni.empty()) std::memcpy(nonces.data(), ni.data(), ni.size());
    if (!nr.empty())
        std::memcpy(nonces.data() + ni.size(), nr.data(), nr.size());
    auto skeyseed = prf(nonces.view(), shared_secret);
    if (!skeyseed) return tl::unexpected(skeyseed.error());

    std::uint8_t spis[2 * kSpiBytes];
    put_u64(spi_i, spis);
    put_u64(spi_r, spis + kSpiBytes);

    // prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), built as one seed.
    SecretBytes seed(nonces.size() + sizeof(spis));
    std::memcpy(seed.data(), nonces.data(), nonces.size());
    std::memcpy(seed.data() + nonces.size(), spis, sizeof(spis));
    auto keymat = prf_plus(skeyseed->view(), seed.view(), kIkeKeymatBytes);
    if (!keymat) return tl::unexpected(keymat.error());

    // Order SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr; the
    // SK_a* keys are zero-length for an AEAD (RFC 5282 §7).
    Bytes all = keymat->view();
    IkeKeys keys;
    std::size_t at = 0;
    auto take = [&](SecretBytes& key, std::size_t n) {
        key.assign(all.subspan(at, n));
        at += n;
    };
    take(keys.sk_d, kPrfKeyBytes);
    take(keys.sk_ei, kGcmKeymatBytes);
    take(keys.sk_er, kGcmKeymatBytes);
    take(keys.sk_pi, kPrfKeyBytes);
    take(keys.sk_pr, kPrfKeyBytes);
    return keys;
}

Result<SecretBytes> derive_child_keymat(Bytes sk_d, Bytes ni, Bytes nr,
                                        std::size_t length) {
    // RFC 7296 §2.17: KEYMAT = prf+(SK_d, Ni | Nr) without PFS.
    SecretBytes seed(ni.size() + nr.size());
    if (!ni.empty()) std::memcpy(seed.data(), ni.data(), ni.size());
    if (!nr.empty()) std::memcpy(seed.data() + ni.size(), nr.data(), nr.size());
    return prf_plus(sk_d, seed.view(), length);
}

Result<SecretBytes> psk_auth(Bytes psk, Bytes real_message, Bytes peer_nonce,
                             Bytes sk_p, Bytes id_payload_body) {
    // RFC 7296 §2.15: MACedIDForI/R = prf(SK_pi/pr, RestOfIDPayload).
    auto maced_id = prf(sk_p, id_payload_body);
    if (!maced_id) return tl::unexpected(maced_id.error());

    auto pad = reinterpret_cast<const std::uint8_t*>(kKeyPad.data());
    auto key = prf(psk, Bytes(pad, kKeyPad.size()));
    if (!key) return tl::unexpected(key.error());

    // AUTH = prf(prf(psk, pad), RealMessage | Nonce | MACedID): the
    // signed octets are streamed into the HMAC, never copied.
    return hmac_sha256(key->view(),
                       {real_message, peer_nonce, maced_id->view()});
}

bool constant_time_equal(Bytes a, Bytes b) {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::array<std::uint8_t, kNatDetectionBytes>> nat_detection_hash(
    std::uint64_t spi_i, std::uint64_t spi_r, const core::Ip6Addr& addr,
    std::uint16_t port) {
    // RFC 7296 §2.23: SHA-1(SPIi | SPIr | IP | Port), network order.
    std::array<std::uint8_t, 2 * kSpiBytes + kIp6Bytes + kPortBytes> input{};
    core::ByteWriter w(input);
    w.write_u64(spi_i);
    w.write_u64(spi_r);
    w.write_bytes(addr.bytes);
    w.write_u16(port);
    if (!w.ok() || w.size() != input.size())
        return fail(core::Errc::kInternal, "nat detection input size");

    std::array<std::uint8_t, kNatDetectionBytes> out{};
    unsigned int len = 0;
    if (EVP_Digest(input.data(), input.size(), out.data(), &len, EVP_sha1(),
                   nullptr) != 1 ||
        len != out.size())
        return fail(core::Errc::kCrypto, "sha1");
    return out;
}

}  // namespace scout6::ike
