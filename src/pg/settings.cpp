#include "pg/settings.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace pgjwt::pg {

int setting_leeway_seconds = 0;
char *setting_audience = nullptr;
char *setting_issuer = nullptr;
char *setting_jwks = nullptr;

const char *nonempty_setting(const char *value) {
    return value != nullptr && value[0] != '\0' ? value : nullptr;
}

void define_settings() {
    DefineCustomIntVariable("pg_jwt.leeway",
                            "Clock skew tolerated for exp, nbf and iat by jwt.validate and "
                            "jwt.authenticate.",
                            "At most 5 minutes.", &setting_leeway_seconds, 0, 0, 300, PGC_SUSET,
                            GUC_UNIT_S, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("pg_jwt.audience",
                               "The audience (aud) that strict validation expects when the "
                               "caller names none.",
                               nullptr, &setting_audience, "", PGC_SUSET, 0, nullptr, nullptr,
                               nullptr);
    DefineCustomStringVariable("pg_jwt.issuer",
                               "The issuer (iss) that strict validation expects when the caller "
                               "names none, and that jwt.issue writes.",
                               nullptr, &setting_issuer, "", PGC_SUSET, 0, nullptr, nullptr,
                               nullptr);
    DefineCustomStringVariable("pg_jwt.jwks",
                               "A JWK set of public keys that jwt.validate and jwt.authenticate "
                               "use after the keyring.",
                               "Public keys only: every role can read settings.", &setting_jwks,
                               "", PGC_SUSET, 0, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("pg_jwt");
}

}  // namespace pgjwt::pg
