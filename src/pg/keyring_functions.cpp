// The C side of the keyring: jwt.thumbprint(jwk) and the internal helpers
// behind jwt.generate_key and jwt.add_key, which return a key as the
// (kid, public_jwk, private_jwk) row the jwt.keys table stores (with its
// algorithm, for the rows of a key set).
#include "pg/boundary.hpp"

#include <string>
#include <vector>

#include "core/jwk.hpp"
#include "core/jwk_export.hpp"
#include "core/key.hpp"
#include "core/key_generation.hpp"
#include "core/key_import.hpp"
#include "core/keyring_import.hpp"
#include "core/limits.hpp"

extern "C" {
#include "utils/tuplestore.h"  // not included by funcapi.h from PostgreSQL 19 on
}

using namespace pgjwt;
using namespace pgjwt::pg;

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_thumbprint);
PG_FUNCTION_INFO_V1(pg_jwt_generate_key_entry);
PG_FUNCTION_INFO_V1(pg_jwt_import_key_entry);
PG_FUNCTION_INFO_V1(pg_jwt_import_key_entries);
}

namespace {

// A keyring row in palloc'd memory.
struct EntryOut {
    char *kid = nullptr;
    char *public_jwk = nullptr;   // nullptr for oct keys
    char *private_jwk = nullptr;  // nullptr for public-only keys
};

Status copy_entry(const KeyringEntry &entry, EntryOut &out) {
    out.kid = copy_to_cstring(entry.kid);
    if (!entry.public_jwk.empty()) out.public_jwk = copy_to_cstring(entry.public_jwk);
    if (!entry.private_jwk.empty()) out.private_jwk = copy_to_cstring(entry.private_jwk);
    bool ok = out.kid && (entry.public_jwk.empty() || out.public_jwk) &&
              (entry.private_jwk.empty() || out.private_jwk);
    return ok ? Status::Ok() : copy_failure_status();
}

Datum entry_row(FunctionCallInfo fcinfo, const EntryOut &entry) {
    TupleDesc desc = result_row_type(fcinfo);
    Datum values[3] = {CStringGetTextDatum(entry.kid), 0, 0};
    bool nulls[3] = {false, entry.public_jwk == nullptr, entry.private_jwk == nullptr};
    if (entry.public_jwk)
        values[1] = DirectFunctionCall1(jsonb_in, CStringGetDatum(entry.public_jwk));
    if (entry.private_jwk)
        values[2] = DirectFunctionCall1(jsonb_in, CStringGetDatum(entry.private_jwk));
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

std::string_view optional_text(FunctionCallInfo fcinfo, int arg) {
    return PG_ARGISNULL(arg) ? std::string_view() : varlena_view(PG_GETARG_TEXT_PP(arg));
}

}  // namespace

extern "C" Datum pg_jwt_thumbprint(PG_FUNCTION_ARGS) {
    Jsonb *jb = PG_GETARG_JSONB_P(0);
    const char *jwk = JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
    struct varlena *result = nullptr;
    run_core_or_raise([&]() -> Status {
        std::vector<JwkMembers> members;
        bool is_set = false;
        PGJWT_TRY(parse_jwk_text(jwk, members, is_set));
        if (is_set) return Status::InvalidArgument("a thumbprint is of one JWK, not of a JWK set");
        ImportedKey key;
        PGJWT_TRY(import_jwk(members.front(), key));
        std::string thumbprint;
        PGJWT_TRY(jwk_thumbprint(key, thumbprint));
        result = copy_to_varlena(thumbprint);
        return result ? Status::Ok() : copy_failure_status();
    });
    PG_RETURN_TEXT_P(result);
}

namespace {

// Runs make_key(alg, key, kid) in the core and returns the keyring row of
// the key it made (kid: given, else the JWK's or a derived one).
template <typename MakeKey>
Datum keyring_row(FunctionCallInfo fcinfo, std::string_view algorithm, std::string_view kid,
                  MakeKey make_key) {
    // Held here across the raise, like the closure run_core checks.
    static_assert(std::is_trivially_destructible_v<MakeKey>);
    EntryOut entry;
    run_core_or_raise([&]() -> Status {
        Algorithm alg;
        PGJWT_TRY(algorithm_from_argument(algorithm, alg));
        ImportedKey key;
        std::string_view chosen_kid = kid;
        PGJWT_TRY(make_key(alg, key, chosen_kid));
        KeyringEntry made;
        PGJWT_TRY(keyring_entry(key, alg, chosen_kid, made));
        return copy_entry(made, entry);
    });
    return entry_row(fcinfo, entry);
}

}  // namespace

// jwt._generate_key_entry(algorithm text, rsa_bits int, kid text)
extern "C" Datum pg_jwt_generate_key_entry(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    // A NULL rsa_bits is no size: refused for RSA ("unsupported RSA key
    // size"), unused for the others.
    int32 rsa_bits = PG_ARGISNULL(1) ? 0 : PG_GETARG_INT32(1);
    return keyring_row(fcinfo, varlena_view(PG_GETARG_TEXT_PP(0)), optional_text(fcinfo, 2),
                       [&](Algorithm alg, ImportedKey &key, std::string_view &) {
                           return generate_key(
                               alg, rsa_bits > 0 ? static_cast<size_t>(rsa_bits) : 0, key);
                       });
}

// jwt._import_key_entry(key text, algorithm text, kid text)
extern "C" Datum pg_jwt_import_key_entry(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) PG_RETURN_NULL();
    std::string_view material = varlena_view(PG_GETARG_TEXT_PP(0));
    return keyring_row(fcinfo, varlena_view(PG_GETARG_TEXT_PP(1)), optional_text(fcinfo, 2),
                       [&](Algorithm alg, ImportedKey &key, std::string_view &kid) {
                           PGJWT_TRY(import_key_text(alg, material, key));
                           if (kid.empty() && key.has_kid) kid = key.kid;
                           return Status::Ok();
                       });
}

namespace {

// The rows of a key set in palloc'd memory, with what was skipped.
struct EntriesOut {
    int count = 0;
    EntryOut rows[kMaxKeySetKeys];
    char *algorithms[kMaxKeySetKeys] = {};
    int skipped_count = 0;
    char *skipped_label[kMaxKeySetKeys] = {};
    char *skipped_reason[kMaxKeySetKeys] = {};
};
static_assert(std::is_trivially_destructible_v<EntriesOut>);

Status copy_entries(const KeyringImport &made, EntriesOut &out) {
    if (made.rows.size() > kMaxKeySetKeys || made.skipped.size() > kMaxKeySetKeys)
        return Status::Internal("a key set with more rows than keys");
    for (const KeyringImport::Row &row : made.rows) {
        PGJWT_TRY(copy_entry(row.entry, out.rows[out.count]));
        out.algorithms[out.count] = copy_to_cstring(algorithm_name(row.alg));
        if (!out.algorithms[out.count]) return copy_failure_status();
        out.count++;
    }
    for (const auto &[label, reason] : made.skipped) {
        out.skipped_label[out.skipped_count] = copy_to_cstring(label);
        out.skipped_reason[out.skipped_count] = copy_to_cstring(reason);
        if (!out.skipped_label[out.skipped_count] || !out.skipped_reason[out.skipped_count])
            return copy_failure_status();
        out.skipped_count++;
    }
    return Status::Ok();
}

}  // namespace

// jwt._import_key_entries(key text, algorithm text, kid text): the keyring
// rows (kid, algorithm, public_jwk, private_jwk) of a PEM key, a JWK, a
// secret, or each usable key of a JWK set or certificate map; a NOTICE for
// each key of a set that is not imported. A NULL algorithm: the keys' own.
extern "C" Datum pg_jwt_import_key_entries(PG_FUNCTION_ARGS) {
    InitMaterializedSRF(fcinfo, 0);
    if (PG_ARGISNULL(0)) return (Datum)0;  // no key, no rows
    auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    std::string_view material = varlena_view(PG_GETARG_TEXT_PP(0));
    bool has_algorithm = !PG_ARGISNULL(1);
    std::string_view algorithm = optional_text(fcinfo, 1);
    std::string_view kid = optional_text(fcinfo, 2);
    auto *out = static_cast<EntriesOut *>(palloc0(sizeof(EntriesOut)));
    run_core_or_raise([&]() -> Status {
        KeyringImport made;
        PGJWT_TRY(import_keyring_entries(material, has_algorithm, algorithm, kid, made));
        return copy_entries(made, *out);
    });
    for (int i = 0; i < out->skipped_count; i++)
        ereport(NOTICE,
                (errmsg("skipped %s of the key set", out->skipped_label[i]),
                 errdetail("%s", out->skipped_reason[i]), errhidestmt(true), errhidecontext(true)));
    for (int i = 0; i < out->count; i++) {
        const EntryOut &e = out->rows[i];
        Datum values[4] = {CStringGetTextDatum(e.kid), CStringGetTextDatum(out->algorithms[i]), 0,
                           0};
        bool nulls[4] = {false, false, e.public_jwk == nullptr, e.private_jwk == nullptr};
        if (e.public_jwk) values[2] = DirectFunctionCall1(jsonb_in, CStringGetDatum(e.public_jwk));
        if (e.private_jwk)
            values[3] = DirectFunctionCall1(jsonb_in, CStringGetDatum(e.private_jwk));
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
    return (Datum)0;
}
