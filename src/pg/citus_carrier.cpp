// Claims for Citus workers: the glue around core/carrier.hpp (see
// citus_carrier.hpp and test/citus/DESIGN.md). Every C++ object that lives
// across PostgreSQL calls is behind a pointer in static storage, created
// and changed inside run_core() only; nothing with a destructor is on the
// stack when this file raises.
#include "pg/citus_carrier.hpp"

#include "pg/boundary.hpp"
#include "pg/settings.hpp"

extern "C" {
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
}

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "core/carrier.hpp"

namespace pgjwt::pg {
namespace {

namespace carrier = pgjwt::carrier;

// ---------------------------------------------------------------- the cluster key file

// The keys of pg_jwt.cluster_key_file and this backend's sealer (a key
// derived from the first one under a salt of its own, and a nonce counter).
struct ClusterKeys {
    std::vector<carrier::ClusterKey> keys;
    carrier::Sealer sealer;
};
ClusterKeys *cluster_keys = nullptr;  // created inside run_core

// The file they were read from, as it was then: reread when any of it changes.
char loaded_path[MAXPGPATH];
bool loaded = false;
dev_t loaded_dev;
ino_t loaded_ino;
off_t loaded_size;
struct timespec loaded_mtime;

// `message` names the file with "%s".
[[noreturn]] void key_file_error(const char *path, const char *message, const char *detail) {
    ereport(ERROR, (errcode(ERRCODE_CONFIG_FILE_ERROR), errmsg(message, path),
                    detail ? errdetail("%s", detail) : 0, errhidestmt(true), errhidecontext(true)));
    pg_unreachable();
}

// Reads pg_jwt.cluster_key_file when it changed since the last read (one
// fstat otherwise). False when the setting is empty; raises when the file
// cannot be used.
bool load_cluster_keys() {
    const char *path = nonempty_setting(setting_cluster_key_file);
    if (path == nullptr) return false;
    if (strlen(path) >= sizeof loaded_path)
        key_file_error(path, "cluster key file name \"%s\" is too long", nullptr);
    int fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
    if (fd < 0)
        ereport(ERROR, (errcode_for_file_access(),
                        errmsg("could not open cluster key file \"%s\": %m", path)));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int saved = errno;
        CloseTransientFile(fd);
        errno = saved;
        ereport(ERROR, (errcode_for_file_access(),
                        errmsg("could not stat cluster key file \"%s\": %m", path)));
    }
    if (loaded && strcmp(loaded_path, path) == 0 && st.st_dev == loaded_dev &&
        st.st_ino == loaded_ino && st.st_size == loaded_size &&
        st.st_mtim.tv_sec == loaded_mtime.tv_sec && st.st_mtim.tv_nsec == loaded_mtime.tv_nsec) {
        CloseTransientFile(fd);
        return true;
    }
    loaded = false;
    if (!S_ISREG(st.st_mode)) {
        CloseTransientFile(fd);
        key_file_error(path, "cluster key file \"%s\" is not a regular file", nullptr);
    }
    // As PostgreSQL refuses an ssl_key_file others may read.
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        CloseTransientFile(fd);
        key_file_error(path, "cluster key file \"%s\" has group or world access",
                       "It must be readable by the server's user only (mode 0600).");
    }
    if (st.st_size > static_cast<off_t>(carrier::kMaxKeyFileBytes)) {
        CloseTransientFile(fd);
        key_file_error(path, "cluster key file \"%s\" is too large",
                       "A cluster key file holds at most 8192 bytes.");
    }
    char buffer[carrier::kMaxKeyFileBytes + 1];
    size_t length = 0;
    while (length < sizeof buffer) {
        ssize_t n = read(fd, buffer + length, sizeof buffer - length);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int saved = errno;
            explicit_bzero(buffer, sizeof buffer);
            CloseTransientFile(fd);
            errno = saved;
            ereport(ERROR, (errcode_for_file_access(),
                            errmsg("could not read cluster key file \"%s\": %m", path)));
        }
        if (n == 0) break;
        length += static_cast<size_t>(n);
    }
    CloseTransientFile(fd);
    ErrorReport report;
    bool ok = run_core(
        [&]() -> Status {
            std::vector<carrier::ClusterKey> keys;
            PGJWT_TRY(carrier::parse_key_file(std::string_view(buffer, length), keys));
            carrier::Sealer sealer;
            PGJWT_TRY(carrier::Sealer::create(keys.front(), sealer));
            if (cluster_keys == nullptr) cluster_keys = new ClusterKeys();
            cluster_keys->keys = std::move(keys);
            cluster_keys->sealer = std::move(sealer);
            return Status::Ok();
        },
        report);
    explicit_bzero(buffer, sizeof buffer);
    if (!ok) {
        if (report.fault != Fault::invalid_argument) raise_core_error(report);
        key_file_error(path, "invalid cluster key file \"%s\"",
                       report.detail[0] ? report.detail : nullptr);
    }
    strlcpy(loaded_path, path, sizeof loaded_path);
    loaded_dev = st.st_dev;
    loaded_ino = st.st_ino;
    loaded_size = st.st_size;
    loaded_mtime = st.st_mtim;
    loaded = true;
    return true;
}

// ---------------------------------------------------------------- Citus and its transaction

// Per transaction (forgotten at its end, see on_transaction_end).
bool citus_checked = false;
bool citus_present = false;
bool id_read = false;
char *opened_text = nullptr;    // the pg_jwt.carrier opened (TopTransactionContext)
char *opened_claims = nullptr;  // its claims

struct DistributedId {
    int32 initiator = 0;  // the initiating node's group
    int64 number = 0;     // 0: none
    int64 stamp = 0;      // microseconds since 2000-01-01
    int32 local_group = -1;
};
DistributedId current_id;

// Citus must be in shared_preload_libraries, so its settings exist from the
// backend's start or never (a placeholder of the same name is no Citus).
bool citus_library_loaded() {
    static int known = -1;
    if (known < 0) {
        const char *value = GetConfigOption("citus.propagate_set_commands", true, false);
        int flags =
            value != nullptr ? GetConfigOptionFlags("citus.propagate_set_commands", true) : 0;
        known = value != nullptr && (flags & GUC_CUSTOM_PLACEHOLDER) == 0 ? 1 : 0;
    }
    return known == 1;
}

bool citus_in_database() {
    if (!citus_library_loaded() || !IsTransactionState()) return false;
    if (!citus_checked) {
        citus_present = OidIsValid(get_extension_oid("citus", true));
        citus_checked = true;
    }
    return citus_present;
}

// A connection Citus opened (it names itself so); a client that names
// itself so only makes its own session stricter.
bool citus_internal_backend() {
    return application_name != nullptr &&
           strncmp(application_name, "citus_internal gpid=", 20) == 0;
}

// This backend's distributed transaction id, through Citus's SQL API
// (stable since Citus 8.0), and this node's group.
DistributedId read_distributed_id() {
    DistributedId id;
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    int rc = SPI_execute(
        "SELECT t.initiator_node_identifier, t.transaction_number, t.transaction_stamp, "
        "(SELECT g.groupid FROM pg_catalog.pg_dist_local_group g) "
        "FROM pg_catalog.get_current_transaction_id() t",
        true, 1);
    if (rc != SPI_OK_SELECT || SPI_processed != 1)
        elog(ERROR, "could not read the Citus distributed transaction id");
    HeapTuple tuple = SPI_tuptable->vals[0];
    TupleDesc desc = SPI_tuptable->tupdesc;
    bool isnull;
    Datum d = SPI_getbinval(tuple, desc, 1, &isnull);
    if (!isnull) id.initiator = DatumGetInt32(d);
    d = SPI_getbinval(tuple, desc, 2, &isnull);
    if (!isnull) id.number = DatumGetInt64(d);
    d = SPI_getbinval(tuple, desc, 3, &isnull);
    if (!isnull) id.stamp = DatumGetTimestampTz(d);
    d = SPI_getbinval(tuple, desc, 4, &isnull);
    if (!isnull) id.local_group = DatumGetInt32(d);
    SPI_finish();
    return id;
}

const DistributedId &transaction_id() {
    if (!id_read) {
        current_id = read_distributed_id();
        id_read = true;
    }
    return current_id;
}

// Citus's UseCoordinatedTransaction(): from then on every distributed query
// of the transaction opens a remote transaction block (so the SET LOCAL
// reaches it) and the transaction has an id. Looked up once in citus.so;
// where it is missing, the SQL call measured to have the same effect.
void start_coordinated_transaction() {
    using Start = void (*)(void);
    static Start start = nullptr;
    static bool looked_up = false;
    if (!looked_up) {
        start = reinterpret_cast<Start>(
            load_external_function("$libdir/citus", "UseCoordinatedTransaction", false, nullptr));
        looked_up = true;
    }
    if (start != nullptr) {
        start();
        return;
    }
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    if (SPI_execute("SELECT pg_catalog.create_intermediate_result('pg_jwt', "
                    "'SELECT 1 WHERE false')",
                    false, 0) != SPI_OK_SELECT)
        elog(ERROR, "could not start a Citus coordinated transaction");
    SPI_finish();
}

// The token's exp as microseconds since 2000-01-01, when it has a numeric one.
bool exp_of(const char *claims, int64 &out) {
    Jsonb *j = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(claims)));
    JsonbValue v;
    if (!JB_ROOT_IS_OBJECT(j) || getKeyJsonValueFromContainer(&j->root, "exp", 3, &v) == nullptr ||
        v.type != jbvNumeric)
        return false;
    double seconds =
        DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v.val.numeric)));
    double since_2000 =
        seconds - static_cast<double>(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;
    double micros = since_2000 * static_cast<double>(USECS_PER_SEC);
    if (!(micros < 9.2e18)) return false;  // beyond any transaction's ttl: no bound
    out = micros < -9.2e18 ? INT64_MIN : static_cast<int64>(micros);
    return true;
}

// What a carrier is bound to: the distributed transaction, the database and
// the role, the same on the node that seals and on the one that opens
// (inside run_core: a Binding holds strings).
carrier::Binding binding_of(const DistributedId &id, const char *database, const char *role) {
    carrier::Binding binding;
    binding.initiator_group = id.initiator;
    binding.transaction_number = static_cast<uint64_t>(id.number);
    binding.transaction_stamp = id.stamp;
    binding.database = database;
    binding.role = role;
    return binding;
}

[[noreturn]] void refuse_carrier(const char *detail, bool hint_key_file) {
    ereport(
        ERROR,
        (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
         errmsg("sealed claims from the Citus coordinator do not verify"), errdetail("%s", detail),
         hint_key_file ? errhint("Every node needs the same pg_jwt.cluster_key_file.") : 0,
         errhidestmt(true), errhidecontext(true)));
    pg_unreachable();
}

void on_transaction_end(XactEvent event, void *) {
    switch (event) {
        case XACT_EVENT_COMMIT:
        case XACT_EVENT_PARALLEL_COMMIT:
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_ABORT:
        case XACT_EVENT_PREPARE:
            // A carrier's claims count in its own transaction only.
            if (opened_text != nullptr) claims_generation++;
            citus_checked = citus_present = id_read = false;
            opened_text = opened_claims = nullptr;  // TopTransactionContext is going
            break;
        default:
            break;
    }
}

}  // namespace

void forward_claims_to_citus(const char *claims, bool anonymous, bool forwardable) {
    if (!forwardable || !citus_in_database() || citus_internal_backend()) return;
    const char *propagate = GetConfigOption("citus.propagate_set_commands", true, false);
    if (propagate == nullptr || strcmp(propagate, "local") != 0)
        ereport(ERROR,
                (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                 errmsg("jwt.authenticate cannot forward claims to the Citus workers"),
                 errdetail("citus.propagate_set_commands is \"%s\", so the workers would see no "
                           "claims.",
                           propagate ? propagate : ""),
                 errhint("Set citus.propagate_set_commands = 'local' for this role or database "
                         "(ALTER ROLE ... SET, which RESET ALL returns to)."),
                 errhidestmt(true), errhidecontext(true)));
    if (!load_cluster_keys())
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("jwt.authenticate cannot forward claims to the Citus workers"),
                        errdetail("No cluster key is configured."),
                        errhint("Set pg_jwt.cluster_key_file on every node to the same file of "
                                "keys (README, \"Citus\")."),
                        errhidestmt(true), errhidecontext(true)));
    start_coordinated_transaction();
    DistributedId id = read_distributed_id();
    current_id = id;  // what the claim accessors of this backend see from now on
    id_read = true;
    if (id.number == 0)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("jwt.authenticate cannot forward claims to the Citus workers"),
                        errdetail("Citus assigned no distributed transaction id."),
                        errhidestmt(true), errhidecontext(true)));
    int64 not_after = id.stamp + static_cast<int64>(setting_carrier_ttl_s) * USECS_PER_SEC;
    int64 exp;
    if (!anonymous && exp_of(claims, exp) && exp < not_after) not_after = exp;
    const char *database = get_database_name(MyDatabaseId);
    const char *role = GetUserNameFromId(GetUserId(), false);

    char *value = nullptr;
    run_core_or_raise([&]() -> Status {
        const carrier::Binding binding = binding_of(id, database, role);
        carrier::Payload payload;
        payload.anonymous = anonymous;
        payload.not_after = not_after;
        if (!anonymous) payload.claims = claims;
        std::string text;
        PGJWT_TRY(cluster_keys->sealer.seal(binding, payload, text));
        value = copy_to_cstring(text);
        return value != nullptr ? Status::Ok() : copy_failure_status();
    });
    // Plain ASCII (base64url and dots): no quoting needed. Through SPI, so
    // that Citus's utility hook forwards it (FINDINGS.md (a)).
    char *sql = psprintf("SET LOCAL pg_jwt.carrier = '%s'", value);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY) elog(ERROR, "could not set pg_jwt.carrier");
    SPI_finish();
    pfree(sql);
    pfree(value);
}

const char *carrier_claims() {
    const char *text = nonempty_setting(setting_carrier);
    if (text == nullptr || !citus_in_database()) return nullptr;
    if (opened_text != nullptr && strcmp(opened_text, text) == 0) return opened_claims;

    const DistributedId &id = transaction_id();
    // The node that started the distributed transaction sealed the carrier
    // itself (jwt.authenticate, jwt.forward_request_claims): its claims are
    // its own sources, and a carrier there is never read.
    if (id.number != 0 && id.initiator == id.local_group) return nullptr;
    if (id.number == 0)
        refuse_carrier("This backend has no Citus distributed transaction they could be for.",
                       false);
    if (!load_cluster_keys()) refuse_carrier("This node has no pg_jwt.cluster_key_file.", true);
    const char *database = get_database_name(MyDatabaseId);
    const char *role = GetUserNameFromId(GetSessionUserId(), false);
    int64 now = GetCurrentTimestamp();
    int64 leeway = static_cast<int64>(setting_leeway_seconds) * USECS_PER_SEC;

    MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
    char *claims = nullptr;
    bool unknown_kid = false;
    ErrorReport report;
    bool ok = run_core(
        [&]() -> Status {
            carrier::Parsed parsed;
            PGJWT_TRY(carrier::parse(text, parsed));
            const carrier::ClusterKey *key = nullptr;
            for (const carrier::ClusterKey &k : cluster_keys->keys)
                if (k.kid == parsed.kid) key = &k;
            if (key == nullptr) {
                unknown_kid = true;
                return Status::Rejected("unknown key id");
            }
            const carrier::Binding binding = binding_of(id, database, role);
            carrier::Payload payload;
            PGJWT_TRY(carrier::open(*key, parsed, binding, now, leeway, payload));
            claims = copy_to_cstring(payload.anonymous ? std::string_view("{}")
                                                       : std::string_view(payload.claims));
            return claims != nullptr ? Status::Ok() : copy_failure_status();
        },
        report);
    char *copy = ok ? pstrdup(text) : nullptr;
    MemoryContextSwitchTo(old);
    if (!ok) {
        if (unknown_kid)
            refuse_carrier("No key of this node's pg_jwt.cluster_key_file has their key id.", true);
        if (report.fault != Fault::token_rejected) raise_core_error(report);
        if (strcmp(report.message, "sealed claims have expired") == 0)
            refuse_carrier(
                "They have expired: they hold for pg_jwt.carrier_ttl after their "
                "distributed transaction started, and never after the token's exp.",
                false);
        if (strcmp(report.message, "sealed claims are malformed") == 0)
            refuse_carrier(report.detail, false);
        refuse_carrier(
            "They were not sealed with this node's cluster key for this distributed "
            "transaction, database and role.",
            false);
    }
    opened_text = copy;
    opened_claims = claims;
    return claims;
}

void refuse_missing_claims_on_citus_worker() {
    if (!citus_in_database()) return;
    if (!citus_internal_backend()) {
        const DistributedId &id = transaction_id();
        if (id.number == 0 || id.initiator == id.local_group) return;
    }
    ereport(ERROR,
            (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
             errmsg("claims did not reach this Citus worker"),
             errdetail("This query runs on a Citus worker for a distributed transaction, and the "
                       "coordinator sent no sealed claims."),
             errhint("Call jwt.authenticate on the coordinator in the same transaction, with "
                     "citus.propagate_set_commands = 'local'."),
             errhidestmt(true), errhidecontext(true)));
}

void register_citus_carrier() {
    RegisterXactCallback(on_transaction_end, nullptr);
}

}  // namespace pgjwt::pg
