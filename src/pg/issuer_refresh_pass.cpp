#include "pg/issuer_refresh_pass.hpp"

#include "pg/boundary.hpp"

#include <string>
#include <vector>

#include "core/http_fetch.hpp"
#include "core/issuer_refresh.hpp"
#include "core/limits.hpp"
#include "pg/issuer_access.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/memutils.h"
}

namespace pgjwt::pg {
namespace {

// The hosts of every configured URL (a discovery document may send pg_jwt
// to any of them), in palloc'd memory; nullptr for a URL that does not parse.
char **configured_hosts(const RefreshRows &rows) {
    char **hosts = static_cast<char **>(palloc0(sizeof(char *) * (rows.count ? rows.count : 1)));
    run_core_or_raise([&]() -> Status {
        for (int i = 0; i < rows.count; i++) {
            std::string host;
            if (!https_url_host(rows.rows[i].url, host).ok()) continue;
            hosts[i] = copy_to_cstring(host);
            if (!hosts[i]) return copy_failure_status();
        }
        return Status::Ok();
    });
    return hosts;
}

// Fetches `row`'s keys (the core's work, through the boundary).
FetchRecord fetch(const RefreshRow &row, const RefreshRows &rows, char **hosts) {
    FetchRecord record;
    // Sized before the C++ work: a stored set has at most kMaxKeySetKeys keys.
    record.kids.items = static_cast<char **>(palloc(sizeof(char *) * kMaxKeySetKeys));
    record.algorithms.items = static_cast<char **>(palloc(sizeof(char *) * kMaxKeySetKeys));
    double refresh_after = 0;
    const char *ca_file = nonempty_setting(setting_ca_file);
    const long timeout_ms = setting_fetch_timeout_ms;
    run_core_or_raise([&]() -> Status {
        IssuerSource source;
        source.issuer = row.issuer;
        source.url = row.url;
        for (int i = 0; i < rows.count; i++)
            if (hosts[i] != nullptr) source.trusted_hosts.emplace_back(hosts[i]);
        source.has_stored_set = row.has_keys;
        if (row.jwks_uri) source.stored_jwks_uri = row.jwks_uri;
        if (row.etag) source.stored_etag = row.etag;
        if (ca_file) source.ca_file = ca_file;
        source.timeout_ms = timeout_ms;
        source.min_refresh = row.min_refresh_seconds;
        source.max_refresh = row.max_refresh_seconds;
        RefreshOutcome outcome;
        PGJWT_TRY(refresh_issuer(source, outcome));
        record.kind = outcome.result == RefreshResult::updated     ? FetchRecord::updated
                      : outcome.result == RefreshResult::unchanged ? FetchRecord::unchanged
                                                                   : FetchRecord::failed;
        record.http_status = static_cast<int>(outcome.http_status);
        refresh_after = outcome.refresh_after;
        auto copy = [](const std::string &s, char *&to) {
            to = copy_to_cstring(s);
            return to != nullptr;
        };
        if (!outcome.message.empty() && !copy(outcome.message, record.message))
            return copy_failure_status();
        if (!outcome.jwks_uri.empty() && !copy(outcome.jwks_uri, record.jwks_uri))
            return copy_failure_status();
        if (!outcome.etag.empty() && !copy(outcome.etag, record.etag)) return copy_failure_status();
        if (outcome.result == RefreshResult::updated) {
            if (!copy(outcome.keys.jwks, record.jwks)) return copy_failure_status();
            // Parallel lists: a key without kid has a NULL there.
            for (const PublishedKey &key : outcome.keys.keys) {
                char *kid = nullptr;
                if (key.has_kid && !copy(key.kid, kid)) return copy_failure_status();
                record.kids.items[record.kids.count++] = kid;
                char *alg = nullptr;
                if (!copy(key.algorithm, alg)) return copy_failure_status();
                record.algorithms.items[record.algorithms.count++] = alg;
            }
        }
        return Status::Ok();
    });
    record.attempted_at = GetCurrentTimestamp();
    // Whole milliseconds: a schedule needs no finer grain.
    record.next_refresh = TimestampTzPlusMilliseconds(record.attempted_at,
                                                      static_cast<int64>(refresh_after * 1000.0));
    return record;
}

const char *outcome_name(FetchRecord::Kind kind) {
    switch (kind) {
        case FetchRecord::updated:
            return "updated";
        case FetchRecord::unchanged:
            return "unchanged";
        case FetchRecord::failed:
            return "failed";
    }
    return "failed";
}

// Whether a wanted issuer is due now; else when its cooldown ends.
bool wanted_due(const RefreshPass &pass, const RefreshRow &row, uint32 hash, TimestampTz now,
                TimestampTz &cooldown_end) {
    for (int i = 0; i < pass.wanted_count; i++) {
        if (pass.wanted[i] != hash) continue;
        if (!row.has_attempt) return true;
        cooldown_end = TimestampTzPlusMilliseconds(row.attempted_at, pass.cooldown_ms);
        return cooldown_end <= now;
    }
    return false;
}

void mark_served(RefreshPass *pass, uint32 hash) {
    for (int i = 0; i < pass->wanted_count; i++)
        if (pass->wanted[i] == hash) pass->wanted_served[i] = true;
}

}  // namespace

uint32 issuer_hash(const char *issuer) {
    return hash_bytes(reinterpret_cast<const unsigned char *>(issuer),
                      static_cast<int>(strlen(issuer)));
}

void run_refresh_pass(RefreshPass *pass) {
    pass->next_due = DT_NOEND;
    // A wanted hash that names no configured issuer is served by being dropped.
    for (int i = 0; i < pass->wanted_count; i++) pass->wanted_served[i] = true;
    RefreshRows rows;
    read_refresh_rows(&rows);
    char **hosts = configured_hosts(rows);
    uint32 *hashes = static_cast<uint32 *>(palloc(sizeof(uint32) * (rows.count ? rows.count : 1)));
    for (int i = 0; i < rows.count; i++) {
        hashes[i] = issuer_hash(rows.rows[i].issuer);
        for (int j = 0; j < pass->wanted_count; j++)
            if (pass->wanted[j] == hashes[i]) pass->wanted_served[j] = false;
    }

    // Each issuer's documents (up to 1 MiB each) live only until its turn ends.
    MemoryContext per_issuer =
        AllocSetContextCreate(CurrentMemoryContext, "pg_jwt refresh", ALLOCSET_DEFAULT_SIZES);
    MemoryContext outer = MemoryContextSwitchTo(per_issuer);
    for (int i = 0; i < rows.count; i++) {
        CHECK_FOR_INTERRUPTS();
        MemoryContextReset(per_issuer);
        const RefreshRow &row = rows.rows[i];
        const TimestampTz now = GetCurrentTimestamp();
        TimestampTz cooldown_end = DT_NOEND;
        const bool wanted = wanted_due(*pass, row, hashes[i], now, cooldown_end);
        const bool due =
            pass->force || wanted || !row.has_state || !row.same_url || row.next_refresh <= now;
        RefreshRowResult result = {row.issuer,       "not due", 0, row.has_keys ? row.key_count : 0,
                                   row.next_refresh, nullptr};
        if (due) {
            FetchRecord record = fetch(row, rows, hosts);
            write_fetch_record(row, record);
            mark_served(pass, hashes[i]);
            result.outcome = outcome_name(record.kind);
            result.http_status = record.http_status;
            if (record.kind == FetchRecord::updated) result.keys = record.algorithms.count;
            result.next_refresh = record.next_refresh;
            result.message = record.message;
        } else if (cooldown_end < pass->next_due) {
            pass->next_due = cooldown_end;  // a wanted issuer in its cooldown
        }
        if (result.next_refresh < pass->next_due) pass->next_due = result.next_refresh;
        if (pass->emit != nullptr) pass->emit(pass->emit_arg, result);
    }
    MemoryContextSwitchTo(outer);
    MemoryContextDelete(per_issuer);
}

}  // namespace pgjwt::pg
