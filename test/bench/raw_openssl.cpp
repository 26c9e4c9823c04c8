// pg_jwt asymmetric benchmark: the raw OpenSSL floor, and the reference tokens.
// Built and run by test/bench/asymmetric (see test/bench/ASYMMETRIC.md):
//
//   raw_openssl version
//       the OpenSSL version this program runs with
//   raw_openssl gen ALG KEYDIR N
//       N reference rows "claims<TAB>token" on stdout: the claims of row i
//       (1..N) signed with ALG by OpenSSL directly, not by pg_jwt
//   raw_openssl check ALG KEYDIR [N]
//       verifies the tokens on stdin (one a line) with OpenSSL; exit 1 unless
//       every one verifies (and, with N, there are exactly N)
//   raw_openssl time ROUND KEYDIR DATADIR SPEC...
//       times one round of the raw operations; SPEC is ALG:OP:ROWS with OP
//       verify, sign, parse (decode the public PEM and prepare a verify
//       context, what a key-cache miss costs), or for EdDSA verify_fresh and
//       sign_fresh (a new EVP_MD_CTX and an init with the key per operation,
//       as pg_jwt does: not a floor, it shows what that costs). Reads
//       DATADIR/ALG.tsv (the gen output). Prints "ROUND<TAB>raw_OP_ALG<TAB>ROWS<TAB>wall s<TAB>cpu s"
//       a line; exit 1 if any operation fails or any signature does not verify.
//
// The timed work per token is the cryptographic operation only: hash the
// signing input and EVP_PKEY_verify / EVP_PKEY_sign with an EVP_PKEY_CTX
// prepared once (ECDSA: the signature already DER-encoded, as OpenSSL wants
// it; sign leaves it DER), EdDSA EVP_DigestVerify / EVP_DigestSign on an
// EVP_MD_CTX initialised with the key once and reset by a NULL-key init per
// operation (40 ns; a fresh EVP_MD_CTX and init per operation cost ~1.9 us).
// No base64url, no JSON, no r||s conversion: those are pg_jwt's own work.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void die(const std::string &what) {
    std::fprintf(stderr, "raw_openssl: %s\n", what.c_str());
    ERR_print_errors_fp(stderr);
    std::exit(1);
}

enum class Family { rsa_pkcs1, rsa_pss, ecdsa, eddsa };

struct Alg {
    std::string name;
    Family family;
    const char *digest;  // nullptr for EdDSA
    size_t ec_size;      // ECDSA: bytes of r and of s
    const char *key;     // base name in test/keys
};

const Alg &alg_by_name(std::string_view name) {
    static const std::vector<Alg> algs = {
        {"RS256", Family::rsa_pkcs1, "SHA256", 0, "rsa2048"},
        {"PS256", Family::rsa_pss, "SHA256", 0, "rsa2048"},
        {"ES256", Family::ecdsa, "SHA256", 32, "ec_p256"},
        {"ES384", Family::ecdsa, "SHA384", 48, "ec_p384"},
        {"EdDSA", Family::eddsa, nullptr, 0, "ed25519"},
    };
    for (const Alg &a : algs)
        if (a.name == name) return a;
    die("unknown algorithm " + std::string(name));
}

// --- base64url -----------------------------------------------------------------

const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string b64url(std::string_view in) {
    std::string out;
    size_t i = 0;
    auto byte = [&](size_t k) { return static_cast<unsigned char>(in[k]); };
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        out += kB64[v >> 18 & 63];
        out += kB64[v >> 12 & 63];
        out += kB64[v >> 6 & 63];
        out += kB64[v & 63];
    }
    if (in.size() - i == 1) {
        unsigned v = byte(i) << 16;
        out += kB64[v >> 18 & 63];
        out += kB64[v >> 12 & 63];
    } else if (in.size() - i == 2) {
        unsigned v = byte(i) << 16 | byte(i + 1) << 8;
        out += kB64[v >> 18 & 63];
        out += kB64[v >> 12 & 63];
        out += kB64[v >> 6 & 63];
    }
    return out;
}

std::string b64url_decode(std::string_view in) {
    std::string out;
    unsigned v = 0;
    int bits = 0;
    for (char c : in) {
        const char *p = std::strchr(kB64, c);
        if (c == '\0' || p == nullptr) die("bad base64url in a token");
        v = v << 6 | static_cast<unsigned>(p - kB64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>(v >> bits & 0xff);
        }
    }
    return out;
}

// --- keys and contexts -----------------------------------------------------------

std::string read_file(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) die("cannot read " + path);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

EVP_PKEY *decode_pem(const std::string &pem, int selection) {
    EVP_PKEY *pkey = nullptr;
    OSSL_DECODER_CTX *dctx =
        OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", nullptr, nullptr, selection, nullptr, nullptr);
    if (dctx == nullptr) die("OSSL_DECODER_CTX_new_for_pkey");
    const auto *data = reinterpret_cast<const unsigned char *>(pem.data());
    size_t len = pem.size();
    if (OSSL_DECODER_from_data(dctx, &data, &len) != 1 || pkey == nullptr) die("decode a PEM key");
    OSSL_DECODER_CTX_free(dctx);
    return pkey;
}

const EVP_MD *md_of(const Alg &alg) {
    if (alg.digest == nullptr) return nullptr;
    static EVP_MD *sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    static EVP_MD *sha384 = EVP_MD_fetch(nullptr, "SHA384", nullptr);
    return std::strcmp(alg.digest, "SHA256") == 0 ? sha256 : sha384;
}

// An EVP_PKEY_CTX initialised once for verify or sign (RSA, ECDSA).
EVP_PKEY_CTX *prepare(const Alg &alg, EVP_PKEY *pkey, bool sign) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
    if (ctx == nullptr) die("EVP_PKEY_CTX_new_from_pkey");
    if ((sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) != 1) die("init");
    const EVP_MD *md = md_of(alg);
    if (EVP_PKEY_CTX_set_signature_md(ctx, md) != 1) die("set_signature_md");
    if (alg.family == Family::rsa_pss) {
        if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) != 1 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) != 1)
            die("PSS parameters");
    } else if (alg.family == Family::rsa_pkcs1) {
        if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1) die("PKCS#1 padding");
    }
    return ctx;
}

struct Keys {
    EVP_PKEY *priv = nullptr;
    EVP_PKEY *pub = nullptr;
    std::string pub_pem;
    EVP_PKEY_CTX *sign_ctx = nullptr;    // RSA, ECDSA
    EVP_PKEY_CTX *verify_ctx = nullptr;  // RSA, ECDSA
    // EdDSA: one digest context per purpose, initialised with the key once
    // and reset per operation by an init with a NULL key, which keeps the key
    // and the provider context (documented since OpenSSL 3.0.1).
    EVP_MD_CTX *sign_mctx = nullptr;
    EVP_MD_CTX *verify_mctx = nullptr;
};

Keys load_keys(const Alg &alg, const std::string &dir, bool need_private) {
    Keys k;
    std::string base = dir + "/" + alg.key;
    k.pub_pem = read_file(base + ".pub.pem");
    k.pub = decode_pem(k.pub_pem, EVP_PKEY_PUBLIC_KEY);
    if (need_private) k.priv = decode_pem(read_file(base + ".pem"), EVP_PKEY_KEYPAIR);
    if (alg.family != Family::eddsa) {
        k.verify_ctx = prepare(alg, k.pub, false);
        if (need_private) k.sign_ctx = prepare(alg, k.priv, true);
    } else {
        k.verify_mctx = EVP_MD_CTX_new();
        if (k.verify_mctx == nullptr ||
            EVP_DigestVerifyInit_ex(k.verify_mctx, nullptr, nullptr, nullptr, nullptr, k.pub,
                                    nullptr) != 1)
            die("EdDSA verify init");
        if (need_private) {
            k.sign_mctx = EVP_MD_CTX_new();
            if (k.sign_mctx == nullptr ||
                EVP_DigestSignInit_ex(k.sign_mctx, nullptr, nullptr, nullptr, nullptr, k.priv,
                                      nullptr) != 1)
                die("EdDSA sign init");
        }
    }
    return k;
}

void free_keys(Keys &k) {
    EVP_MD_CTX_free(k.sign_mctx);
    EVP_MD_CTX_free(k.verify_mctx);
    EVP_PKEY_CTX_free(k.sign_ctx);
    EVP_PKEY_CTX_free(k.verify_ctx);
    EVP_PKEY_free(k.priv);
    EVP_PKEY_free(k.pub);
    k = Keys();
}

// --- the operations ----------------------------------------------------------------

struct Digest {
    unsigned char bytes[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
};

inline void hash(const Alg &alg, std::string_view input, Digest &d) {
    if (EVP_Digest(input.data(), input.size(), d.bytes, &d.size, md_of(alg), nullptr) != 1)
        die("EVP_Digest");
}

// One signature in OpenSSL's form (ECDSA: DER); returns its length.
size_t sign_raw(const Alg &alg, Keys &k, std::string_view input, unsigned char *out, size_t cap) {
    size_t len = cap;
    if (alg.family == Family::eddsa) {
        EVP_MD_CTX *mctx = k.sign_mctx;
        if (EVP_DigestSignInit_ex(mctx, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr) != 1 ||
            EVP_DigestSign(mctx, out, &len, reinterpret_cast<const unsigned char *>(input.data()),
                           input.size()) != 1)
            die("EdDSA sign");
        return len;
    }
    Digest d;
    hash(alg, input, d);
    if (EVP_PKEY_sign(k.sign_ctx, out, &len, d.bytes, d.size) != 1) die("EVP_PKEY_sign");
    return len;
}

// EdDSA with a new EVP_MD_CTX and an init with the key per operation.
size_t sign_fresh(Keys &k, std::string_view input, unsigned char *out, size_t cap) {
    size_t len = cap;
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    if (mctx == nullptr ||
        EVP_DigestSignInit_ex(mctx, nullptr, nullptr, nullptr, nullptr, k.priv, nullptr) != 1 ||
        EVP_DigestSign(mctx, out, &len, reinterpret_cast<const unsigned char *>(input.data()),
                       input.size()) != 1)
        die("EdDSA sign (fresh context)");
    EVP_MD_CTX_free(mctx);
    return len;
}

bool verify_fresh(Keys &k, std::string_view input, const std::string &sig) {
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    if (mctx == nullptr ||
        EVP_DigestVerifyInit_ex(mctx, nullptr, nullptr, nullptr, nullptr, k.pub, nullptr) != 1)
        die("EdDSA verify init (fresh context)");
    bool ok = EVP_DigestVerify(mctx, reinterpret_cast<const unsigned char *>(sig.data()), sig.size(),
                               reinterpret_cast<const unsigned char *>(input.data()),
                               input.size()) == 1;
    EVP_MD_CTX_free(mctx);
    return ok;
}

// sig in OpenSSL's form (ECDSA: DER).
bool verify_raw(const Alg &alg, Keys &k, std::string_view input, const std::string &sig) {
    const auto *s = reinterpret_cast<const unsigned char *>(sig.data());
    if (alg.family == Family::eddsa) {
        EVP_MD_CTX *mctx = k.verify_mctx;
        if (EVP_DigestVerifyInit_ex(mctx, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr) != 1)
            die("EdDSA verify init");
        return EVP_DigestVerify(mctx, s, sig.size(),
                                reinterpret_cast<const unsigned char *>(input.data()),
                                input.size()) == 1;
    }
    Digest d;
    hash(alg, input, d);
    return EVP_PKEY_verify(k.verify_ctx, s, sig.size(), d.bytes, d.size) == 1;
}

std::string der_to_jose(const Alg &alg, const unsigned char *der, size_t len) {
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));
    if (sig == nullptr) die("d2i_ECDSA_SIG");
    const BIGNUM *r = nullptr, *s = nullptr;
    ECDSA_SIG_get0(sig, &r, &s);
    std::string out(2 * alg.ec_size, '\0');
    auto *o = reinterpret_cast<unsigned char *>(out.data());
    if (BN_bn2binpad(r, o, static_cast<int>(alg.ec_size)) < 0 ||
        BN_bn2binpad(s, o + alg.ec_size, static_cast<int>(alg.ec_size)) < 0)
        die("BN_bn2binpad");
    ECDSA_SIG_free(sig);
    return out;
}

std::string jose_to_der(const Alg &alg, const std::string &raw) {
    if (raw.size() != 2 * alg.ec_size) die("ECDSA signature of the wrong size");
    const auto *b = reinterpret_cast<const unsigned char *>(raw.data());
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(b, static_cast<int>(alg.ec_size), nullptr);
    BIGNUM *s = BN_bin2bn(b + alg.ec_size, static_cast<int>(alg.ec_size), nullptr);
    if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1)
        die("ECDSA_SIG_set0");
    int len = i2d_ECDSA_SIG(sig, nullptr);
    std::string der(static_cast<size_t>(len), '\0');
    auto *p = reinterpret_cast<unsigned char *>(der.data());
    i2d_ECDSA_SIG(sig, &p);
    ECDSA_SIG_free(sig);
    return der;
}

// A JOSE signature (base64url) in OpenSSL's form.
std::string openssl_signature(const Alg &alg, std::string_view b64) {
    std::string raw = b64url_decode(b64);
    return alg.family == Family::ecdsa ? jose_to_der(alg, raw) : raw;
}

std::string claims_of(long i) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "{\"iss\":\"https://auth.example.com\",\"sub\":\"user-%07ld\","
                  "\"aud\":\"pg_jwt-bench\",\"role\":\"member\","
                  "\"email\":\"user-%07ld@example.com\",\"iat\":1700000000,\"exp\":4102444800}",
                  i, i);
    return buf;
}

std::string header_of(const Alg &alg) { return "{\"alg\":\"" + alg.name + "\",\"typ\":\"JWT\"}"; }

struct Row {
    std::string claims;
    std::string input;      // header.payload
    std::string signature;  // OpenSSL's form
};

std::vector<Row> read_rows(const Alg &alg, const std::string &path) {
    std::ifstream f(path);
    if (!f) die("cannot read " + path);
    std::vector<Row> rows;
    std::string line;
    while (std::getline(f, line)) {
        size_t tab = line.find('\t');
        size_t dot = line.rfind('.');
        if (tab == std::string::npos || dot == std::string::npos || dot < tab) die("bad row in " + path);
        rows.push_back({line.substr(0, tab), line.substr(tab + 1, dot - tab - 1),
                        openssl_signature(alg, std::string_view(line).substr(dot + 1))});
    }
    return rows;
}

double now(clockid_t clock) {
    timespec ts;
    clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// --- modes ---------------------------------------------------------------------------

int gen(const Alg &alg, const std::string &keydir, long n) {
    Keys k = load_keys(alg, keydir, true);
    std::vector<unsigned char> sig(static_cast<size_t>(EVP_PKEY_get_size(k.priv)));
    std::string head = b64url(header_of(alg));
    for (long i = 1; i <= n; ++i) {
        std::string claims = claims_of(i);
        std::string input = head + "." + b64url(claims);
        size_t len = sign_raw(alg, k, input, sig.data(), sig.size());
        std::string jose = alg.family == Family::ecdsa
                               ? der_to_jose(alg, sig.data(), len)
                               : std::string(reinterpret_cast<char *>(sig.data()), len);
        if (!verify_raw(alg, k, input, std::string(reinterpret_cast<char *>(sig.data()), len)))
            die("a fresh signature does not verify");
        std::cout << claims << '\t' << input << '.' << b64url(jose) << '\n';
    }
    return 0;
}

int check(const Alg &alg, const std::string &keydir, long expected) {
    Keys k = load_keys(alg, keydir, false);
    std::string head = b64url(header_of(alg));
    long n = 0, good = 0;
    std::string tok;
    while (std::getline(std::cin, tok)) {
        if (tok.empty()) continue;
        ++n;
        size_t dot = tok.rfind('.');
        if (dot == std::string::npos) continue;
        std::string input = tok.substr(0, dot);
        if (input.compare(0, head.size() + 1, head + ".") != 0) continue;  // header as expected
        if (verify_raw(alg, k, input, openssl_signature(alg, std::string_view(tok).substr(dot + 1))))
            ++good;
    }
    std::printf("check %s: %ld of %ld tokens verify with OpenSSL\n", alg.name.c_str(), good, n);
    return good == n && n > 0 && (expected < 0 || n == expected) ? 0 : 1;
}

struct Spec {
    const Alg *alg;
    std::string op;
    size_t rows;
};

int time_round(int round, const std::string &keydir, const std::string &datadir,
               const std::vector<Spec> &specs) {
    for (const Spec &spec : specs) {
        const Alg &alg = *spec.alg;
        bool signing = spec.op == "sign" || spec.op == "sign_fresh";
        Keys k = load_keys(alg, keydir, signing);
        std::vector<Row> rows = read_rows(alg, datadir + "/" + alg.name + ".tsv");
        if (rows.size() < spec.rows) die("not enough rows for " + alg.name);
        rows.resize(spec.rows);
        std::vector<unsigned char> sig(static_cast<size_t>(EVP_PKEY_get_size(k.pub)));
        size_t last_len = 0;
        volatile size_t sink = 0;
        auto run = [&](size_t count) {
            if (spec.op == "verify") {
                for (size_t i = 0; i < count; ++i)
                    if (!verify_raw(alg, k, rows[i].input, rows[i].signature))
                        die("a reference token does not verify (" + alg.name + ")");
            } else if (spec.op == "sign") {
                for (size_t i = 0; i < count; ++i)
                    last_len = sign_raw(alg, k, rows[i].input, sig.data(), sig.size());
            } else if (spec.op == "verify_fresh") {
                for (size_t i = 0; i < count; ++i)
                    if (!verify_fresh(k, rows[i].input, rows[i].signature))
                        die("a reference token does not verify (" + alg.name + ")");
            } else if (spec.op == "sign_fresh") {
                for (size_t i = 0; i < count; ++i)
                    last_len = sign_fresh(k, rows[i].input, sig.data(), sig.size());
            } else {  // parse: what a key-cache miss redoes
                for (size_t i = 0; i < count; ++i) {
                    EVP_PKEY *pkey = decode_pem(k.pub_pem, EVP_PKEY_PUBLIC_KEY);
                    EVP_PKEY_CTX *ctx = alg.family == Family::eddsa ? nullptr : prepare(alg, pkey, false);
                    sink = sink + reinterpret_cast<size_t>(ctx);
                    EVP_PKEY_CTX_free(ctx);
                    EVP_PKEY_free(pkey);
                }
            }
        };
        run(std::max<size_t>(1, spec.rows / 10));  // warm up this process
        double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID);
        run(spec.rows);
        double c1 = now(CLOCK_THREAD_CPUTIME_ID), w1 = now(CLOCK_MONOTONIC);
        if (signing) {  // the last signature made must verify
            std::string made(reinterpret_cast<char *>(sig.data()), last_len);
            if (!verify_raw(alg, k, rows[spec.rows - 1].input, made))
                die("a raw signature does not verify (" + alg.name + ")");
        }
        std::printf("%d\traw_%s_%s\t%zu\t%.9f\t%.9f\n", round, spec.op.c_str(), alg.name.c_str(),
                    spec.rows, w1 - w0, c1 - c0);
        free_keys(k);
    }
    return 0;
}

long non_negative(const char *s) {
    char *end = nullptr;
    long v = std::strtol(s, &end, 10);
    if (end == s || *end != '\0' || v < 0) die(std::string("not a non-negative integer: ") + s);
    return v;
}

long positive(const char *s) {
    long v = non_negative(s);
    if (v == 0) die("not a positive integer: 0");
    return v;
}

}  // namespace

int main(int argc, char **argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 1 && args[0] == "version") {
        std::printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
        return 0;
    }
    if (args.size() == 4 && args[0] == "gen") return gen(alg_by_name(args[1]), args[2], positive(argv[4]));
    if ((args.size() == 3 || args.size() == 4) && args[0] == "check")
        return check(alg_by_name(args[1]), args[2], args.size() == 4 ? positive(argv[4]) : -1);
    if (args.size() >= 5 && args[0] == "time") {
        // args: time ROUND KEYDIR DATADIR SPEC...
        std::vector<Spec> specs;
        for (size_t i = 4; i < args.size(); ++i) {
            const std::string &s = args[i];
            size_t a = s.find(':'), b = s.rfind(':');
            if (a == std::string::npos || a == b) die("bad spec " + s);
            std::string op = s.substr(a + 1, b - a - 1);
            const Alg &alg = alg_by_name(s.substr(0, a));
            bool fresh = op == "verify_fresh" || op == "sign_fresh";
            if (op != "verify" && op != "sign" && op != "parse" && !fresh) die("bad operation in " + s);
            if (fresh && alg.family != Family::eddsa) die(op + " is for EdDSA only");
            specs.push_back({&alg, op,
                             static_cast<size_t>(positive(s.substr(b + 1).c_str()))});
        }
        return time_round(static_cast<int>(non_negative(argv[2])), args[2], args[3], specs);
    }
    std::fprintf(stderr,
                 "usage: raw_openssl version | gen ALG KEYDIR N | check ALG KEYDIR [N] |"
                 " time ROUND KEYDIR DATADIR ALG:OP:ROWS...\n");
    return 2;
}
