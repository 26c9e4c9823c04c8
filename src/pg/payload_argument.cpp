#include "pg/payload_argument.hpp"

#include "pg/boundary.hpp"

#include <cstring>

namespace pgjwt::pg {
namespace {

constexpr int64 kUnixEpochSecondsAt2000 = 946684800;  // 2000-01-01T00:00:00Z

// A timestamp (microseconds since 2000-01-01 UTC) as NumericDate text:
// whole seconds as an integer, otherwise with up to six fractional digits.
const char *numeric_date_text(int64 usecs_since_2000) {
    int64 usecs = usecs_since_2000 + kUnixEpochSecondsAt2000 * USECS_PER_SEC;
    const char *sign = usecs < 0 ? "-" : "";
    uint64 magnitude =
        usecs < 0 ? static_cast<uint64>(-(usecs + 1)) + 1 : static_cast<uint64>(usecs);
    uint64 seconds = magnitude / USECS_PER_SEC;
    uint64 micros = magnitude % USECS_PER_SEC;
    if (micros == 0) return psprintf("%s" UINT64_FORMAT, sign, seconds);
    char *text = psprintf("%s" UINT64_FORMAT ".%06d", sign, seconds, static_cast<int>(micros));
    size_t len = strlen(text);
    while (text[len - 1] == '0') text[--len] = '\0';
    return text;
}

const char *time_column_value(Datum value, Oid type, const char *column) {
    switch (type) {
        case TIMESTAMPOID:
        case TIMESTAMPTZOID: {
            Timestamp ts = DatumGetTimestamp(value);
            if (TIMESTAMP_NOT_FINITE(ts))
                ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                                errmsg("claim \"%s\" cannot be infinite", column),
                                errdetail("A NumericDate must be a finite time."),
                                errhidestmt(true), errhidecontext(true)));
            return numeric_date_text(ts);
        }
        case DATEOID: {
            DateADT date = DatumGetDateADT(value);
            if (DATE_NOT_FINITE(date))
                ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                                errmsg("claim \"%s\" cannot be infinite", column),
                                errdetail("A NumericDate must be a finite time."),
                                errhidestmt(true), errhidecontext(true)));
            return numeric_date_text(static_cast<int64>(date) * USECS_PER_DAY);
        }
        default:
            return nullptr;
    }
}

void read_row(Datum row, PayloadArgument &out) {
    HeapTupleHeader tuple = DatumGetHeapTupleHeader(row);
    TupleDesc desc =
        lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(tuple), HeapTupleHeaderGetTypMod(tuple));
    HeapTupleData tmp;
    tmp.t_len = HeapTupleHeaderGetDatumLength(tuple);
    ItemPointerSetInvalid(&(tmp.t_self));
    tmp.t_tableOid = InvalidOid;
    tmp.t_data = tuple;
    for (int i = 0; i < desc->natts; i++) {
        Form_pg_attribute attr = TupleDescAttr(desc, i);
        if (attr->attisdropped) continue;
        const char *name = NameStr(attr->attname);
        int claim = 0;
        while (claim < kTimeClaims && strcmp(name, kTimeClaimNames[claim]) != 0) claim++;
        // Another column, or a second one of this name: that row is refused
        // by the core (duplicate member name), whatever its values.
        if (claim == kTimeClaims || out.time_values[claim] != nullptr) continue;
        bool isnull = false;
        Datum value = heap_getattr(&tmp, i + 1, desc, &isnull);
        if (isnull) continue;
        out.time_values[claim] = time_column_value(value, getBaseType(attr->atttypid), name);
    }
    ReleaseTupleDesc(desc);
    text *json = DatumGetTextPP(DirectFunctionCall1(row_to_json, row));
    out.json = VARDATA_ANY(json);
    out.size = VARSIZE_ANY_EXHDR(json);
    out.keep_text = false;
}

}  // namespace

void read_payload_argument(FunctionCallInfo fcinfo, int argno, PayloadArgument &out) {
    // The argument's type (through domains) is that of the call site: looked
    // up on its first row and kept in fn_extra, not looked up on every row.
    struct ArgumentType {
        Oid declared, base;
    };
    auto *known = static_cast<ArgumentType *>(fcinfo->flinfo->fn_extra);
    if (known == nullptr) {
        known = static_cast<ArgumentType *>(
            MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(ArgumentType)));
        known->declared = get_fn_expr_argtype(fcinfo->flinfo, argno);
        known->base = OidIsValid(known->declared) ? getBaseType(known->declared) : known->declared;
        fcinfo->flinfo->fn_extra = known;
    }
    Oid declared = known->declared;
    Oid type = known->base;
    Datum value = PG_GETARG_DATUM(argno);
    if (type == JSONBOID) {
        Jsonb *jb = PG_GETARG_JSONB_P(argno);
        out.json = JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
        out.size = strlen(out.json);
        out.keep_text = false;
        return;
    }
    if (type == TEXTOID || type == JSONOID || type == VARCHAROID || type == BPCHAROID ||
        type == UNKNOWNOID) {
        if (type == UNKNOWNOID) {
            out.json = DatumGetCString(value);
            out.size = strlen(out.json);
        } else {
            text *t = DatumGetTextPP(value);
            out.json = VARDATA_ANY(t);
            out.size = VARSIZE_ANY_EXHDR(t);
            // Trailing blanks of char(n) are padding, not part of the value.
            if (type == BPCHAROID)
                while (out.size > 0 && out.json[out.size - 1] == ' ') out.size--;
        }
        out.keep_text = true;
        return;
    }
    if (OidIsValid(type) && type_is_rowtype(type)) {
        read_row(value, out);
        return;
    }
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("payload of type %s cannot be signed",
                           text_for_message(format_type_be(declared))),
                    errhint("Pass a JSON object as text, json or jsonb, or a row."),
                    errhidestmt(true), errhidecontext(true)));
}

}  // namespace pgjwt::pg
