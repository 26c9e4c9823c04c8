#include "pg/key_argument.hpp"

#include <cstring>

#include "pg/guard.hpp"

#include "core/jwk.hpp"

namespace pgjwt::pg {

void read_key_argument(FunctionCallInfo fcinfo, int key_arg, int alg_arg, KeyArgType type,
                       KeyArgument &out) {
    if (type == KeyArgType::jsonb) {
        Jsonb *jb = PG_GETARG_JSONB_P(key_arg);
        const char *text = JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
        out.material = std::string_view(text, strlen(text));
        out.is_jwk = true;
    } else {
        out.material = varlena_view(PG_GETARG_VARLENA_PP(key_arg));
    }
    out.encoding = type == KeyArgType::bytea ? KeyEncoding::binary : KeyEncoding::text;
    out.has_algorithm = !PG_ARGISNULL(alg_arg);
    if (out.has_algorithm) out.algorithm = varlena_view(PG_GETARG_TEXT_PP(alg_arg));
}

Status resolve_key_argument(const KeyArgument &arg, KeyPurpose purpose, Algorithm &alg, Key &key) {
    if (arg.is_jwk && !looks_like_json_object(arg.material))
        return Status::InvalidArgument("invalid JSON Web Key",
                                       "A jsonb key must be a JWK or a JWK set object.");
    PGJWT_TRY(algorithm_for_key(arg.algorithm, arg.has_algorithm, arg.material, alg));
    return purpose == KeyPurpose::sign ? resolve_signing_key(alg, arg.material, arg.encoding, key)
                                       : resolve_key(alg, arg.material, arg.encoding, key);
}

}  // namespace pgjwt::pg
