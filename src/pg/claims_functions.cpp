// jwt.claims(), jwt.claim(name), jwt.claim(path) and auth.uid(): the claims
// of the current request, for row-level security policies. Source, in order:
// the claims jwt.authenticate verified in this transaction (pg_jwt.claims);
// else, when pg_jwt.trust_request_claims is on, request.jwt.claims as
// PostgREST sets it, and for jwt.claim(name) the legacy
// request.jwt.claim.<name> settings, each only when set in the current
// transaction (request_claims.cpp); else none (NULL).
//
// O(1) per row: the parsed claims and the last answer are kept in fn_extra
// and reused while their source is unchanged. pg_jwt.claims is pg_jwt's own
// setting: its assign hook bumps claims_generation. request.jwt.claims is
// not: the current value is compared with the copy that was parsed, byte for
// byte. Its pointer or length alone proves nothing: PostgreSQL frees the old
// string when the value changes or the transaction ends, and the next value
// of the same length (the next user's claims) may get the same address.
// Plain PostgreSQL code, no C++ core: nothing here can throw.
#include "pg/postgres_headers.hpp"

#include <cstring>

#include "pg/request_claims.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "utils/array.h"
#include "utils/datum.h"
#include "utils/uuid.h"
}

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_claims);
PG_FUNCTION_INFO_V1(pg_jwt_claim_name);
PG_FUNCTION_INFO_V1(pg_jwt_claim_path);
PG_FUNCTION_INFO_V1(pg_jwt_claim_uuid);
}

namespace pgjwt::pg {
namespace {

enum class Source : uint8 { none, authenticated, request };

struct ClaimsCache {
    Source source;
    uint64 generation;    // of pg_jwt.claims, for Source::authenticated
    char *request_text;   // the request.jwt.claims parsed, for Source::request
    Jsonb *claims;        // nullptr: no claims
    struct varlena *key;  // the name or path of the last answer
    Datum answer;
    bool answer_null;
};

void forget(ClaimsCache *cache) {
    if (cache->claims) pfree(cache->claims);
    if (cache->request_text) pfree(cache->request_text);
    if (cache->key != nullptr) {
        if (!cache->answer_null) pfree(DatumGetPointer(cache->answer));
        pfree(cache->key);
    }
    cache->claims = nullptr;
    cache->request_text = nullptr;
    cache->key = nullptr;
    cache->source = Source::none;
}

void parse_into(FunctionCallInfo fcinfo, ClaimsCache *cache, const char *text) {
    Jsonb *parsed = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(text)));
    if (!JB_ROOT_IS_OBJECT(parsed) || JB_ROOT_IS_SCALAR(parsed))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("request claims are not a JSON object")));
    cache->claims =
        static_cast<Jsonb *>(MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, VARSIZE(parsed)));
    memcpy(cache->claims, parsed, VARSIZE(parsed));
}

ClaimsCache *cache_for(FunctionCallInfo fcinfo) {
    auto *cache = static_cast<ClaimsCache *>(fcinfo->flinfo->fn_extra);
    if (cache == nullptr) {
        cache = static_cast<ClaimsCache *>(
            MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ClaimsCache)));
        fcinfo->flinfo->fn_extra = cache;
    }
    const char *authenticated = nonempty_setting(setting_claims);
    if (authenticated != nullptr) {
        if (cache->source == Source::authenticated && cache->generation == claims_generation)
            return cache;
        forget(cache);
        parse_into(fcinfo, cache, authenticated);
        cache->source = Source::authenticated;
        cache->generation = claims_generation;
        return cache;
    }
    const char *request = trusted_request_claims();
    if (request == nullptr) {
        if (cache->source != Source::none) forget(cache);
        return cache;
    }
    if (cache->source == Source::request && strcmp(cache->request_text, request) == 0) return cache;
    forget(cache);
    parse_into(fcinfo, cache, request);
    cache->request_text = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, request);
    cache->source = Source::request;
    return cache;
}

bool same_key(const ClaimsCache *cache, const struct varlena *key) {
    return cache->key != nullptr && VARSIZE_ANY(cache->key) == VARSIZE_ANY(key) &&
           memcmp(cache->key, key, VARSIZE_ANY(key)) == 0;
}

void remember(FunctionCallInfo fcinfo, ClaimsCache *cache, const struct varlena *key, Datum answer,
              bool is_null, int16 typlen) {
    MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
    // One answer is kept: a claim name that changes from row to row must not
    // grow the query's memory.
    if (cache->key != nullptr) {
        if (!cache->answer_null) pfree(DatumGetPointer(cache->answer));
        pfree(cache->key);
    }
    cache->key = static_cast<struct varlena *>(palloc(VARSIZE_ANY(key)));
    memcpy(cache->key, key, VARSIZE_ANY(key));
    cache->answer_null = is_null;
    cache->answer =
        is_null ? 0 : datumCopy(answer, false, typlen);  // text and uuid are by reference
    MemoryContextSwitchTo(old);
}

// A JSON value as ->> gives it: strings unquoted, JSON null as SQL NULL.
bool value_as_text(const JsonbValue *v, Datum &out) {
    switch (v->type) {
        case jbvNull:
            return false;
        case jbvString:
            out = PointerGetDatum(cstring_to_text_with_len(v->val.string.val, v->val.string.len));
            return true;
        case jbvNumeric:
            out = CStringGetTextDatum(
                DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric))));
            return true;
        case jbvBool:
            out = CStringGetTextDatum(v->val.boolean ? "true" : "false");
            return true;
        case jbvBinary:
            out =
                CStringGetTextDatum(JsonbToCString(nullptr, v->val.binary.data, v->val.binary.len));
            return true;
        default:
            return false;
    }
}

// Looks one step down: a member of an object, or an element of an array
// (the step is a decimal index). False when absent.
bool step(JsonbContainer *container, const char *name, int len, JsonbValue &out) {
    if (JsonContainerIsObject(container))
        return getKeyJsonValueFromContainer(container, name, len, &out) != nullptr;
    if (JsonContainerIsArray(container)) {
        if (len == 0 || len > 9) return false;
        uint32 index = 0;
        for (int i = 0; i < len; i++) {
            if (name[i] < '0' || name[i] > '9') return false;
            index = index * 10 + static_cast<uint32>(name[i] - '0');
        }
        JsonbValue *v = getIthJsonbValueFromContainer(container, index);
        if (v == nullptr) return false;
        out = *v;
        return true;
    }
    return false;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// A uuid in canonical form (8-4-4-4-12 hex digits), without raising.
bool parse_uuid(const char *s, int len, pg_uuid_t &uuid) {
    if (len != 36) return false;
    int byte = 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return false;
            continue;
        }
        int hi = hex_value(s[i]);
        int lo = hex_value(s[i + 1]);
        if (hi < 0 || lo < 0) return false;
        uuid.data[byte++] = static_cast<unsigned char>(hi * 16 + lo);
        i++;
    }
    return byte == UUID_LEN;
}

// The legacy per-claim setting request.jwt.claim.<name>, when trusted.
bool legacy_claim(const text *name, Datum &out) {
    const char *value = trusted_legacy_claim(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));
    if (value == nullptr) return false;
    out = CStringGetTextDatum(value);
    return true;
}

}  // namespace
}  // namespace pgjwt::pg

using namespace pgjwt::pg;

extern "C" Datum pg_jwt_claims(PG_FUNCTION_ARGS) {
    ClaimsCache *cache = cache_for(fcinfo);
    if (cache->claims == nullptr) PG_RETURN_NULL();
    PG_RETURN_JSONB_P(cache->claims);
}

extern "C" Datum pg_jwt_claim_name(PG_FUNCTION_ARGS) {
    text *name = PG_GETARG_TEXT_PP(0);
    ClaimsCache *cache = cache_for(fcinfo);
    if (same_key(cache, name)) {
        if (cache->answer_null) PG_RETURN_NULL();
        return cache->answer;
    }
    Datum answer = 0;
    bool found = false;
    if (cache->claims != nullptr) {
        JsonbValue v;
        if (getKeyJsonValueFromContainer(&cache->claims->root, VARDATA_ANY(name),
                                         VARSIZE_ANY_EXHDR(name), &v) != nullptr)
            found = value_as_text(&v, answer);
    } else {
        // Not cached: the legacy settings have no hook to say they changed.
        found = legacy_claim(name, answer);
        if (!found) PG_RETURN_NULL();
        return answer;
    }
    remember(fcinfo, cache, name, answer, !found, -1);
    if (!found) PG_RETURN_NULL();
    return cache->answer;
}

extern "C" Datum pg_jwt_claim_path(PG_FUNCTION_ARGS) {
    ArrayType *path = PG_GETARG_ARRAYTYPE_P(0);
    ClaimsCache *cache = cache_for(fcinfo);
    auto *key = reinterpret_cast<struct varlena *>(path);
    if (same_key(cache, key)) {
        if (cache->answer_null) PG_RETURN_NULL();
        return cache->answer;
    }
    Datum answer = 0;
    bool found = false;
    if (cache->claims != nullptr) {
        Datum *elems;
        bool *nulls;
        int n;
        deconstruct_array(path, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
        JsonbValue v;
        v.type = jbvBinary;
        v.val.binary.data = &cache->claims->root;
        v.val.binary.len = VARSIZE(cache->claims) - VARHDRSZ;
        found = n > 0;
        for (int i = 0; i < n && found; i++) {
            if (nulls[i] || v.type != jbvBinary) {
                found = false;
                break;
            }
            text *step_name = DatumGetTextPP(elems[i]);
            found =
                step(v.val.binary.data, VARDATA_ANY(step_name), VARSIZE_ANY_EXHDR(step_name), v);
        }
        if (found) found = value_as_text(&v, answer);
    }
    remember(fcinfo, cache, key, answer, !found, -1);
    if (!found) PG_RETURN_NULL();
    return cache->answer;
}

// jwt.claim_uuid(name): the claim as a uuid when it is one in canonical form
// (8-4-4-4-12 hex digits), else NULL; never raises, so it needs no
// subtransaction and stays PARALLEL SAFE (auth.uid()).
extern "C" Datum pg_jwt_claim_uuid(PG_FUNCTION_ARGS) {
    text *name = PG_GETARG_TEXT_PP(0);
    ClaimsCache *cache = cache_for(fcinfo);
    if (same_key(cache, name)) {
        if (cache->answer_null) PG_RETURN_NULL();
        PG_RETURN_UUID_P(reinterpret_cast<pg_uuid_t *>(DatumGetPointer(cache->answer)));
    }
    const char *s = nullptr;
    int len = 0;
    bool from_legacy = false;
    if (cache->claims != nullptr) {
        JsonbValue v;
        if (getKeyJsonValueFromContainer(&cache->claims->root, VARDATA_ANY(name),
                                         VARSIZE_ANY_EXHDR(name), &v) != nullptr &&
            v.type == jbvString) {
            s = v.val.string.val;
            len = v.val.string.len;
        }
    } else {
        Datum legacy;
        if (legacy_claim(name, legacy)) {
            text *value = DatumGetTextPP(legacy);
            s = VARDATA_ANY(value);
            len = VARSIZE_ANY_EXHDR(value);
            from_legacy = true;
        }
    }
    auto *uuid = static_cast<pg_uuid_t *>(palloc(sizeof(pg_uuid_t)));
    bool found = s != nullptr && parse_uuid(s, len, *uuid);
    if (from_legacy) {  // not cached: the legacy settings have no hook
        if (!found) PG_RETURN_NULL();
        PG_RETURN_UUID_P(uuid);
    }
    remember(fcinfo, cache, name, PointerGetDatum(uuid), !found, UUID_LEN);
    if (!found) PG_RETURN_NULL();
    PG_RETURN_UUID_P(reinterpret_cast<pg_uuid_t *>(DatumGetPointer(cache->answer)));
}
