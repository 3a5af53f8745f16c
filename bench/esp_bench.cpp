// ESP seal/open cost against raw AES-256-GCM on the same buffer sizes.
//
// The Raw* baselines do only the AEAD work ESP cannot avoid: set the IV,
// feed 8 bytes of AAD, en/decrypt payload plus trailer in place, get or
// check the tag. The difference to the Esp* numbers is the price of the
// framing, padding, counters and replay window. Open benchmarks copy a
// pristine packet into the work buffer each time (decryption is in place);
// the baseline does the same copy so the two stay comparable.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/esp_sa.hpp"

using namespace scout6::core;

namespace {

constexpr std::uint32_t kSpi = 0x5c0a7001;
// Packets sealed ahead for the open benchmarks; refilled (untimed) when
// used up, since the replay window accepts each sequence number once.
constexpr std::size_t kRing = 1024;

std::vector<std::uint8_t> keymat() {
    std::vector<std::uint8_t> k(kEspKeymatBytes);
    for (std::size_t i = 0; i < k.size(); ++i)
        k[i] = static_cast<std::uint8_t>(i * 29 + 3);
    return k;
}

std::size_t text_bytes(std::size_t payload) {
    return esp_sealed_size(payload) - kEspPayloadOffset - kEspIcvBytes;
}

void BM_EspSeal(benchmark::State& state) {
    auto size = static_cast<std::size_t>(state.range(0));
    auto sa = EspOutboundSa::create(kSpi, keymat());
    if (!sa) return state.SkipWithError("create failed");
    std::vector<std::uint8_t> payload(size, 0x45);
    std::vector<std::uint8_t> out(esp_sealed_size(size));
    for (auto _ : state) {
        auto n = sa->seal(kNextHeaderIpv6, payload, out);
        if (!n) return state.SkipWithError("seal failed");
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(size));
}

void BM_EspOpen(benchmark::State& state) {
    auto size = static_cast<std::size_t>(state.range(0));
    auto out_sa = EspOutboundSa::create(kSpi, keymat());
    auto in_sa = EspInboundSa::create(kSpi, keymat());
    if (!out_sa || !in_sa) return state.SkipWithError("create failed");
    std::vector<std::uint8_t> payload(size, 0x45);
    std::size_t packet_bytes = esp_sealed_size(size);
    std::vector<std::vector<std::uint8_t>> ring(
        kRing, std::vector<std::uint8_t>(packet_bytes));
    auto refill = [&] {
        for (auto& p : ring)
            if (!out_sa->seal(kNextHeaderIpv6, payload, p)) return false;
        return true;
    };
    if (!refill()) return state.SkipWithError("seal failed");
    std::vector<std::uint8_t> work(packet_bytes);
    std::size_t next = 0;
    for (auto _ : state) {
        if (next == kRing) {
            state.PauseTiming();
            bool ok = refill();
            next = 0;
            state.ResumeTiming();
            if (!ok) return state.SkipWithError("seal failed");
        }
        std::memcpy(work.data(), ring[next++].data(), packet_bytes);
        auto opened = in_sa->open(work);
        if (!opened) return state.SkipWithError("open failed");
        benchmark::DoNotOptimize(opened->payload.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(size));
}

struct RawGcm {
    EVP_CIPHER_CTX* ctx = nullptr;
    std::array<std::uint8_t, 12> nonce{};
    explicit RawGcm(bool encrypt) {
        auto k = keymat();
        ctx = EVP_CIPHER_CTX_new();
        EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), nullptr, k.data(), nullptr,
                          encrypt ? 1 : 0);
        std::memcpy(nonce.data(), k.data() + kEspKeyBytes, kEspSaltBytes);
    }
    ~RawGcm() { EVP_CIPHER_CTX_free(ctx); }
    void set_iv(std::uint64_t iv) {
        for (int i = 0; i < 8; ++i)
            nonce[4 + i] = static_cast<std::uint8_t>(iv >> (56 - 8 * i));
        EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), -1);
    }
};

void BM_RawGcmSeal(benchmark::State& state) {
    auto size = static_cast<std::size_t>(state.range(0));
    RawGcm gcm(true);
    std::vector<std::uint8_t> buf(esp_sealed_size(size), 0x45);
    std::size_t n = text_bytes(size);
    std::uint64_t iv = 0;
    int len = 0;
    for (auto _ : state) {
        gcm.set_iv(++iv);
        if (EVP_EncryptUpdate(gcm.ctx, nullptr, &len, buf.data(),
                              kEspHeaderBytes) != 1 ||
            EVP_EncryptUpdate(gcm.ctx, buf.data() + kEspPayloadOffset, &len,
                              buf.data() + kEspPayloadOffset,
                              static_cast<int>(n)) != 1 ||
            EVP_EncryptFinal_ex(gcm.ctx, buf.data(), &len) != 1 ||
            EVP_CIPHER_CTX_ctrl(gcm.ctx, EVP_CTRL_AEAD_GET_TAG, kEspIcvBytes,
                                buf.data() + kEspPayloadOffset + n) != 1)
            return state.SkipWithError("raw seal failed");
        benchmark::DoNotOptimize(buf.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(size));
}

void BM_RawGcmOpen(benchmark::State& state) {
    auto size = static_cast<std::size_t>(state.range(0));
    std::size_t n = text_bytes(size);
    std::vector<std::uint8_t> pristine(esp_sealed_size(size), 0x45);
    std::array<std::uint8_t, kEspIcvBytes> tag{};
    int len = 0;
    {
        RawGcm enc(true);
        enc.set_iv(1);
        EVP_EncryptUpdate(enc.ctx, nullptr, &len, pristine.data(),
                          kEspHeaderBytes);
        EVP_EncryptUpdate(enc.ctx, pristine.data() + kEspPayloadOffset, &len,
                          pristine.data() + kEspPayloadOffset,
                          static_cast<int>(n));
        EVP_EncryptFinal_ex(enc.ctx, pristine.data(), &len);
        EVP_CIPHER_CTX_ctrl(enc.ctx, EVP_CTRL_AEAD_GET_TAG, kEspIcvBytes,
                            tag.data());
    }
    RawGcm gcm(false);
    std::vector<std::uint8_t> work(pristine.size());
    for (auto _ : state) {
        std::memcpy(work.data(), pristine.data(), work.size());
        gcm.set_iv(1);
        if (EVP_DecryptUpdate(gcm.ctx, nullptr, &len, work.data(),
                              kEspHeaderBytes) != 1 ||
            EVP_DecryptUpdate(gcm.ctx, work.data() + kEspPayloadOffset, &len,
                              work.data() + kEspPayloadOffset,
                              static_cast<int>(n)) != 1 ||
            EVP_CIPHER_CTX_ctrl(gcm.ctx, EVP_CTRL_AEAD_SET_TAG, kEspIcvBytes,
                                tag.data()) != 1 ||
            EVP_DecryptFinal_ex(gcm.ctx, work.data(), &len) != 1)
            return state.SkipWithError("raw open failed");
        benchmark::DoNotOptimize(work.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(size));
}

}  // namespace

BENCHMARK(BM_EspSeal)->Arg(64)->Arg(1024)->Arg(1400);
BENCHMARK(BM_RawGcmSeal)->Arg(64)->Arg(1024)->Arg(1400);
BENCHMARK(BM_EspOpen)->Arg(64)->Arg(1024)->Arg(1400);
BENCHMARK(BM_RawGcmOpen)->Arg(64)->Arg(1024)->Arg(1400);

BENCHMARK_MAIN();
