#include "pg/cache_invalidation.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "utils/inval.h"
}

namespace pgjwt::pg {

// Start at 1: a reader's "generation seen" starts at 0, i.e. stale.
uint64 keyring_generation = 1;
uint64 revoked_generation = 1;
uint64 issuers_generation = 1;

namespace {

Oid keys_oid = InvalidOid;
Oid revoked_oid = InvalidOid;
Oid issuers_oid = InvalidOid;
Oid issuer_keys_oid = InvalidOid;

Oid lookup(const char *name, Oid &cached) {
    if (!OidIsValid(cached)) {
        Oid schema = get_namespace_oid("jwt", true);
        if (OidIsValid(schema)) cached = get_relname_relid(name, schema);
    }
    return cached;
}

void on_relcache_change(Datum, Oid relid) {
    // InvalidOid: the whole relcache was reset (also after an overflow of
    // the invalidation queue); the extension may even have been dropped and
    // re-created, so forget the OIDs too.
    if (relid == InvalidOid) {
        keys_oid = revoked_oid = issuers_oid = issuer_keys_oid = InvalidOid;
        keyring_generation++;
        revoked_generation++;
        issuers_generation++;
        return;
    }
    // The table may have been dropped (DROP EXTENSION): look its OID up
    // again on next use, or a re-created extension would never be found.
    if (relid == keys_oid) {
        keys_oid = InvalidOid;
        keyring_generation++;
    }
    if (relid == revoked_oid) {
        revoked_oid = InvalidOid;
        revoked_generation++;
    }
    if (relid == issuers_oid || relid == issuer_keys_oid) {
        issuers_oid = issuer_keys_oid = InvalidOid;
        issuers_generation++;
    }
}

}  // namespace

void register_cache_invalidation() {
    CacheRegisterRelcacheCallback(on_relcache_change, 0);
}

void accept_invalidations() {
    AcceptInvalidationMessages();
}

Oid keys_relation() {
    return lookup("keys", keys_oid);
}
Oid revoked_relation() {
    return lookup("revoked", revoked_oid);
}
Oid issuers_relation() {
    return lookup("issuers", issuers_oid);
}
Oid issuer_keys_relation() {
    return lookup("issuer_keys", issuer_keys_oid);
}

}  // namespace pgjwt::pg

extern "C" {
PG_FUNCTION_INFO_V1(pg_jwt_invalidate_cache);
}

// AFTER trigger on jwt.keys, jwt.revoked, jwt.issuers and jwt.issuer_keys: FOR EACH ROW for INSERT,
// UPDATE and DELETE (logical replication's apply fires only row triggers), FOR EACH STATEMENT for
// TRUNCATE. One call per row costs little: PostgreSQL keeps one relcache invalidation per relation
// and command, and drops the repeats.
extern "C" Datum pg_jwt_invalidate_cache(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("pg_jwt_invalidate_cache must be called as a trigger")));
    auto *trigger = reinterpret_cast<TriggerData *>(fcinfo->context);
    // A BEFORE row trigger returning NULL would skip the row: refuse it.
    if (!TRIGGER_FIRED_AFTER(trigger->tg_event))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("pg_jwt_invalidate_cache must be fired AFTER the change")));
    CacheInvalidateRelcache(trigger->tg_relation);
    return (Datum)0;  // NULL (PointerGetDatum(nullptr) does not compile on 19)
}
