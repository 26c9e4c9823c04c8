// jwt.verify(token, key, algorithm): pgjwt's (header, payload, valid) row;
// and pg_jwt_verify_valid, the C function of jwt._verify_valid that the
// 1.0.0 and 1.0.1 install scripts define (1.1.0 drops it).
#include "pg/boundary.hpp"
#include "pg/key_argument.hpp"
#include "pg/time.hpp"

#include "core/jwt.hpp"

#include <cstring>

extern "C" {
#include "catalog/objectaccess.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

using namespace pgjwt;
using namespace pgjwt::pg;

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_verify_valid);
PG_FUNCTION_INFO_V1(pg_jwt_verify_text_key);
PG_FUNCTION_INFO_V1(pg_jwt_verify_bytea_key);
PG_FUNCTION_INFO_V1(pg_jwt_verify_jsonb_key);
}

namespace {

// Kept for the life of the call site (fn_extra): the blessed row type.
struct CallSite {
    TupleDesc desc;
};

CallSite &call_site(FunctionCallInfo fcinfo) {
    if (fcinfo->flinfo->fn_extra == nullptr) {
        MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
        auto *site = static_cast<CallSite *>(palloc0(sizeof(CallSite)));
        site->desc = BlessTupleDesc(CreateTupleDescCopy(result_row_type(fcinfo)));
        fcinfo->flinfo->fn_extra = site;
        MemoryContextSwitchTo(old);
    }
    return *static_cast<CallSite *>(fcinfo->flinfo->fn_extra);
}

// The columns of one verification; header and payload only when asked for.
struct Verification {
    bool valid = false;
    struct varlena *header = nullptr;
    struct varlena *payload = nullptr;
};

// Verifies argument 0 with the key and algorithm of arguments 1 and 2. With
// `site`, also the header and payload columns.
Verification verify_arguments(FunctionCallInfo fcinfo, KeyArgType key_type, CallSite *site) {
    std::string_view token = varlena_view(PG_GETARG_TEXT_PP(0));
    KeyArgument key;
    read_key_argument(fcinfo, 1, 2, key_type, key);
    // The statement's start, so that every row of a statement sees the same
    // clock (the function is STABLE).
    double now = timestamptz_to_unix_seconds(GetCurrentStatementStartTimestamp());

    Verification out;
    run_core_or_raise([&]() -> Status {
        Algorithm alg;
        Key resolved;
        PGJWT_TRY(resolve_key_argument(key, KeyPurpose::verify, token, alg, resolved));
        JwtVerification &verification = reusable_verification();
        PGJWT_TRY(jwt_verify(token, alg, resolved, now, verification));
        out.valid = verification.valid;
        if (site == nullptr) return Status::Ok();
        out.header = copy_to_varlena(verification.jws.header_json);
        out.payload = copy_to_varlena(verification.jws.payload);
        return out.header && out.payload ? Status::Ok() : copy_failure_status();
    });
    return out;
}

Datum verify(FunctionCallInfo fcinfo, KeyArgType key_type) {
    // The text and bytea forms are STRICT; the jsonb form is not, since a
    // NULL algorithm there means the JWK's own alg.
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) PG_RETURN_NULL();
    CallSite &site = call_site(fcinfo);
    Verification v = verify_arguments(fcinfo, key_type, &site);
    Datum values[3] = {PointerGetDatum(v.header), PointerGetDatum(v.payload),
                       BoolGetDatum(v.valid)};
    bool nulls[3] = {false, false, false};
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(site.desc, values, nulls)));
}

// The C entry points of verify, by key type.
constexpr const char *kVerifySymbol[] = {"pg_jwt_verify_text_key", "pg_jwt_verify_bytea_key",
                                         "pg_jwt_verify_jsonb_key"};

KeyArgType key_type_of(Oid type) {
    switch (type) {
        case TEXTOID:
            return KeyArgType::text;
        case BYTEAOID:
            return KeyArgType::bytea;
        case JSONBOID:
            return KeyArgType::jsonb;
        default:
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("unexpected key type %u", type)));
    }
}

// Whether pg_proc column `attribute` of `tuple` is the text `value`.
bool proc_text_is(HeapTuple tuple, AttrNumber attribute, const char *value) {
    bool is_null = false;
    Datum datum = SysCacheGetAttr(PROCOID, tuple, attribute, &is_null);
    if (is_null) return false;
    text *t = DatumGetTextPP(datum);
    return VARSIZE_ANY_EXHDR(t) == strlen(value) &&
           memcmp(VARDATA_ANY(t), value, strlen(value)) == 0;
}

// Is `function` pg_jwt's C function with entry point `symbol`? Matching the
// C symbol rather than the name holds whatever schema the extension is in.
bool is_own_c_function(Oid function, const char *symbol) {
    HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(function));
    if (!HeapTupleIsValid(tuple)) return false;
    bool ours = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple))->prolang == ClanguageId &&
                proc_text_is(tuple, Anum_pg_proc_prosrc, symbol) &&
                proc_text_is(tuple, Anum_pg_proc_probin, "$libdir/pg_jwt");
    ReleaseSysCache(tuple);
    return ours;
}

// Once per call site: argument 3 must name the verify for this key type,
// and the user must be allowed to execute it, as the 1.0.x install scripts
// promise (the function stood for (verify(...)).valid).
void check_stands_for_verify(FunctionCallInfo fcinfo, KeyArgType key_type) {
    Oid verify_function = PG_ARGISNULL(3) ? InvalidOid : PG_GETARG_OID(3);
    const char *symbol = kVerifySymbol[static_cast<int>(key_type)];
    if (!OidIsValid(verify_function) || !is_own_c_function(verify_function, symbol))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("argument \"verify\" must name pg_jwt's verify for this key type"),
                        errdetail("jwt._verify_valid is (jwt.verify(...)).valid of the verify it "
                                  "names; pg_jwt 1.1.0 drops it."),
                        errhidestmt(true), errhidecontext(true)));
#if PG_VERSION_NUM >= 160000
    AclResult acl = object_aclcheck(ProcedureRelationId, verify_function, GetUserId(), ACL_EXECUTE);
#else
    AclResult acl = pg_proc_aclcheck(verify_function, GetUserId(), ACL_EXECUTE);
#endif
    if (acl != ACLCHECK_OK) aclcheck_error(acl, OBJECT_FUNCTION, get_func_name(verify_function));
    InvokeFunctionExecuteHook(verify_function);
}

}  // namespace

extern "C" Datum pg_jwt_verify_text_key(PG_FUNCTION_ARGS) {
    return verify(fcinfo, KeyArgType::text);
}
extern "C" Datum pg_jwt_verify_bytea_key(PG_FUNCTION_ARGS) {
    return verify(fcinfo, KeyArgType::bytea);
}
extern "C" Datum pg_jwt_verify_jsonb_key(PG_FUNCTION_ARGS) {
    return verify(fcinfo, KeyArgType::jsonb);
}

// jwt._verify_valid(token, key, algorithm, verify) of the 1.0.0 and 1.0.1
// install scripts: (verify(token, key, algorithm)).valid, for databases not
// yet updated to 1.1.0.
extern "C" Datum pg_jwt_verify_valid(PG_FUNCTION_ARGS) {
    // The key type, known once the call site's first row is checked.
    auto *key_type = static_cast<KeyArgType *>(fcinfo->flinfo->fn_extra);
    if (key_type == nullptr) {
        KeyArgType type = key_type_of(get_fn_expr_argtype(fcinfo->flinfo, 1));
        check_stands_for_verify(fcinfo, type);
        key_type = static_cast<KeyArgType *>(
            MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(KeyArgType)));
        *key_type = type;
        fcinfo->flinfo->fn_extra = key_type;
    }
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) PG_RETURN_NULL();
    PG_RETURN_BOOL(verify_arguments(fcinfo, *key_type, nullptr).valid);
}
