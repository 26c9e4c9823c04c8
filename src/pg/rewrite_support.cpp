#include "pg/rewrite_support.hpp"

#include <cstring>

extern "C" {
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "utils/syscache.h"
}

namespace pgjwt::pg {
namespace {

// The module pg_jwt's install script names.
constexpr const char *kModule = "$libdir/pg_jwt";

bool text_attribute_is(HeapTuple tuple, AttrNumber attribute, const char *const *values,
                       size_t count) {
    bool is_null = false;
    Datum datum = SysCacheGetAttr(PROCOID, tuple, attribute, &is_null);
    if (is_null) return false;
    text *t = DatumGetTextPP(datum);
    const char *data = VARDATA_ANY(t);
    size_t len = VARSIZE_ANY_EXHDR(t);
    for (size_t i = 0; i < count; i++)
        if (strlen(values[i]) == len && memcmp(values[i], data, len) == 0) return true;
    return false;
}

}  // namespace

bool is_own_function(Oid function, const char *const *symbols, size_t count,
                     const char *volatilities) {
    HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(function));
    if (!HeapTupleIsValid(tuple)) return false;
    auto *proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple));
    bool ours = proc->prolang == ClanguageId &&
                strchr(volatilities, proc->provolatile) != nullptr && !proc->proretset &&
                text_attribute_is(tuple, Anum_pg_proc_prosrc, symbols, count) &&
                text_attribute_is(tuple, Anum_pg_proc_probin, &kModule, 1);
    ReleaseSysCache(tuple);
    return ours;
}

bool is_fixed_argument(const Node *arg) {
    if (IsA(arg, Const)) return true;
    if (IsA(arg, Param)) return reinterpret_cast<const Param *>(arg)->paramkind == PARAM_EXTERN;
    if (IsA(arg, ArrayExpr)) {
        const ListCell *cell;
        foreach (cell, reinterpret_cast<const ArrayExpr *>(arg)->elements)
            if (!IsA(lfirst(cell), Const)) return false;
        return true;
    }
    return false;
}

}  // namespace pgjwt::pg
