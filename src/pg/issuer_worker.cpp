#include "pg/issuer_worker.hpp"

#include "pg/cache_invalidation.hpp"
#include "pg/issuer_refresh_pass.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "common/hashfn.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "utils/array.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/snapmgr.h"
#include "utils/varlena.h"
}

extern "C" {
PGDLLEXPORT void pg_jwt_issuer_worker_main(Datum main_arg);
PG_FUNCTION_INFO_V1(pg_jwt_issuer_key_counts);
}

namespace pgjwt::pg {
namespace {

constexpr int kMaxDatabases = 8;
// Issuers asked for and not served yet, per database: a backend that finds
// the list full asks for nothing (the scheduled refresh still comes).
constexpr int kMaxWanted = 32;
// The longest sleep: a new row of jwt.issuers is fetched within this.
constexpr long kMaxNapMs = 60 * 1000;

struct WorkerSlot {
    Oid database;  // InvalidOid until the worker has connected
    Latch *latch;  // the worker's, while it runs
    int wanted_count;
    uint32 wanted[kMaxWanted];
};

// Tokens verified per issuer key since the server started: a fixed table
// probed linearly, found without a lock (an entry is complete before its
// database is set), inserted under the mutex. When it is full, further
// keys are not counted.
constexpr int kMaxCounters = 1024;
struct KeyCounter {
    Oid database;  // InvalidOid: free
    uint64 issuer, kid;
    pg_atomic_uint64 count;
};

struct IssuerShared {
    slock_t mutex;
    WorkerSlot slots[kMaxDatabases];
    KeyCounter counters[kMaxCounters];
};

IssuerShared *shared = nullptr;
shmem_request_hook_type previous_request_hook = nullptr;
shmem_startup_hook_type previous_startup_hook = nullptr;

void request_shared_memory() {
    if (previous_request_hook) previous_request_hook();
    RequestAddinShmemSpace(MAXALIGN(sizeof(IssuerShared)));
}

void attach_shared_memory() {
    if (previous_startup_hook) previous_startup_hook();
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    bool found = false;
    shared = static_cast<IssuerShared *>(
        ShmemInitStruct("pg_jwt issuers", sizeof(IssuerShared), &found));
    if (!found) {
        memset(shared, 0, sizeof(IssuerShared));
        SpinLockInit(&shared->mutex);
        for (KeyCounter &c : shared->counters) pg_atomic_init_u64(&c.count, 0);
    }
    LWLockRelease(AddinShmemInitLock);
}

void leave_slot(int, Datum arg) {
    WorkerSlot &slot = shared->slots[DatumGetInt32(arg)];
    SpinLockAcquire(&shared->mutex);
    slot.latch = nullptr;
    SpinLockRelease(&shared->mutex);
}

// One pass in a transaction of its own; returns how long to sleep.
long refresh_once(int index) {
    WorkerSlot &slot = shared->slots[index];
    uint32 wanted[kMaxWanted];
    bool served[kMaxWanted];
    SpinLockAcquire(&shared->mutex);
    int count = slot.wanted_count;
    memcpy(wanted, slot.wanted, sizeof(uint32) * count);
    SpinLockRelease(&shared->mutex);

    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    PushActiveSnapshot(GetTransactionSnapshot());
    pgstat_report_activity(STATE_RUNNING, "refreshing the keys of jwt.issuers");
    RefreshPass pass;
    pass.wanted = wanted;
    pass.wanted_count = count;
    pass.wanted_served = served;
    pass.cooldown_ms = setting_kid_refresh_cooldown_s * 1000;
    bool installed = OidIsValid(issuers_relation()) && OidIsValid(issuer_keys_relation());
    if (installed) run_refresh_pass(&pass);
    PopActiveSnapshot();
    CommitTransactionCommand();
    pgstat_report_activity(STATE_IDLE, nullptr);

    // Forget what was served; what backends added meanwhile stays.
    SpinLockAcquire(&shared->mutex);
    int kept = 0;
    for (int i = 0; i < slot.wanted_count; i++) {
        bool done = false;
        for (int j = 0; j < count && installed; j++)
            if (wanted[j] == slot.wanted[i] && served[j]) done = true;
        if (!installed && i < count) done = true;  // no pg_jwt here: nothing to fetch
        if (!done) slot.wanted[kept++] = slot.wanted[i];
    }
    slot.wanted_count = kept;
    SpinLockRelease(&shared->mutex);

    if (!installed || pass.next_due == DT_NOEND) return kMaxNapMs;
    long ms = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), pass.next_due);
    return ms < kMaxNapMs ? (ms < 10 ? 10 : ms) : kMaxNapMs;
}

uint64 name_hash(const char *name) {
    return hash_bytes_extended(reinterpret_cast<const unsigned char *>(name),
                               static_cast<int>(strlen(name)), 0);
}

// The counter of (this database, issuer, kid): found, else (with `insert`)
// made; nullptr when absent, or when the table is full.
KeyCounter *find_counter(uint64 issuer, uint64 kid, bool insert) {
    const uint64 start = (issuer ^ (kid * 0x9E3779B97F4A7C15ull) ^ MyDatabaseId) % kMaxCounters;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            if (!insert) return nullptr;
            SpinLockAcquire(&shared->mutex);
        }
        for (int probe = 0; probe < kMaxCounters; probe++) {
            KeyCounter &c = shared->counters[(start + probe) % kMaxCounters];
            Oid database = c.database;
            pg_read_barrier();
            if (database == InvalidOid) {
                if (pass == 0) break;
                c.issuer = issuer;
                c.kid = kid;
                pg_write_barrier();
                c.database = MyDatabaseId;
                SpinLockRelease(&shared->mutex);
                return &c;
            }
            if (database == MyDatabaseId && c.issuer == issuer && c.kid == kid) {
                if (pass == 1) SpinLockRelease(&shared->mutex);
                return &c;
            }
        }
        if (pass == 1) SpinLockRelease(&shared->mutex);
    }
    return nullptr;
}

}  // namespace

void count_issuer_verification(const char *issuer, const char *kid) {
    if (shared == nullptr || !OidIsValid(MyDatabaseId)) return;
    if (KeyCounter *c = find_counter(name_hash(issuer), name_hash(kid), true))
        pg_atomic_fetch_add_u64(&c->count, 1);
}

void register_issuer_workers() {
    if (!process_shared_preload_libraries_in_progress) return;
    previous_request_hook = shmem_request_hook;
    shmem_request_hook = request_shared_memory;
    previous_startup_hook = shmem_startup_hook;
    shmem_startup_hook = attach_shared_memory;

    char *names = pstrdup(setting_refresh_databases ? setting_refresh_databases : "");
    List *databases = NIL;
    if (!SplitIdentifierString(names, ',', &databases))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("invalid list syntax in pg_jwt.refresh_databases")));
    if (list_length(databases) > kMaxDatabases)
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                 errmsg("pg_jwt.refresh_databases names more than %d databases", kMaxDatabases)));
    int index = 0;
    ListCell *cell;
    foreach (cell, databases) {
        const char *name = static_cast<const char *>(lfirst(cell));
        BackgroundWorker worker = {};
        worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
        worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
        worker.bgw_restart_time = 30;
        snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_jwt");
        snprintf(worker.bgw_function_name, BGW_MAXLEN, "pg_jwt_issuer_worker_main");
        snprintf(worker.bgw_name, BGW_MAXLEN, "pg_jwt issuers %s", name);
        snprintf(worker.bgw_type, BGW_MAXLEN, "pg_jwt issuers");
        strlcpy(worker.bgw_extra, name, BGW_EXTRALEN);
        worker.bgw_main_arg = Int32GetDatum(index++);
        RegisterBackgroundWorker(&worker);
    }
}

void wake_issuer_refresh(const char *issuer) {
    if (shared == nullptr || !OidIsValid(MyDatabaseId)) return;
    uint32 hash = issuer_hash(issuer);
    Latch *latch = nullptr;
    SpinLockAcquire(&shared->mutex);
    for (WorkerSlot &slot : shared->slots) {
        if (slot.database != MyDatabaseId || slot.latch == nullptr) continue;
        bool present = false;
        for (int i = 0; i < slot.wanted_count; i++) present = present || slot.wanted[i] == hash;
        if (!present && slot.wanted_count < kMaxWanted) slot.wanted[slot.wanted_count++] = hash;
        latch = slot.latch;
        break;
    }
    SpinLockRelease(&shared->mutex);
    if (latch != nullptr) SetLatch(latch);
}

}  // namespace pgjwt::pg

using namespace pgjwt::pg;

void pg_jwt_issuer_worker_main(Datum main_arg) {
    const int index = DatumGetInt32(main_arg);
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnection(MyBgworkerEntry->bgw_extra, nullptr, 0);

    WorkerSlot &slot = shared->slots[index];
    SpinLockAcquire(&shared->mutex);
    slot.database = MyDatabaseId;
    slot.latch = MyLatch;
    SpinLockRelease(&shared->mutex);
    on_shmem_exit(leave_slot, Int32GetDatum(index));

    for (;;) {
        CHECK_FOR_INTERRUPTS();
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
        long nap_ms = refresh_once(index);
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, nap_ms,
                        PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
    }
}

// jwt._issuer_key_counts(issuer, kids) -> the tokens each key verified since
// the server started, in the order of kids (a NULL kid: the key without
// one); NULL without the shared memory (pg_jwt not preloaded).
extern "C" Datum pg_jwt_issuer_key_counts(PG_FUNCTION_ARGS) {
    if (shared == nullptr) PG_RETURN_NULL();
    const char *issuer = text_to_cstring(PG_GETARG_TEXT_PP(0));
    ArrayType *kids = PG_GETARG_ARRAYTYPE_P(1);
    Datum *elems;
    bool *nulls;
    int n;
    deconstruct_array(kids, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
    Datum *counts = static_cast<Datum *>(palloc(sizeof(Datum) * (n ? n : 1)));
    const uint64 issuer_hash_value = name_hash(issuer);
    for (int i = 0; i < n; i++) {
        const char *kid = nulls[i] ? "" : TextDatumGetCString(elems[i]);
        KeyCounter *c = find_counter(issuer_hash_value, name_hash(kid), false);
        counts[i] = Int64GetDatum(c ? static_cast<int64>(pg_atomic_read_u64(&c->count)) : 0);
    }
    int dims[1] = {n}, lbs[1] = {1};
    PG_RETURN_ARRAYTYPE_P(construct_md_array(counts, nullptr, n ? 1 : 0, dims, lbs, INT8OID, 8,
                                             true, TYPALIGN_DOUBLE));
}
