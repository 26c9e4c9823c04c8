// pg_jwt HS256 benchmark: the raw cost of three ways to compute HMAC-SHA256
// with OpenSSL 3, timed in one process, round after round, over messages of
// the benchmark's signing-input size. Built and run by test/bench/run; shows
// what the HMAC inside an HS256 verify costs by itself, and what the
// alternatives would.
//
//   hmac_paths [ROUNDS [MESSAGES]]
//
//   evp_mac_reinit   one EVP_MAC_CTX keyed once, EVP_MAC_init with a NULL key
//                    per message (DESIGN.md section 4; what pg_jwt does)
//   digest_copies    the digest states after the key's inner and outer blocks,
//                    copied per message with EVP_MD_CTX_copy_ex (HMAC built
//                    by hand on EVP digests: faster, not used)
//   one_shot         EVP_Q_mac per message (the key hashed every time)
//
// Prints "path<TAB>ns per message" (the minimum over the rounds); exit 1 if
// the three disagree on any tag.
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kTag = 32;
const std::string kSecret = "pg_jwt-bench-secret-0123456789ab";

// Messages shaped like the benchmark's signing inputs (about 110 bytes).
std::vector<std::string> messages(size_t count) {
    std::vector<std::string> out;
    for (size_t i = 0; i < count; i++) {
        char buf[160];
        std::snprintf(buf, sizeof buf,
                      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTAwMDAwMDEiLCJyb2xl"
                      "IjoibWVtYmVyIiwiZXhwIjo0MTAyNDQ0ODAwfQ%07zu",
                      i);
        out.emplace_back(buf);
    }
    return out;
}

struct EvpMac {
    EVP_MAC *mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    EvpMac() {
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                                const_cast<char *>("SHA256"), 0),
                               OSSL_PARAM_construct_end()};
        if (EVP_MAC_init(ctx, reinterpret_cast<const unsigned char *>(kSecret.data()),
                         kSecret.size(), params) != 1)
            std::exit(1);
    }
    ~EvpMac() {
        EVP_MAC_CTX_free(ctx);
        EVP_MAC_free(mac);
    }
    bool tag(const std::string &m, unsigned char *out) {
        size_t len = 0;
        return EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1 &&
               EVP_MAC_update(ctx, reinterpret_cast<const unsigned char *>(m.data()), m.size()) ==
                   1 &&
               EVP_MAC_final(ctx, out, &len, kTag) == 1 && len == kTag;
    }
};

struct DigestCopies {
    EVP_MD *md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_MD_CTX *inner = EVP_MD_CTX_new(), *outer = EVP_MD_CTX_new(), *work = EVP_MD_CTX_new();
    DigestCopies() {
        unsigned char key[64] = {0}, pad[64];
        std::memcpy(key, kSecret.data(), kSecret.size());  // shorter than a block
        for (int i = 0; i < 64; i++) pad[i] = key[i] ^ 0x36;
        EVP_DigestInit_ex2(inner, md, nullptr);
        EVP_DigestUpdate(inner, pad, 64);
        for (int i = 0; i < 64; i++) pad[i] = key[i] ^ 0x5c;
        EVP_DigestInit_ex2(outer, md, nullptr);
        EVP_DigestUpdate(outer, pad, 64);
    }
    ~DigestCopies() {
        EVP_MD_CTX_free(inner);
        EVP_MD_CTX_free(outer);
        EVP_MD_CTX_free(work);
        EVP_MD_free(md);
    }
    bool tag(const std::string &m, unsigned char *out) {
        unsigned char h[kTag];
        unsigned int a = 0, b = 0;
        return EVP_MD_CTX_copy_ex(work, inner) == 1 &&
               EVP_DigestUpdate(work, m.data(), m.size()) == 1 &&
               EVP_DigestFinal_ex(work, h, &a) == 1 && EVP_MD_CTX_copy_ex(work, outer) == 1 &&
               EVP_DigestUpdate(work, h, a) == 1 && EVP_DigestFinal_ex(work, out, &b) == 1 &&
               b == kTag;
    }
};

bool one_shot(const std::string &m, unsigned char *out) {
    size_t len = 0;
    return EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, kSecret.data(), kSecret.size(),
                     reinterpret_cast<const unsigned char *>(m.data()), m.size(), out, kTag,
                     &len) != nullptr &&
           len == kTag;
}

template <typename F>
double time_round(const std::vector<std::string> &ms, std::vector<unsigned char> &tags, F f) {
    auto start = Clock::now();
    for (size_t i = 0; i < ms.size(); i++)
        if (!f(ms[i], &tags[i * kTag])) std::exit(1);
    return std::chrono::duration<double, std::nano>(Clock::now() - start).count() /
           static_cast<double>(ms.size());
}

}  // namespace

int main(int argc, char **argv) {
    int rounds = argc > 1 ? std::atoi(argv[1]) : 7;
    size_t count = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 100000;
    if (rounds < 1 || count < 1) return 2;
    auto ms = messages(count);
    std::vector<unsigned char> a(count * kTag), b(count * kTag), c(count * kTag);
    EvpMac mac;
    DigestCopies copies;
    double best[3] = {1e30, 1e30, 1e30};
    for (int r = 0; r <= rounds; r++) {  // round 0 warms up
        double t[3] = {time_round(ms, a, [&](auto &m, auto *o) { return mac.tag(m, o); }),
                       time_round(ms, b, [&](auto &m, auto *o) { return copies.tag(m, o); }),
                       time_round(ms, c, one_shot)};
        if (a != b || a != c) {
            std::fprintf(stderr, "hmac_paths: the paths disagree on a tag\n");
            return 1;
        }
        if (r > 0)
            for (int i = 0; i < 3; i++) best[i] = std::min(best[i], t[i]);
    }
    std::printf("evp_mac_reinit\t%.1f\ndigest_copies\t%.1f\none_shot\t%.1f\n", best[0], best[1],
                best[2]);
    return 0;
}
