#include "pg/key_argument.hpp"

#include <cstring>

#include "pg/guard.hpp"

#include "core/jwk.hpp"
#include "core/limits.hpp"

namespace pgjwt::pg {
namespace {

// The text of a jsonb key, in the call's memory.
std::string_view jsonb_key_text(const Jsonb *key) {
    const char *text =
        JsonbToCString(nullptr, const_cast<JsonbContainer *>(&key->root), VARSIZE(key));
    return {text, strlen(text)};
}

}  // namespace

void read_key_argument(FunctionCallInfo fcinfo, int key_arg, int alg_arg, KeyArgType type,
                       KeyArgument &out) {
    const text *algorithm = PG_ARGISNULL(alg_arg) ? nullptr : PG_GETARG_TEXT_PP(alg_arg);
    if (type == KeyArgType::jsonb) {
        jsonb_key_argument(PG_GETARG_JSONB_P(key_arg), algorithm, out);
        return;
    }
    out.material = varlena_view(PG_GETARG_VARLENA_PP(key_arg));
    out.encoding = type == KeyArgType::bytea ? KeyEncoding::binary : KeyEncoding::text;
    out.has_algorithm = algorithm != nullptr;
    if (out.has_algorithm) out.algorithm = varlena_view(algorithm);
}

void jsonb_key_argument(const Jsonb *key, const text *algorithm, KeyArgument &out) {
    out.material = jsonb_key_text(key);
    out.is_jwk = true;
    out.encoding = KeyEncoding::text;
    out.has_algorithm = algorithm != nullptr;
    if (out.has_algorithm) out.algorithm = varlena_view(algorithm);
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
