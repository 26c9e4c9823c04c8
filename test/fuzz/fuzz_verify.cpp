// Signature verification for one algorithm family with fixed keys, built once
// per family (-DFUZZ_FAMILY=hmac|rsa|ecdsa|eddsa) as fuzz_verify_<family>.
// The input is a token. The seeds (test/fuzz/corpus/fuzz_verify_<family>/
// seed-*) are tokens signed with the fixed private keys by make_seeds.cpp.
// Properties, for every algorithm of the family and every way of passing
// the key (PEM or secret, and a JWK set selected by kid):
//   - verification fails only as a malformed token or a rejection;
//   - what jwt_verify, jws_verify or jwt_validate accepts is exactly a seed
//     (HMAC, RSA, EdDSA: signatures are not malleable, and nobody but the
//     key holder can make another), or for ECDSA a seed or its (r, n - s)
//     twin;
//   - jwt_validate (no leeway) accepts only what jwt_verify accepts;
//   - at start-up, every seed verifies under some variant (else the seeds
//     or the verifier are broken, and the property above would be vacuous).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "core/jws.hpp"
#include "core/jwt.hpp"
#include "core/key.hpp"
#include "core/validation.hpp"
#include "fuzz/verify_families.hpp"

#ifndef FUZZ_FAMILY
#error "build with -DFUZZ_FAMILY=hmac|rsa|ecdsa|eddsa"
#endif
#define FUZZ_STRINGIZE2(x) #x
#define FUZZ_STRINGIZE(x) FUZZ_STRINGIZE2(x)

namespace {

using namespace pgjwt;
using fuzz::F;

constexpr double kNow = 1700000000;

struct Fixture {
    fuzz::Family family = fuzz::MakeFamily(FUZZ_STRINGIZE(FUZZ_FAMILY));
    std::unordered_set<std::string> allowed;
};

Key Resolve(const fuzz::Variant &v) {
    Key key;
    Status s = resolve_key(v.alg, v.material, KeyEncoding::text, key);
    FUZZ_CHECK(s.ok(), "fixed key: " << fuzz::Describe(s));
    return key;
}

// Verifies `token` every way; returns how many ways accepted it.
int Verify(const Fixture &f, std::string_view token, bool check) {
    int accepted = 0;
    Jws jws;
    Status d = jws_decode(token, jws);
    fuzz::CheckStatus(d, {F::none, F::malformed_token}, token, "jws_decode");
    for (const fuzz::Variant &v : f.family.variants) {
        JwtVerification out;
        Status s = jwt_verify(token, v.alg, Resolve(v), kNow, out);
        fuzz::CheckStatus(s, {F::none, F::malformed_token}, token, "jwt_verify");
        if (s.ok()) fuzz::CheckStatus(out.reason, {F::none, F::token_rejected}, token, "reason");
        bool verify_valid = s.ok() && out.valid;

        bool jws_ok = false;
        if (d.ok()) {
            Status j = jws_verify(jws, v.alg, Resolve(v));
            fuzz::CheckStatus(j, {F::none, F::token_rejected}, token, "jws_verify");
            jws_ok = j.ok();
        }

        ValidationPolicy policy;
        policy.algorithms = {v.alg};
        policy.now = kNow;
        ValidationKeys keys;
        keys.has_material = true;
        keys.material = v.material;
        ValidatedToken validated;
        Status val = jwt_validate(token, keys, policy, validated);
        fuzz::CheckStatus(val, {F::none, F::malformed_token, F::token_rejected}, token,
                          "jwt_validate");

        if (val.ok()) FUZZ_CHECK(verify_valid, "jwt_validate accepts what jwt_verify refuses");
        if (verify_valid) FUZZ_CHECK(jws_ok, "jwt_verify accepts what jws_verify refuses");
        if (jws_ok) accepted++;
        if (check && (jws_ok || verify_valid || val.ok())) {
            FUZZ_CHECK(f.allowed.count(std::string(token)),
                       "accepted a token that is not a seed (alg "
                           << algorithm_name(v.alg) << ", key " << fuzz::Hex(v.material, 24)
                           << "): " << token);
        }
    }
    return accepted;
}

const Fixture &Setup() {
    static const Fixture *fixture = [] {
        auto *f = new Fixture;
        std::string target = "fuzz_verify_" + f->family.name;
        for (const std::string &seed : fuzz::LoadSeeds(target.c_str())) {
            f->allowed.insert(seed);
            if (f->family.name != "ecdsa") continue;
            Jws jws;
            Status d = jws_decode(seed, jws);
            FUZZ_CHECK(d.ok(), "seed " << seed << ": " << fuzz::Describe(d));
            std::optional<Algorithm> alg = parse_algorithm(jws.header.alg);
            FUZZ_CHECK(alg, "seed " << seed);
            std::string twin = fuzz::EcdsaTwin(seed, *alg);
            FUZZ_CHECK(!twin.empty(), "no twin for seed " << seed);
            f->allowed.insert(twin);
        }
        for (const std::string &seed : fuzz::LoadSeeds(target.c_str()))
            FUZZ_CHECK(Verify(*f, seed, false) > 0, "seed does not verify: " << seed);
        return f;
    }();
    return *fixture;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    Setup();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view token(reinterpret_cast<const char *>(data), size);
    Verify(Setup(), token, true);
    return 0;
}
