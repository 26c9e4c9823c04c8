// jwt.claims(), jwt.claim(name), jwt.claim(path) and auth.uid(): the claims
// of the current request, for row-level security policies. Source, in order:
// the claims jwt.authenticate verified in this transaction (pg_jwt.claims);
// else, on a Citus worker, the claims the coordinator sealed into
// pg_jwt.carrier (citus_carrier.hpp); else, when pg_jwt.trust_request_claims is on,
// request.jwt.claims as PostgREST sets it; else the per-claim settings: for jwt.claim(name) and
// jwt.claim_uuid(name) the legacy request.jwt.claim.<name> (with
// pg_jwt.trust_request_claims) and then PostGraphile's jwt.claims.<name>
// (with pg_jwt.trust_postgraphile_claims), read directly; for jwt.claims()
// and jwt.claim(path) an object assembled from the jwt.claims.* settings,
// each value a JSON string (PostGraphile passes text: types are lost).
// Each setting counts only when set in the current transaction
// (request_claims.cpp). On a Citus worker serving a distributed transaction
// started elsewhere, the per-claim settings are not read and no claims is
// an error (55000); elsewhere none (NULL).
//
// O(1) per row: the parsed claims and the last answer are kept in fn_extra
// and reused while their source is unchanged. pg_jwt.claims is pg_jwt's own
// setting: its assign hook bumps claims_generation. request.jwt.claims and
// jwt.claims.* are not: the current values are compared with the copy that
// was parsed, byte for byte. A pointer or a length alone proves nothing:
// PostgreSQL frees the old string when the value changes or the transaction
// ends, and the next value of the same length (the next user's claims) may
// get the same address.
// Plain PostgreSQL code, no C++ core: nothing here can throw.
#include "pg/postgres_headers.hpp"

#include <cstring>

#include "pg/citus_carrier.hpp"
#include "pg/request_claims.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "utils/array.h"
#include "utils/datum.h"
#include "utils/json.h"
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

enum class Source : uint8 { none, authenticated, carrier, request, postgraphile };

struct ClaimsCache {
    Source source;
    uint64 generation;    // of pg_jwt.claims, for Source::authenticated; of pg_jwt.carrier
                          // (bumped too when a transaction that opened one ends), for
                          // Source::carrier
    char *request_text;   // the request.jwt.claims parsed, for Source::request; for
                          // Source::postgraphile, the jwt.claims.* settings parsed as
                          // name\0value\0 pairs
    size_t request_size;  // the bytes of request_text
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

// Compares the trusted jwt.claims.* settings, one by one, with the pairs
// cached (for_each_trusted_postgraphile_claim's visitor).
struct PairsComparison {
    const char *pairs;
    size_t size;
    size_t offset;
    bool same;
};

bool compare_pair(const char *name, const char *value, void *arg) {
    auto *c = static_cast<PairsComparison *>(arg);
    size_t name_size = strlen(name) + 1;
    size_t value_size = strlen(value) + 1;
    if (name_size + value_size > c->size - c->offset ||
        memcmp(c->pairs + c->offset, name, name_size) != 0 ||
        memcmp(c->pairs + c->offset + name_size, value, value_size) != 0) {
        c->same = false;
        return false;
    }
    c->offset += name_size + value_size;
    return true;
}

bool postgraphile_unchanged(const ClaimsCache *cache) {
    PairsComparison c{cache->request_text, cache->request_size, 0, true};
    for_each_trusted_postgraphile_claim(compare_pair, &c);
    return c.same && c.offset == c.size;
}

// The trusted jwt.claims.* settings as name\0value\0 pairs and as a JSON
// object of strings.
struct Assembly {
    StringInfoData pairs;
    StringInfoData json;
    int count;
};

bool assemble_pair(const char *name, const char *value, void *arg) {
    auto *a = static_cast<Assembly *>(arg);
    appendBinaryStringInfo(&a->pairs, name, static_cast<int>(strlen(name)) + 1);
    appendBinaryStringInfo(&a->pairs, value, static_cast<int>(strlen(value)) + 1);
    appendStringInfoChar(&a->json, a->count++ == 0 ? '{' : ',');
    escape_json(&a->json, name);
    appendStringInfoChar(&a->json, ':');
    escape_json(&a->json, value);
    return true;
}

// `assemble`: also build claims from the jwt.claims.* settings (for
// jwt.claims() and jwt.claim(path); jwt.claim(name) reads its one setting).
ClaimsCache *cache_for(FunctionCallInfo fcinfo, bool assemble = false) {
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
    // Citus: claims sealed by the coordinator (citus_carrier.hpp).
    if (setting_carrier != nullptr && setting_carrier[0] != '\0') {
        if (cache->source == Source::carrier && cache->generation == claims_generation)
            return cache;
        const char *sealed = carrier_claims();
        if (sealed != nullptr) {
            forget(cache);
            parse_into(fcinfo, cache, sealed);
            cache->source = Source::carrier;
            cache->generation = claims_generation;
            return cache;
        }
    }
    const char *request = trusted_request_claims();
    if (request != nullptr) {
        if (cache->source == Source::request && strcmp(cache->request_text, request) == 0)
            return cache;
        forget(cache);
        parse_into(fcinfo, cache, request);
        cache->request_text = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, request);
        cache->source = Source::request;
        return cache;
    }
    // A Citus worker serving a distributed transaction that brought no
    // claims: an error, never a silent NULL.
    refuse_missing_claims_on_citus_worker();
    if (assemble && setting_trust_postgraphile_claims) {
        if (cache->source == Source::postgraphile && postgraphile_unchanged(cache)) return cache;
        forget(cache);
        Assembly a;
        initStringInfo(&a.pairs);
        initStringInfo(&a.json);
        a.count = 0;
        for_each_trusted_postgraphile_claim(assemble_pair, &a);
        if (a.count > 0) {
            appendStringInfoChar(&a.json, '}');
            parse_into(fcinfo, cache, a.json.data);
            cache->request_text = static_cast<char *>(
                MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, static_cast<Size>(a.pairs.len)));
            memcpy(cache->request_text, a.pairs.data, static_cast<size_t>(a.pairs.len));
            cache->request_size = static_cast<size_t>(a.pairs.len);
            cache->source = Source::postgraphile;
        }
        pfree(a.pairs.data);
        pfree(a.json.data);
        return cache;
    }
    if (cache->source != Source::none) forget(cache);
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

// A per-claim setting, when trusted: the legacy request.jwt.claim.<name>
// (PostgREST), else jwt.claims.<name> (PostGraphile v4).
bool legacy_claim(const text *name, Datum &out) {
    const char *value = trusted_legacy_claim(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));
    if (value == nullptr)
        value = trusted_postgraphile_claim(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));
    if (value == nullptr) return false;
    out = CStringGetTextDatum(value);
    return true;
}

}  // namespace
}  // namespace pgjwt::pg

using namespace pgjwt::pg;

extern "C" Datum pg_jwt_claims(PG_FUNCTION_ARGS) {
    ClaimsCache *cache = cache_for(fcinfo, true);
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
        // Not cached: the per-claim settings have no hook to say they changed.
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
    ClaimsCache *cache = cache_for(fcinfo, true);
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
    if (from_legacy) {  // not cached: the per-claim settings have no hook
        if (!found) PG_RETURN_NULL();
        PG_RETURN_UUID_P(uuid);
    }
    remember(fcinfo, cache, name, PointerGetDatum(uuid), !found, UUID_LEN);
    if (!found) PG_RETURN_NULL();
    PG_RETURN_UUID_P(reinterpret_cast<pg_uuid_t *>(DatumGetPointer(cache->answer)));
}
