// Writes the seed tokens of a fuzz_verify_<family> target:
//   make_seeds <family> <directory>
// seed-<alg>-<n>: signed with the fixed keys of verify_families.hpp (ES* and
// PS* signatures are randomised, so those seeds change on every run; the
// targets read the seed files, never regenerate them); twin-<alg>-<n>: for
// ECDSA, the (r, n - s) twin of a seed, which also verifies.
#include <cstdio>
#include <fstream>
#include <string>

#include "core/jwt.hpp"
#include "core/key.hpp"
#include "fuzz/verify_families.hpp"

int main(int argc, char **argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: make_seeds <hmac|rsa|ecdsa|eddsa> <directory>\n");
        return 2;
    }
    const fuzz::Family family = fuzz::MakeFamily(argv[1]);
    const std::string dir = argv[2];
    int n = 0;
    for (const fuzz::SeedSpec &spec : family.seeds) {
        for (const std::string &payload : fuzz::SeedPayloads()) {
            pgjwt::Key key;
            pgjwt::Status s = pgjwt::resolve_signing_key(spec.alg, spec.signing_material,
                                                         pgjwt::KeyEncoding::text, key);
            FUZZ_CHECK(s.ok(), fuzz::Describe(s));
            pgjwt::JwtSignRequest request{spec.alg, key, payload, true, spec.extra_header};
            std::string token;
            s = pgjwt::jwt_sign(request, token);
            FUZZ_CHECK(s.ok(), fuzz::Describe(s));
            std::string alg(pgjwt::algorithm_name(spec.alg));
            std::string suffix = alg + "-" + std::to_string(n++);
            std::ofstream(dir + "/seed-" + suffix, std::ios::binary) << token;
            if (pgjwt::algorithm_family(spec.alg) == pgjwt::AlgorithmFamily::ecdsa)
                std::ofstream(dir + "/twin-" + suffix, std::ios::binary)
                    << fuzz::EcdsaTwin(token, spec.alg);
        }
    }
    std::printf("%s: %d seeds in %s\n", argv[1], n, dir.c_str());
    return 0;
}
