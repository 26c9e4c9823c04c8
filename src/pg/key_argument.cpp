#include "pg/key_argument.hpp"

#include <cstring>
#include <vector>

#include "pg/boundary.hpp"

#include "core/jwk.hpp"
#include "core/key_algorithms.hpp"
#include "core/limits.hpp"

namespace pgjwt::pg {
namespace {

// The text of a jsonb key. The same key is usually passed on every row, and
// comparing its bytes with the last one's costs a fraction of serialising
// it: a shortcut in front of the key cache, kept because it saves more than
// the tenth of a verification row DESIGN.md section 4 asks of one
// (test/bench/README.md, "1.1.0: shortcuts measured"). The last key and its
// text live in TopMemoryContext, wiped when replaced: they may hold private
// members.
std::string_view jsonb_key_text(const Jsonb *key) {
    static char *last_key = nullptr;
    static Size last_key_size = 0;
    static char *last_text = nullptr;
    static size_t last_text_len = 0;
    Size size = VARSIZE(key);
    if (last_key != nullptr && size == last_key_size && memcmp(last_key, key, size) == 0)
        return {last_text, last_text_len};
    const char *text = JsonbToCString(nullptr, const_cast<JsonbContainer *>(&key->root), size);
    size_t len = strlen(text);
    // Key text beyond the core's limit is refused by it: not worth keeping
    // (two copies for the rest of the session), only in the call's memory.
    if (size > kMaxKeyBytes || len > kMaxKeyBytes) return {text, len};
    char *key_copy = static_cast<char *>(MemoryContextAlloc(TopMemoryContext, size));
    char *text_copy = static_cast<char *>(MemoryContextAlloc(TopMemoryContext, len + 1));
    memcpy(key_copy, key, size);
    memcpy(text_copy, text, len + 1);
    if (last_key != nullptr) {
        explicit_bzero(last_key, last_key_size);
        explicit_bzero(last_text, last_text_len);
        pfree(last_key);
        pfree(last_text);
    }
    last_key = key_copy;
    last_key_size = size;
    last_text = text_copy;
    last_text_len = len;
    return {last_text, last_text_len};
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

Status resolve_key_argument(const KeyArgument &arg, KeyPurpose purpose, std::string_view token,
                            Algorithm &alg, Key &key) {
    if (arg.is_jwk && !looks_like_json_object(arg.material))
        return Status::InvalidArgument("invalid JSON Web Key",
                                       "A jsonb key must be a JWK or a JWK set object.");
    if (arg.has_algorithm) {
        PGJWT_TRY(algorithm_from_argument(arg.algorithm, alg));
        return purpose == KeyPurpose::sign
                   ? resolve_signing_key(alg, arg.material, arg.encoding, key)
                   : resolve_key(alg, arg.material, arg.encoding, key);
    }
    // Kept from call to call (a backend is one thread): no allocation a row.
    static std::vector<Algorithm> algorithms;
    PGJWT_TRY(algorithms_for_key({}, false, arg.material, algorithms));
    if (purpose == KeyPurpose::sign) {
        // A set cannot sign: resolve_signing_key says so for any of them.
        alg = algorithms.front();
        return resolve_signing_key(alg, arg.material, arg.encoding, key);
    }
    PGJWT_TRY(token_algorithm(token, algorithms, alg));
    return resolve_key(alg, arg.material, arg.encoding, key);
}

}  // namespace pgjwt::pg
