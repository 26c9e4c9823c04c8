// pg_jwt core benchmark: whole operations of the core (src/core), timed in
// one process without PostgreSQL, row after row as the SQL functions call
// them (the key resolved on every row, the result buffers reused). Built
// against the core of one revision by test/bench/core_compare, which runs
// two revisions' builds in turn and compares them: the measure of what a
// shortcut saves of the operation it sits in (DESIGN.md section 4).
//
//   core_ops OPERATION [ITERATIONS [ROUNDS]]
//
// Prints "OPERATION<TAB>ns per operation" (the minimum over ROUNDS rounds
// of ITERATIONS operations each, after a warm-up round). Exit 1 when an
// operation fails or gives a wrong answer: every verification must
// succeed, every signature must verify.
//
// The data are those of the SQL benchmarks: HS256 tokens with the claims
// of test/bench/setup.sql (55 bytes, a different "sub" per row) under one
// 32-byte secret; ES256, RS256 and EdDSA tokens with the 160-byte claims of
// test/bench/asymmetric and the fixed keys of test/keys.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/jwk_export.hpp"
#include "core/jwt.hpp"
#include "core/key.hpp"
#include "core/key_import.hpp"
#include "core/validation.hpp"

using namespace pgjwt;

namespace {

constexpr size_t kRows = 1000;
const std::string kSecret = "pg_jwt-bench-secret-0123456789ab";  // 32 bytes
constexpr double kNow = 1800000000;                              // before every exp

[[noreturn]] void fail(const std::string &what, const Status &s = Status::Ok()) {
    std::fprintf(stderr, "core_ops: %s: %s %s\n", what.c_str(), s.message.c_str(),
                 s.detail.c_str());
    std::exit(1);
}

void check(const Status &s, const std::string &what) {
    if (!s.ok()) fail(what, s);
}

std::string read_file(const std::string &path) {
    std::ifstream in(path);
    if (!in) fail("cannot read " + path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string key_dir() {
    const char *dir = std::getenv("PG_JWT_KEYS");
    return dir ? dir : "test/keys";
}

std::string hs256_claims(size_t row) {
    char buf[96];
    std::snprintf(buf, sizeof buf,
                  "{\"sub\":\"user-%07zu\",\"role\":\"member\",\"exp\":4102444800}", row + 1);
    return buf;
}

std::string asymmetric_claims(size_t row) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "{\"iss\":\"https://auth.example.com\",\"sub\":\"user-%07zu\",\"aud\":\"pg_jwt-"
                  "bench\",\"role\":\"member\",\"email\":\"user-%07zu@example.com\",\"iat\":"
                  "1700000000,\"exp\":4102444800}",
                  row + 1, row + 1);
    return buf;
}

// A json payload is valid JSON already (the glue says so where the API has
// the flag); a jsonb one is minified.
template <typename Request>
void set_valid_json(Request &request, bool valid) {
    if constexpr (requires { request.claims_valid_json; }) request.claims_valid_json = valid;
}

JwtSignRequest sign_request(Algorithm alg, std::string_view claims) {
    JwtSignRequest request{};
    request.alg = alg;
    request.claims_json = claims;
    request.keep_claims_text = true;
    set_valid_json(request, true);
    return request;
}

// What the SQL functions do per row: resolve the key argument, then sign.
Status sign_row(Algorithm alg, std::string_view key_text, std::string_view claims,
                std::string &token) {
    JwtSignRequest request = sign_request(alg, claims);
    PGJWT_TRY(resolve_signing_key(alg, key_text, KeyEncoding::text, request.key));
    return jwt_sign(request, token);
}

Status verify_row(Algorithm alg, std::string_view key_text, std::string_view token,
                  JwtVerification &out) {
    Key key;
    PGJWT_TRY(resolve_key(alg, key_text, KeyEncoding::text, key));
    return jwt_verify(token, alg, key, kNow, out);
}

std::vector<std::string> make_tokens(Algorithm alg, const std::string &private_key,
                                     std::string (*claims)(size_t),
                                     std::string_view extra_header = {}) {
    std::vector<std::string> tokens;
    for (size_t i = 0; i < kRows; i++) {
        std::string c = claims(i);
        std::string token;
        JwtSignRequest request = sign_request(alg, c);
        request.extra_header = extra_header;
        check(resolve_signing_key(alg, private_key, KeyEncoding::text, request.key), "make tokens");
        check(jwt_sign(request, token), "make tokens");
        tokens.push_back(token);
    }
    return tokens;
}

std::string public_jwk_of(const std::string &pem_path, Algorithm alg, std::string_view kid) {
    ImportedKey key;
    check(import_pem(read_file(pem_path), key), "public JWK");
    std::string jwk;
    check(public_jwk(key, alg, kid, jwk), "public JWK");
    return jwk;
}

// jwt.validate without a key argument, the keys from the pg_jwt.jwks setting.
void validate_with_setting(std::string_view token, std::string_view jwks, const char *what) {
    ValidationKeys keys;
    keys.configured_jwks = jwks;
    ValidationPolicy policy;
    policy.now = kNow;
    policy.has_audience = true;
    policy.audience = "pg_jwt-bench";
    static ValidatedToken out;
    check(jwt_validate(token, keys, policy, out), what);
}

struct Operation {
    std::function<void(size_t)> run;  // one row
};

// An oct JWK of the HS256 secret.
std::string oct_jwk() {
    return "{\"kty\":\"oct\",\"k\":\"cGdfand0LWJlbmNoLXNlY3JldC0wMTIzNDU2Nzg5YWI\",\"alg\":"
           "\"HS256\"}";
}

std::map<std::string, Operation> operations() {
    std::map<std::string, Operation> ops;
    const std::string dir = key_dir();

    ops["hs256_verify"] = {[tokens = std::vector<std::string>()](size_t i) mutable {
        if (tokens.empty()) tokens = make_tokens(Algorithm::HS256, kSecret, hs256_claims);
        static JwtVerification v;
        check(verify_row(Algorithm::HS256, kSecret, tokens[i % kRows], v), "hs256_verify");
        if (!v.valid) fail("hs256_verify: a token did not verify");
    }};
    ops["hs256_verify_jwk"] = {[tokens = std::vector<std::string>()](size_t i) mutable {
        if (tokens.empty()) tokens = make_tokens(Algorithm::HS256, kSecret, hs256_claims);
        static const std::string jwk = oct_jwk();
        static JwtVerification v;
        check(verify_row(Algorithm::HS256, jwk, tokens[i % kRows], v), "hs256_verify_jwk");
        if (!v.valid) fail("hs256_verify_jwk: a token did not verify");
    }};
    ops["hs256_sign"] = {[claims = std::vector<std::string>()](size_t i) mutable {
        if (claims.empty())
            for (size_t r = 0; r < kRows; r++) claims.push_back(hs256_claims(r));
        static std::string token;
        check(sign_row(Algorithm::HS256, kSecret, claims[i % kRows], token), "hs256_sign");
    }};
    ops["hs256_sign_jsonb"] = {[claims = std::vector<std::string>()](size_t i) mutable {
        // jsonb's text: spaces after ':' and ','; minified before signing.
        if (claims.empty())
            for (size_t r = 0; r < kRows; r++) {
                std::string c = hs256_claims(r), spaced;
                for (char ch : c) {
                    spaced.push_back(ch);
                    if (ch == ',' || ch == ':') spaced.push_back(' ');
                }
                claims.push_back(spaced);
            }
        static std::string token;
        JwtSignRequest request = sign_request(Algorithm::HS256, claims[i % kRows]);
        request.keep_claims_text = false;
        set_valid_json(request, false);
        check(resolve_signing_key(Algorithm::HS256, kSecret, KeyEncoding::text, request.key),
              "hs256_sign_jsonb");
        check(jwt_sign(request, token), "hs256_sign_jsonb");
    }};
    ops["hs256_validate"] = {[tokens = std::vector<std::string>()](size_t i) mutable {
        if (tokens.empty()) tokens = make_tokens(Algorithm::HS256, kSecret, hs256_claims);
        ValidationKeys keys;
        keys.has_material = true;
        keys.material = kSecret;
        ValidationPolicy policy;
        policy.now = kNow;
        static ValidatedToken out;
        check(jwt_validate(tokens[i % kRows], keys, policy, out), "hs256_validate");
    }};

    struct Pair {
        std::string name;
        Algorithm alg;
        std::string private_pem, public_pem;
    };
    const std::vector<Pair> pairs = {
        {"es256", Algorithm::ES256, "ec_p256.pem", "ec_p256.pub.pem"},
        {"rs256", Algorithm::RS256, "rsa2048.pem", "rsa2048.pub.pem"},
        {"eddsa", Algorithm::EdDSA, "ed25519.pem", "ed25519.pub.pem"},
    };
    for (const Pair &p : pairs) {
        std::string priv = dir + "/" + p.private_pem, pub = dir + "/" + p.public_pem;
        Algorithm alg = p.alg;
        std::string name = p.name;
        ops[name + "_sign"] = {
            [=, claims = std::vector<std::string>(), key = std::string()](size_t i) mutable {
                if (claims.empty()) {
                    key = read_file(priv);
                    for (size_t r = 0; r < kRows; r++) claims.push_back(asymmetric_claims(r));
                }
                static std::string token;
                check(sign_row(alg, key, claims[i % kRows], token), name + "_sign");
            }};
        ops[name + "_verify"] = {
            [=, tokens = std::vector<std::string>(), key = std::string()](size_t i) mutable {
                if (tokens.empty()) {
                    tokens = make_tokens(alg, read_file(priv), asymmetric_claims);
                    key = read_file(pub);
                }
                static JwtVerification v;
                check(verify_row(alg, key, tokens[i % kRows], v), name + "_verify");
                if (!v.valid) fail(name + "_verify: a token did not verify");
            }};
    }
    // jwt.validate without a key: the public keys of the pg_jwt.jwks
    // setting (no keyring). ES256: one key, tokens without kid. RS256: an
    // identity provider's set of three keys, tokens naming theirs by kid.
    ops["es256_validate_jwks"] = {[=, tokens = std::vector<std::string>(),
                                   jwks = std::string()](size_t i) mutable {
        if (tokens.empty()) {
            tokens =
                make_tokens(Algorithm::ES256, read_file(dir + "/ec_p256.pem"), asymmetric_claims);
            jwks = "{\"keys\":[" + public_jwk_of(dir + "/ec_p256.pub.pem", Algorithm::ES256, "es") +
                   "]}";
        }
        validate_with_setting(tokens[i % kRows], jwks, "es256_validate_jwks");
    }};
    // An identity provider's set: two RSA keys and an EC key.
    ops["rs256_validate_jwks"] = {
        [=, tokens = std::vector<std::string>(), jwks = std::string()](size_t i) mutable {
            if (tokens.empty()) {
                tokens = make_tokens(Algorithm::RS256, read_file(dir + "/rsa2048.pem"),
                                     asymmetric_claims, R"({"kid":"rsa-b"})");
                jwks = "{\"keys\":[" +
                       public_jwk_of(dir + "/rsa3072.pub.pem", Algorithm::RS256, "rsa-a") + "," +
                       public_jwk_of(dir + "/rsa2048.pub.pem", Algorithm::RS256, "rsa-b") + "," +
                       public_jwk_of(dir + "/ec_p256.pub.pem", Algorithm::ES256, "ec-c") + "]}";
            }
            validate_with_setting(tokens[i % kRows], jwks, "rs256_validate_jwks");
        }};
    // The same with a large key in the set (RSA-8192).
    ops["rs256_validate_jwks_large"] = {
        [=, tokens = std::vector<std::string>(), jwks = std::string()](size_t i) mutable {
            if (tokens.empty()) {
                tokens = make_tokens(Algorithm::RS256, read_file(dir + "/rsa2048.pem"),
                                     asymmetric_claims, R"({"kid":"rsa-b"})");
                jwks = "{\"keys\":[" +
                       public_jwk_of(dir + "/rsa3072.pub.pem", Algorithm::RS256, "rsa-a") + "," +
                       public_jwk_of(dir + "/rsa2048.pub.pem", Algorithm::RS256, "rsa-b") + "," +
                       public_jwk_of(dir + "/rsa8192.pub.pem", Algorithm::RS256, "rsa-c") + "]}";
            }
            validate_with_setting(tokens[i % kRows], jwks, "rs256_validate_jwks_large");
        }};
    return ops;
}

double now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

}  // namespace

int main(int argc, char **argv) {
    std::map<std::string, Operation> ops = operations();
    if (argc < 2 || ops.find(argv[1]) == ops.end()) {
        std::fprintf(stderr, "usage: core_ops OPERATION [ITERATIONS [ROUNDS]]\noperations:");
        for (const auto &[name, op] : ops) std::fprintf(stderr, " %s", name.c_str());
        std::fprintf(stderr, "\n");
        return 2;
    }
    Operation &op = ops[argv[1]];
    size_t iterations = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 2000;
    size_t rounds = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 5;
    if (iterations == 0) iterations = 1;
    // Warm-up: data, caches, the parser's buffers.
    for (size_t i = 0; i < std::min<size_t>(iterations, kRows); i++) op.run(i);
    double best = 0;
    for (size_t r = 0; r < rounds; r++) {
        double start = now_ns();
        for (size_t i = 0; i < iterations; i++) op.run(i);
        double ns = (now_ns() - start) / static_cast<double>(iterations);
        if (r == 0 || ns < best) best = ns;
    }
    std::printf("%s\t%.1f\n", argv[1], best);
    return 0;
}
