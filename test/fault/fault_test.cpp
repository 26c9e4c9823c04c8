// OpenSSL fault injection (issue 6, item 3): every failure of an OpenSSL
// allocation or of an OpenSSL call the core makes must surface as a clean
// result, never as a crash, a leak, a stale error queue or a wrong answer.
//
// Two kinds of faults, injected one at a time at the Nth opportunity, for
// N = 1, 2, 3, ... until an operation completes without reaching N:
//   - allocation: OpenSSL's allocator is replaced (CRYPTO_set_mem_functions,
//     before any OpenSSL allocation) by one whose Nth call returns NULL;
//   - operation: the OpenSSL functions the core calls are wrapped with the
//     linker's --wrap (see fault.mk): the Nth call of any of them fails as
//     the real one does, returning its failure value with an error queued.
// After each call: the Status is Ok or a failure with a message, the error
// queue is empty, a tampered token was not accepted, and the same operation
// run again without a fault succeeds (a failure must not poison a cache or
// a static). LeakSanitizer checks for leaks after every test. The caches of
// keyed contexts are cleared before each run so that every N exercises the
// paths that create them; the "Cold" tests run each N in a fresh process so
// that function-local statics are created under the fault as well.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <dlfcn.h>
#include <execinfo.h>
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/base64url.hpp"
#include "core/hmac.hpp"
#include "core/jwk.hpp"
#include "core/jwk_export.hpp"
#include "core/key_generation.hpp"
#include "core/jws.hpp"
#include "core/jwt.hpp"
#include "core/key.hpp"
#include "core/key_import.hpp"
#include "core/key_set.hpp"
#include "core/validation.hpp"

// ------------------------------------------------------------ the injector

namespace faults {

enum class Mode { none, allocation, operation };

constexpr int kFrames = 64;

struct State {
    Mode mode = Mode::none;
    long fail_at = 0;
    long calls = 0;
    bool injected = false;
    const char *function = nullptr;  // the wrapped call made to fail
    bool counting = false;           // record the call site of every opportunity
    std::vector<uint64_t> sites;     // when counting: a hash of each opportunity's stack
    void *frames[kFrames] = {};      // the stack of the injected fault
    int depth = 0;
};
State state;

uint64_t StackHash(void *const *frames, int depth) {
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < depth; i++)
        h = (h ^ reinterpret_cast<uintptr_t>(frames[i])) * 1099511628211ull;
    return h;
}

bool InLibcrypto(void *pc) {
    Dl_info info;
    return dladdr(pc, &info) != 0 && info.dli_fname != nullptr &&
           std::strstr(info.dli_fname, "libcrypto") != nullptr;
}

// Where an opportunity comes from: the four innermost frames (the OpenSSL
// allocation site or the wrapped call) and the first frame outside libcrypto
// beyond them (the core's call into OpenSSL).
uint64_t CallSite() {
    void *frames[kFrames];
    int depth = backtrace(frames, kFrames);
    int inner = std::min(depth, 6);
    uint64_t h = StackHash(frames + 2, inner - 2);
    for (int i = 2; i < depth; i++) {
        if (!InLibcrypto(frames[i])) return h ^ (StackHash(frames + i, 1) * 31);
    }
    return h;
}

// True when this opportunity of `mode` is the one to fail.
bool Fire(Mode mode) {
    if (state.mode != mode || state.injected) return false;
    ++state.calls;
    if (state.counting) {
        state.sites.push_back(CallSite());
        return false;
    }
    if (state.calls != state.fail_at) return false;
    state.injected = true;
    state.depth = backtrace(state.frames, kFrames);
    return true;
}

void Arm(Mode mode, long n) {
    state.mode = mode;
    state.fail_at = n;
    state.calls = 0;
    state.injected = false;
    state.function = nullptr;
    state.counting = false;
    state.depth = 0;
}

void ArmCounting(Mode mode) {
    Arm(mode, 0);
    state.counting = true;
    state.sites.clear();
}

// The symbolised stack of the injected fault, from the failing call up to a
// few frames into the core.
std::string FaultStack() {
    std::string out;
    int after_core = -1;
    for (int i = 1; i < state.depth && after_core < 4; i++) {
        char buf[512];
        __sanitizer_symbolize_pc(state.frames[i], "%F %L", buf, sizeof buf);
        std::string frame(buf);
        if (frame.find("faults::") != std::string::npos) continue;
        if (after_core >= 0 || frame.find("pgjwt::") != std::string::npos) after_core++;
        out += "\n      " + frame;
    }
    return out;
}

// Stops injecting; true when the fault was injected.
bool Disarm() {
    state.mode = Mode::none;
    return state.injected;
}

void *Malloc(size_t n, const char *, int) {
    if (n == 0) return nullptr;  // as OpenSSL's own CRYPTO_malloc
    if (Fire(Mode::allocation)) return nullptr;
    return std::malloc(n);
}

void *Realloc(void *p, size_t n, const char *file, int line) {
    if (p == nullptr) return Malloc(n, file, line);
    if (n == 0) {
        std::free(p);
        return nullptr;
    }
    if (Fire(Mode::allocation)) return nullptr;
    return std::realloc(p, n);
}

void Free(void *p, const char *, int) {
    std::free(p);
}

// OpenSSL refuses new allocation functions once it has allocated anything,
// so they are installed by a static initialiser, before main.
int installed = CRYPTO_set_mem_functions(Malloc, Realloc, Free);

// An injected failure of a wrapped call, with an error queued as OpenSSL does.
bool OperationFails(const char *function) {
    if (!Fire(Mode::operation)) return false;
    state.function = function;
    ERR_raise_data(ERR_LIB_EVP, ERR_R_OPERATION_FAIL, "injected failure of %s", function);
    return true;
}

}  // namespace faults

// The wrapped OpenSSL calls (linked with -Wl,--wrap=<name>, see fault.mk).
#define FAULT_WRAP(ret, name, failure, params, args)       \
    extern "C" ret __real_##name params;                   \
    extern "C" ret __wrap_##name params {                  \
        if (faults::OperationFails(#name)) return failure; \
        return __real_##name args;                         \
    }

FAULT_WRAP(BIO *, BIO_new_mem_buf, nullptr, (const void *b, int n), (b, n))
FAULT_WRAP(BIGNUM *, BN_bin2bn, nullptr, (const unsigned char *s, int n, BIGNUM *r), (s, n, r))
FAULT_WRAP(int, BN_bn2binpad, -1, (const BIGNUM *a, unsigned char *to, int n), (a, to, n))
FAULT_WRAP(BIGNUM *, BN_dup, nullptr, (const BIGNUM *a), (a))
FAULT_WRAP(ECDSA_SIG *, ECDSA_SIG_new, nullptr, (void), ())
FAULT_WRAP(int, ECDSA_SIG_set0, 0, (ECDSA_SIG * s, BIGNUM *r, BIGNUM *t), (s, r, t))
FAULT_WRAP(EC_GROUP *, EC_GROUP_new_by_curve_name, nullptr, (int nid), (nid))
FAULT_WRAP(int, EVP_DigestFinal_ex, 0, (EVP_MD_CTX * c, unsigned char *md, unsigned int *s),
           (c, md, s))
FAULT_WRAP(int, EVP_DigestInit_ex2, 0, (EVP_MD_CTX * c, const EVP_MD *t, const OSSL_PARAM p[]),
           (c, t, p))
FAULT_WRAP(int, EVP_DigestSign, 0,
           (EVP_MD_CTX * c, unsigned char *sig, size_t *len, const unsigned char *tbs, size_t n),
           (c, sig, len, tbs, n))
FAULT_WRAP(int, EVP_DigestSignInit_ex, 0,
           (EVP_MD_CTX * c, EVP_PKEY_CTX **p, const char *md, OSSL_LIB_CTX *l, const char *q,
            EVP_PKEY *k, const OSSL_PARAM *prm),
           (c, p, md, l, q, k, prm))
FAULT_WRAP(int, EVP_DigestUpdate, 0, (EVP_MD_CTX * c, const void *d, size_t n), (c, d, n))
FAULT_WRAP(int, EVP_DigestVerify, -1,
           (EVP_MD_CTX * c, const unsigned char *sig, size_t len, const unsigned char *tbs,
            size_t n),
           (c, sig, len, tbs, n))
FAULT_WRAP(int, EVP_DigestVerifyInit_ex, 0,
           (EVP_MD_CTX * c, EVP_PKEY_CTX **p, const char *md, OSSL_LIB_CTX *l, const char *q,
            EVP_PKEY *k, const OSSL_PARAM *prm),
           (c, p, md, l, q, k, prm))
FAULT_WRAP(EVP_MAC_CTX *, EVP_MAC_CTX_new, nullptr, (EVP_MAC * m), (m))
FAULT_WRAP(EVP_MAC *, EVP_MAC_fetch, nullptr, (OSSL_LIB_CTX * l, const char *a, const char *p),
           (l, a, p))
FAULT_WRAP(int, EVP_MAC_final, 0, (EVP_MAC_CTX * c, unsigned char *o, size_t *l, size_t s),
           (c, o, l, s))
FAULT_WRAP(int, EVP_MAC_init, 0,
           (EVP_MAC_CTX * c, const unsigned char *k, size_t n, const OSSL_PARAM p[]), (c, k, n, p))
FAULT_WRAP(int, EVP_MAC_update, 0, (EVP_MAC_CTX * c, const unsigned char *d, size_t n), (c, d, n))
FAULT_WRAP(EVP_MD_CTX *, EVP_MD_CTX_new, nullptr, (void), ())
FAULT_WRAP(EVP_MD *, EVP_MD_fetch, nullptr, (OSSL_LIB_CTX * l, const char *a, const char *p),
           (l, a, p))
FAULT_WRAP(EVP_PKEY_CTX *, EVP_PKEY_CTX_new_from_name, nullptr,
           (OSSL_LIB_CTX * l, const char *n, const char *p), (l, n, p))
FAULT_WRAP(EVP_PKEY_CTX *, EVP_PKEY_CTX_new_from_pkey, nullptr,
           (OSSL_LIB_CTX * l, EVP_PKEY *k, const char *p), (l, k, p))
FAULT_WRAP(int, EVP_PKEY_CTX_set_rsa_mgf1_md, 0, (EVP_PKEY_CTX * c, const EVP_MD *m), (c, m))
FAULT_WRAP(int, EVP_PKEY_CTX_set_rsa_padding, 0, (EVP_PKEY_CTX * c, int p), (c, p))
FAULT_WRAP(int, EVP_PKEY_CTX_set_rsa_pss_saltlen, 0, (EVP_PKEY_CTX * c, int n), (c, n))
FAULT_WRAP(int, EVP_PKEY_CTX_set_signature_md, 0, (EVP_PKEY_CTX * c, const EVP_MD *m), (c, m))
FAULT_WRAP(int, EVP_PKEY_fromdata, 0, (EVP_PKEY_CTX * c, EVP_PKEY **k, int s, OSSL_PARAM p[]),
           (c, k, s, p))
FAULT_WRAP(int, EVP_PKEY_fromdata_init, 0, (EVP_PKEY_CTX * c), (c))
FAULT_WRAP(int, EVP_PKEY_get_bn_param, 0, (const EVP_PKEY *k, const char *n, BIGNUM **b), (k, n, b))
FAULT_WRAP(int, EVP_PKEY_get_raw_private_key, 0, (const EVP_PKEY *k, unsigned char *p, size_t *n),
           (k, p, n))
FAULT_WRAP(int, EVP_PKEY_get_raw_public_key, 0, (const EVP_PKEY *k, unsigned char *p, size_t *n),
           (k, p, n))
FAULT_WRAP(int, EVP_PKEY_get_utf8_string_param, 0,
           (const EVP_PKEY *k, const char *n, char *s, size_t z, size_t *l), (k, n, s, z, l))
FAULT_WRAP(EVP_PKEY *, EVP_PKEY_new_raw_private_key_ex, nullptr,
           (OSSL_LIB_CTX * l, const char *t, const char *p, const unsigned char *k, size_t n),
           (l, t, p, k, n))
FAULT_WRAP(EVP_PKEY *, EVP_PKEY_new_raw_public_key_ex, nullptr,
           (OSSL_LIB_CTX * l, const char *t, const char *p, const unsigned char *k, size_t n),
           (l, t, p, k, n))
FAULT_WRAP(int, EVP_PKEY_pairwise_check, 0, (EVP_PKEY_CTX * c), (c))
FAULT_WRAP(int, EVP_PKEY_public_check, 0, (EVP_PKEY_CTX * c), (c))
FAULT_WRAP(int, EVP_PKEY_sign, 0,
           (EVP_PKEY_CTX * c, unsigned char *s, size_t *l, const unsigned char *t, size_t n),
           (c, s, l, t, n))
FAULT_WRAP(int, EVP_PKEY_sign_init, 0, (EVP_PKEY_CTX * c), (c))
FAULT_WRAP(int, EVP_PKEY_verify, -1,
           (EVP_PKEY_CTX * c, const unsigned char *s, size_t l, const unsigned char *t, size_t n),
           (c, s, l, t, n))
FAULT_WRAP(int, EVP_PKEY_verify_init, 0, (EVP_PKEY_CTX * c), (c))
FAULT_WRAP(OSSL_DECODER_CTX *, OSSL_DECODER_CTX_new_for_pkey, nullptr,
           (EVP_PKEY * *k, const char *i, const char *s, const char *t, int sel, OSSL_LIB_CTX *l,
            const char *p),
           (k, i, s, t, sel, l, p))
FAULT_WRAP(int, OSSL_DECODER_from_data, 0,
           (OSSL_DECODER_CTX * c, const unsigned char **d, size_t *n), (c, d, n))
FAULT_WRAP(OSSL_PARAM_BLD *, OSSL_PARAM_BLD_new, nullptr, (void), ())
FAULT_WRAP(int, OSSL_PARAM_BLD_push_BN, 0, (OSSL_PARAM_BLD * b, const char *k, const BIGNUM *n),
           (b, k, n))
FAULT_WRAP(int, OSSL_PARAM_BLD_push_octet_string, 0,
           (OSSL_PARAM_BLD * b, const char *k, const void *v, size_t n), (b, k, v, n))
FAULT_WRAP(int, OSSL_PARAM_BLD_push_utf8_string, 0,
           (OSSL_PARAM_BLD * b, const char *k, const char *v, size_t n), (b, k, v, n))
FAULT_WRAP(OSSL_PARAM *, OSSL_PARAM_BLD_to_param, nullptr, (OSSL_PARAM_BLD * b), (b))
FAULT_WRAP(X509 *, PEM_read_bio_X509, nullptr, (BIO * b, X509 **x, pem_password_cb *c, void *u),
           (b, x, c, u))
FAULT_WRAP(int, RAND_bytes, 0, (unsigned char *b, int n), (b, n))
FAULT_WRAP(EVP_PKEY *, X509_get_pubkey, nullptr, (X509 * x), (x))
FAULT_WRAP(int, i2d_ECDSA_SIG, -1, (const ECDSA_SIG *s, unsigned char **p), (s, p))

// Variadic: the one extra argument depends on the key type.
extern "C" EVP_PKEY *__real_EVP_PKEY_Q_keygen(OSSL_LIB_CTX *l, const char *p, const char *t, ...);
extern "C" EVP_PKEY *__wrap_EVP_PKEY_Q_keygen(OSSL_LIB_CTX *l, const char *p, const char *t, ...) {
    if (faults::OperationFails("EVP_PKEY_Q_keygen")) return nullptr;
    va_list ap;
    va_start(ap, t);
    EVP_PKEY *key;
    if (std::strcmp(t, "RSA") == 0)
        key = __real_EVP_PKEY_Q_keygen(l, p, t, va_arg(ap, size_t));
    else if (std::strcmp(t, "EC") == 0)
        key = __real_EVP_PKEY_Q_keygen(l, p, t, va_arg(ap, const char *));
    else
        key = __real_EVP_PKEY_Q_keygen(l, p, t);
    va_end(ap);
    return key;
}

// --------------------------------------------------------------- the cases

namespace {

using namespace pgjwt;

constexpr double kNow = 1700000000;
constexpr std::string_view kClaims = R"({"sub":"fault","iat":1699990000,"exp":1800000000})";
constexpr std::string_view kSecret =
    "fault-injection-secret-0123456789abcdef0123456789abcdef0123456789";

std::filesystem::path SourceDir() {
    namespace fs = std::filesystem;
    if (const char *env = std::getenv("PG_JWT_SOURCE_DIR"); env && *env) return env;
    for (fs::path dir = fs::current_path(); !dir.empty(); dir = dir.parent_path()) {
        if (fs::exists(dir / "test" / "keys")) return dir;
        if (dir == dir.root_path()) break;
    }
    return ".";
}

std::string KeyFile(const char *name) {
    std::ifstream in(SourceDir() / "test" / "keys" / name, std::ios::binary);
    std::ostringstream os;
    os << in.rdbuf();
    if (os.str().empty()) ADD_FAILURE() << "cannot read test/keys/" << name;
    return os.str();
}

// The token with one character of its payload changed.
std::string Tampered(std::string token) {
    size_t dot = token.find('.');
    token[dot + 1] = token[dot + 1] == 'e' ? 'f' : 'e';
    return token;
}

// Ok when `token` is valid under `alg` and `key`; a failure otherwise.
Status VerifyValid(std::string_view token, Algorithm alg, const Key &key) {
    JwtVerification out;
    PGJWT_TRY(jwt_verify(token, alg, key, kNow, out));
    if (!out.valid) return out.reason;
    return Status::Ok();
}

// A tampered token is never accepted, fault or not.
void ExpectRefused(std::string_view token, Algorithm alg, const Key &key) {
    JwtVerification out;
    Status s = jwt_verify(token, alg, key, kNow, out);
    EXPECT_FALSE(s.ok() && out.valid)
        << "a tampered token was accepted under fault " << faults::state.fail_at;
}

// Checks, without any fault, that `token` verifies with `material`: what an
// operation produced under a fault and called a success must be right.
std::string CheckToken(const std::string &token, Algorithm alg, const std::string &material) {
    Key key;
    Status s = resolve_key(alg, material, KeyEncoding::text, key);
    if (s.ok()) s = VerifyValid(token, alg, key);
    return s.ok() ? "" : "a token made under the fault does not verify: " + s.message;
}

// One operation: `op` runs under the fault; when it succeeds, `check` runs
// after the fault window and returns what is wrong with the result ("" if
// nothing). Outputs pass between them through `out`.
struct Case {
    std::string name;
    std::function<Status(std::vector<std::string> &out)> op;
    std::function<std::string(const std::vector<std::string> &out)> check;
    size_t budget = 0;  // at most this many faults per mode, evenly spread (0: no limit)
};

void ClearCaches() {
    key_cache_clear();
}

// Signs with `sign_material`, then verifies with `verify_material`.
Case SignVerify(std::string name, Algorithm alg, const std::string &sign_material,
                const std::string &verify_material, size_t budget = 0) {
    auto op = [=](std::vector<std::string> &out) -> Status {
        Key signer;
        PGJWT_TRY(resolve_signing_key(alg, sign_material, KeyEncoding::text, signer));
        out.emplace_back();
        PGJWT_TRY(jwt_sign(JwtSignRequest{alg, signer, kClaims, true, {}}, out.back()));
        Key verifier;
        PGJWT_TRY(resolve_key(alg, verify_material, KeyEncoding::text, verifier));
        ExpectRefused(Tampered(out.back()), alg, verifier);
        return VerifyValid(out.back(), alg, verifier);
    };
    auto check = [=](const std::vector<std::string> &out) {
        return CheckToken(out.at(0), alg, verify_material);
    };
    return {std::move(name), op, check, budget};
}

// The thumbprint of each PEM key, or of each JWK's key.
Status Thumbprints(const std::vector<std::string> &texts, bool jwk, std::vector<std::string> &out) {
    for (const std::string &text : texts) {
        std::vector<JwkMembers> members;
        bool is_set = false;
        ImportedKey pem_key;
        if (jwk) {
            PGJWT_TRY(parse_jwk_text(text, members, is_set));
        } else {
            PGJWT_TRY(import_pem(text, pem_key));
            members.emplace_back();
        }
        for (const JwkMembers &m : members) {
            ImportedKey jwk_key;
            if (jwk) PGJWT_TRY(import_jwk(m, jwk_key));
            const ImportedKey &key = jwk ? jwk_key : pem_key;
            out.emplace_back();
            PGJWT_TRY(jwk_thumbprint(key, out.back()));
            SecretString canonical;
            PGJWT_TRY(canonical_public_jwk(key, canonical));
            out.back() += " ";
            out.back() += canonical.view();
        }
    }
    return Status::Ok();
}

Case Imports(std::string name, std::vector<std::string> texts, bool jwk, size_t budget = 0) {
    std::vector<std::string> expected;
    Status s = Thumbprints(texts, jwk, expected);
    EXPECT_TRUE(s.ok()) << name << ": " << s.message;
    auto op = [=](std::vector<std::string> &out) { return Thumbprints(texts, jwk, out); };
    auto check = [=](const std::vector<std::string> &out) {
        return out == expected ? "" : "an import under the fault gives another key";
    };
    return {std::move(name), op, check, budget};
}

// The JWK of a PEM key, with a kid (made before any fault is armed).
std::string Jwk(const char *file, Algorithm alg, const char *kid, bool with_private) {
    ImportedKey key;
    EXPECT_TRUE(import_pem(KeyFile(file), key).ok()) << file;
    SecretString private_json;
    std::string json;
    Status s =
        with_private ? private_jwk(key, alg, kid, private_json) : public_jwk(key, alg, kid, json);
    EXPECT_TRUE(s.ok()) << file;
    return with_private ? std::string(private_json.view()) : json;
}

// An RSA private JWK without its CRT members (n, e, d only): imported without
// the pairwise check, which for RSA runs primality tests (~100 ms a key).
std::string JwkWithoutCrt(const char *file, Algorithm alg) {
    std::vector<JwkMembers> members;
    bool is_set = false;
    EXPECT_TRUE(parse_jwk_text(Jwk(file, alg, "nocrt", true), members, is_set).ok());
    const JwkMembers &m = members.at(0);
    return "{\"kty\":\"RSA\",\"n\":\"" + std::string(m.n.view()) + "\",\"e\":\"" +
           std::string(m.e.view()) + "\",\"d\":\"" + std::string(m.d.view()) + "\"}";
}

// Generates a key for each algorithm and its keyring entry; the check signs
// and verifies with each private JWK.
Case Generation(std::string name, std::vector<Algorithm> algs, size_t budget) {
    auto op = [=](std::vector<std::string> &out) -> Status {
        for (Algorithm alg : algs) {
            ImportedKey key;
            PGJWT_TRY(generate_key(alg, 2048, key));
            KeyringEntry entry;
            PGJWT_TRY(keyring_entry(key, alg, "", entry));
            out.emplace_back(entry.private_jwk.view());
        }
        return Status::Ok();
    };
    auto check = [=](const std::vector<std::string> &out) -> std::string {
        for (size_t i = 0; i < algs.size(); i++) {
            Key signer;
            std::string token;
            Status s = resolve_signing_key(algs[i], out.at(i), KeyEncoding::text, signer);
            if (s.ok()) s = jwt_sign(JwtSignRequest{algs[i], signer, kClaims, true, {}}, token);
            if (!s.ok()) return "a key generated under the fault does not sign: " + s.message;
            std::string wrong = CheckToken(token, algs[i], out.at(i));
            if (!wrong.empty()) return "a key generated under the fault: " + wrong;
        }
        return "";
    };
    return {std::move(name), op, check, budget};
}

Case JwksVerify() {
    const std::string signer_jwk = JwkWithoutCrt("rsa2048.pem", Algorithm::RS256);
    const std::string set = "{\"keys\":[" + Jwk("rsa2048.pub.pem", Algorithm::RS256, "r1", false) +
                            "," + Jwk("rsa3072.pub.pem", Algorithm::RS256, "r2", false) + "]}";
    auto op = [=](std::vector<std::string> &out) -> Status {
        Key signer;
        PGJWT_TRY(resolve_signing_key(Algorithm::RS256, signer_jwk, KeyEncoding::text, signer));
        out.resize(2);
        PGJWT_TRY(jwt_sign({Algorithm::RS256, signer, kClaims, true, R"({"kid":"r1"})"}, out[0]));
        PGJWT_TRY(jwt_sign({Algorithm::RS256, signer, kClaims, true, {}}, out[1]));
        Key verifier;
        PGJWT_TRY(resolve_key(Algorithm::RS256, set, KeyEncoding::text, verifier));
        ExpectRefused(Tampered(out[0]), Algorithm::RS256, verifier);
        PGJWT_TRY(VerifyValid(out[0], Algorithm::RS256, verifier));
        return VerifyValid(out[1], Algorithm::RS256, verifier);
    };
    auto check = [=](const std::vector<std::string> &out) {
        std::string wrong = CheckToken(out.at(0), Algorithm::RS256, set);
        return wrong.empty() ? CheckToken(out.at(1), Algorithm::RS256, set) : wrong;
    };
    return {"JWKS verify", op, check};
}

Case ValidateWithKeyring() {
    const std::string ec = KeyFile("ec_p256.pem");
    KeyringRecord record;
    record.kid = "e";
    record.algorithm = "ES256";
    record.jwk = Jwk("ec_p256.pub.pem", Algorithm::ES256, "e", false);
    auto op = [=](std::vector<std::string> &out) -> Status {
        // The keyring as the glue leaves it after reading jwt.keys.
        KeyringCache &keyring = keyring_cache();
        keyring.sync(keyring.generation() + 1);
        keyring.store_algorithms({"ES256"});
        keyring.store_kid("e", &record);
        Key signer;
        PGJWT_TRY(resolve_signing_key(Algorithm::ES256, ec, KeyEncoding::text, signer));
        std::string token;
        PGJWT_TRY(jwt_sign({Algorithm::ES256, signer, kClaims, true, R"({"kid":"e"})"}, token));
        ValidationKeys keys;
        keys.keyring = &keyring;
        ValidationPolicy policy;
        policy.now = kNow;
        ValidatedToken validated;
        PGJWT_TRY(jwt_validate(token, keys, policy, validated));
        out.push_back(validated.jws.payload);
        return Status::Ok();
    };
    auto check = [=](const std::vector<std::string> &out) -> std::string {
        return out.at(0) == kClaims ? "" : "validate returns other claims";
    };
    return {"validate with the keyring", op, check};
}

std::string Oct() {
    return "{\"kty\":\"oct\",\"kid\":\"o1\",\"k\":\"" + base64url_encode(kSecret) + "\"}";
}

// A case by name, built on first use: a process that runs one test builds
// one case (importing the RSA keys some cases need takes ~0.1 s each).
struct CaseDef {
    const char *name;
    std::function<Case()> make;
};

const std::vector<CaseDef> &CaseDefs() {
    static const std::vector<CaseDef> defs = {
        {"HS256 sign+verify",
         [] {
             const std::string secret(kSecret);
             return SignVerify("HS256 sign+verify", Algorithm::HS256, secret, secret);
         }},
        {"HS512 sign+verify, oct JWK",
         [] { return SignVerify("HS512 sign+verify, oct JWK", Algorithm::HS512, Oct(), Oct()); }},
        // An RSA private PEM is checked pairwise on import (primality tests,
        // ~100 ms): a budget of faults. The other RSA cases sign with a JWK
        // without CRT members, which skips that check.
        {"RS256 sign+verify, PEM",
         [] {
             return SignVerify("RS256 sign+verify, PEM", Algorithm::RS256, KeyFile("rsa2048.pem"),
                               KeyFile("rsa2048.pub.pem"), 32);
         }},
        {"PS384 sign+verify, JWK and PKCS#1 PEM",
         [] {
             return SignVerify("PS384 sign+verify, JWK and PKCS#1 PEM", Algorithm::PS384,
                               JwkWithoutCrt("rsa2048.pem", Algorithm::PS384),
                               KeyFile("rsa2048.pkcs1.pub.pem"));
         }},
        {"ES256 sign+verify, PEM",
         [] {
             return SignVerify("ES256 sign+verify, PEM", Algorithm::ES256, KeyFile("ec_p256.pem"),
                               KeyFile("ec_p256.pub.pem"));
         }},
        {"EdDSA sign+verify, Ed25519 PEM",
         [] {
             return SignVerify("EdDSA sign+verify, Ed25519 PEM", Algorithm::EdDSA,
                               KeyFile("ed25519.pem"), KeyFile("ed25519.pub.pem"));
         }},
        {"Ed448 sign+verify, PEM",
         [] {
             return SignVerify("Ed448 sign+verify, PEM", Algorithm::Ed448, KeyFile("ed448.pem"),
                               KeyFile("ed448.pub.pem"));
         }},
        // (PKCS#8 and SPKI blocks are imported by the sign+verify cases.)
        {"PEM import",
         [] {
             return Imports("PEM import",
                            {KeyFile("rsa2048.pkcs1.pub.pem"), KeyFile("rsa2048.cert.pem"),
                             KeyFile("ec_p384.sec1.pem")},
                            false);
         }},
        {"JWK import",
         [] {
             return Imports("JWK import",
                            {JwkWithoutCrt("rsa2048.pem", Algorithm::RS256),
                             Jwk("ec_p256.pem", Algorithm::ES256, "e", true),
                             Jwk("ed25519.pem", Algorithm::EdDSA, "d", true),
                             Jwk("ec_secp256k1.pub.pem", Algorithm::ES256K, "k", false), Oct()},
                            true);
         }},
        {"RSA private JWK import (pairwise check)",
         [] {
             return Imports("RSA private JWK import (pairwise check)",
                            {Jwk("rsa2048.pem", Algorithm::RS256, "r", true)}, true, 40);
         }},
        {"JWKS verify", [] { return JwksVerify(); }},
        {"validate with the keyring", [] { return ValidateWithKeyring(); }},
        {"key generation (ES256, EdDSA, Ed448, HS384)",
         [] {
             return Generation(
                 "key generation (ES256, EdDSA, Ed448, HS384)",
                 {Algorithm::ES256, Algorithm::EdDSA, Algorithm::Ed448, Algorithm::HS384}, 0);
         }},
        // ~150 ms a run, its allocations random (the prime search), and the
        // check imports the key pairwise-checked: sampled.
        {"key generation (RS256, 2048 bits)",
         [] { return Generation("key generation (RS256, 2048 bits)", {Algorithm::RS256}, 10); }},
    };
    return defs;
}

const Case &GetCase(size_t index) {
    static std::map<size_t, Case> built;
    auto it = built.find(index);
    if (it == built.end()) it = built.emplace(index, CaseDefs().at(index).make()).first;
    return it->second;
}

// What the fault points of a case came to.
struct Sweep {
    long total = 0;                        // opportunities in one run of the operation
    long points = 0;                       // runs with a fault injected
    long ok = 0;                           // the operation still succeeded
    std::map<std::string, long> failures;  // by fault kind
};

const char *FaultName(Fault f) {
    return fault_name(f);
}

const char *ModeName(faults::Mode m) {
    return m == faults::Mode::allocation ? "allocation" : "operation";
}

// The fault points to try. Operation faults: every one. Allocation faults:
// the first allocation from each distinct call site (an OpenSSL decoder
// allocates thousands of times from a few sites; see CallSite), 100 more
// spread evenly, the first 16 and the last 16; every one with
// FAULT_EXHAUSTIVE=1 (minutes, not seconds).
std::vector<long> ChoosePoints(faults::Mode mode, const std::vector<uint64_t> &sites,
                               size_t budget) {
    long total = static_cast<long>(sites.size());
    std::vector<long> points;
    bool all = mode == faults::Mode::operation || std::getenv("FAULT_EXHAUSTIVE") != nullptr;
    std::set<uint64_t> seen;
    for (long n = 1; n <= total; n++) {
        bool first_of_site = seen.insert(sites[static_cast<size_t>(n - 1)]).second;
        bool sampled = n % std::max(1L, total / 100) == 0;
        if (all || first_of_site || sampled || n <= 16 || n > total - 16) points.push_back(n);
    }
    if (budget > 0 && points.size() > budget && std::getenv("FAULT_EXHAUSTIVE") == nullptr) {
        std::vector<long> sample;  // evenly spaced, the last one included
        for (size_t i = 1; i <= budget; i++)
            sample.push_back(points[i * points.size() / budget - 1]);
        points = sample;
    }
    return points;
}

// Runs `c` once counting its fault opportunities, then once with a fault
// at each chosen point N.
Sweep SweepFaults(const Case &c, faults::Mode mode) {
    Sweep sweep;
    // A first run sets OpenSSL up (its one-time initialisation is not ours
    // to test, and would shift the count of the runs after it).
    ClearCaches();
    std::vector<std::string> warm_out;
    (void)c.op(warm_out);
    ClearCaches();
    ERR_clear_error();
    faults::ArmCounting(mode);
    std::vector<std::string> counted_out;
    Status counted = c.op(counted_out);
    faults::Disarm();
    std::vector<uint64_t> sites = faults::state.sites;
    sweep.total = static_cast<long>(sites.size());
    EXPECT_TRUE(counted.ok()) << c.name << " fails without any fault: " << counted.message << " "
                              << counted.detail;
    EXPECT_EQ(ERR_peek_error(), 0UL) << c.name << " leaves an error queued without any fault";
    ERR_clear_error();
    for (long n : ChoosePoints(mode, sites, c.budget)) {
        ClearCaches();
        ERR_clear_error();
        faults::Arm(mode, n);
        std::vector<std::string> out;
        Status s = c.op(out);
        const char *function = faults::state.function;
        bool hit = faults::Disarm();
        if (!hit) continue;  // a randomised operation (ECDSA, key generation) took another path
        sweep.points++;
        std::string where = c.name + ", " + ModeName(mode) + " fault " + std::to_string(n) +
                            " of " + std::to_string(sweep.total) +
                            (function ? std::string(" (") + function + ")" : std::string());
        unsigned long queued = ERR_peek_error();
        char text[256] = "";
        if (queued != 0) ERR_error_string_n(queued, text, sizeof text);
        EXPECT_EQ(queued, 0UL) << where << ": the error queue holds " << text << " (status "
                               << FaultName(s.fault) << " \"" << s.message << "\": " << s.detail
                               << ")" << faults::FaultStack();
        ERR_clear_error();
        if (s.ok()) {
            sweep.ok++;
            ERR_clear_error();
            std::string wrong = c.check(out);
            EXPECT_EQ(wrong, "") << where << faults::FaultStack();
            ERR_clear_error();
        } else {
            sweep.failures[FaultName(s.fault)]++;
            EXPECT_FALSE(s.message.empty()) << where << ": a failure without a message";
        }
        // After a failure, the same operation without a fault must succeed.
        if (!s.ok()) {
            ClearCaches();
            std::vector<std::string> again_out;
            Status again = c.op(again_out);
            EXPECT_TRUE(again.ok()) << where << ": does not recover: " << again.message << " "
                                    << again.detail << faults::FaultStack();
            ERR_clear_error();
        }
        if (::testing::Test::HasFailure()) return sweep;  // one report per case is enough
    }
    return sweep;
}

void Report(const Case &c, faults::Mode mode, const Sweep &s) {
    std::string kinds;
    for (const auto &[kind, count] : s.failures) kinds += " " + kind + "=" + std::to_string(count);
    std::printf("[ fault    ] %-44s %-10s %5ld of %5ld points: ok=%ld%s\n", c.name.c_str(),
                ModeName(mode), s.points, s.total, s.ok, kinds.c_str());
}

TEST(FaultSetup, AllocatorIsInstalled) {
    ASSERT_EQ(faults::installed, 1) << "CRYPTO_set_mem_functions failed: OpenSSL allocated "
                                       "before the static initialiser ran";
}

// A self-check of the harness, run by hand: this test must fail with a leak
// report (build/fault/fault_test --gtest_also_run_disabled_tests
// --gtest_filter='*LeakIsReported').
TEST(FaultSetup, DISABLED_LeakIsReported) {
    static void *volatile leaked;
    leaked = OPENSSL_malloc(64);
    leaked = nullptr;
    EXPECT_EQ(__lsan_do_recoverable_leak_check(), 0) << "leaks (see the report above)";
}

// In a fresh process per N (this binary run again, see main): the first use
// creates function-local statics (the fetched HMAC and digest
// implementations) under the fault; a failure there must not stay for the
// life of the backend. The child sets OpenSSL up before arming (WarmOpenSsl),
// so that OpenSSL's own one-time initialisation happens outside the fault
// window (its failures would be OpenSSL's). Exit codes: 0 recovered, 10 the fault
// point was not reached, 11 failed without a fault, 12 did not recover.
// The cases of the Cold tests, built alone: Cases() imports RSA keys (pairwise
// checked, ~0.3 s), too slow for a process per N.
Case ColdCase(size_t index) {
    if (index == 0) {
        const std::string secret(kSecret);
        return SignVerify("HS256 sign+verify", Algorithm::HS256, secret, secret);
    }
    return SignVerify("ES256 sign+verify, PEM", Algorithm::ES256, KeyFile("ec_p256.pem"),
                      KeyFile("ec_p256.pub.pem"));
}

// OpenSSL's one-time set-up, done through OpenSSL directly (not the core):
// error strings, the default provider, the digests and the PEM decoders.
void WarmOpenSsl() {
    OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr);
    EVP_MD_free(EVP_MD_fetch(nullptr, "SHA256", nullptr));
    std::string pem = KeyFile("ed25519.pem");
    BIO *bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY_free(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    ERR_clear_error();
}

int ColdChild(size_t index, faults::Mode mode, long n) {
    const Case c = ColdCase(index);
    WarmOpenSsl();
    ERR_clear_error();
    faults::Arm(mode, n);
    std::vector<std::string> out, again_out;
    Status s = c.op(out);
    const char *function = faults::state.function;
    bool hit = faults::Disarm();
    ERR_clear_error();
    if (!hit) return s.ok() ? 10 : 11;
    Status again = c.op(again_out);
    if (!again.ok()) {
        std::fprintf(stderr, "%s, cold %s fault %ld%s%s: does not recover: %s %s%s\n",
                     c.name.c_str(), ModeName(mode), n, function ? " at " : "",
                     function ? function : "", again.message.c_str(), again.detail.c_str(),
                     faults::FaultStack().c_str());
        return 12;
    }
    return 0;
}

int SpawnCold(size_t index, faults::Mode mode, long n) {
    std::string spec = "FAULT_COLD=" + std::to_string(index) + "," +
                       (mode == faults::Mode::allocation ? "allocation" : "operation") + "," +
                       std::to_string(n);
    std::vector<std::string> env_strings = {spec};
    for (char **e = environ; *e; e++)
        if (std::strncmp(*e, "FAULT_COLD=", 11) != 0) env_strings.emplace_back(*e);
    std::vector<char *> envp;
    for (std::string &e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    char self[] = "/proc/self/exe";
    char *argv[] = {self, nullptr};
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t pid;
    if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv, envp.data()) != 0) return -1;
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Cold runs of case `index` at N = 1 .. until the point is not reached (at
// most `max_points`).
void RunCold(size_t index, faults::Mode mode, long max_points) {
    const Case c = ColdCase(index);
    long n = 1;
    for (; n <= max_points; n++) {
        int code = SpawnCold(index, mode, n);
        if (code == 10) break;
        ASSERT_NE(code, 11) << c.name << ": fails without a fault";
        ASSERT_EQ(code, 0) << c.name << ": cold " << ModeName(mode) << " fault " << n
                           << (code == 12 ? " does not recover (see above)" : " crashed");
    }
    std::printf("[ fault    ] %-44s cold %-10s %5ld points\n", c.name.c_str(), ModeName(mode),
                n - 1);
}

TEST(Cold, HmacFirstUse) {
    RunCold(0, faults::Mode::operation, 100);
    RunCold(0, faults::Mode::allocation, 48);
}

TEST(Cold, EcdsaFirstUse) {
    RunCold(1, faults::Mode::operation, 100);
    RunCold(1, faults::Mode::allocation, 48);
}

class FaultPoints : public ::testing::TestWithParam<size_t> {
  protected:
    void TearDown() override {
        ClearCaches();
        EXPECT_EQ(__lsan_do_recoverable_leak_check(), 0) << "leaks (see the report above)";
    }
};

TEST_P(FaultPoints, Allocation) {
    const Case &c = GetCase(GetParam());
    Sweep s = SweepFaults(c, faults::Mode::allocation);
    Report(c, faults::Mode::allocation, s);
    EXPECT_GT(s.points, 0) << "no allocation was ever made";
}

TEST_P(FaultPoints, Operation) {
    const Case &c = GetCase(GetParam());
    Sweep s = SweepFaults(c, faults::Mode::operation);
    Report(c, faults::Mode::operation, s);
    EXPECT_GT(s.points, 0) << "no wrapped call was ever made";
}

INSTANTIATE_TEST_SUITE_P(Cases, FaultPoints, ::testing::Range<size_t>(0, CaseDefs().size()),
                         [](const ::testing::TestParamInfo<size_t> &info) {
                             std::string name = CaseDefs()[info.param].name;
                             std::string id;
                             for (char ch : name)
                                 if (std::isalnum(static_cast<unsigned char>(ch))) id += ch;
                             return id;
                         });

}  // namespace
int main(int argc, char **argv) {
    if (const char *cold = std::getenv("FAULT_COLD")) {
        size_t index = 0;
        char mode[16] = "";
        long n = 0;
        if (std::sscanf(cold, "%zu,%15[a-z],%ld", &index, mode, &n) != 3) return 2;
        return ColdChild(index,
                         std::strcmp(mode, "allocation") == 0 ? faults::Mode::allocation
                                                              : faults::Mode::operation,
                         n);
    }
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
