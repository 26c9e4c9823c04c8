// The backend's copy of what validation has read of jwt.issuers and of the
// key sets fetched for them (jwt.issuer_keys): per issuer (the exact "iss"),
// its configuration and its fetched public keys, parsed once; also the
// knowledge that an "iss" is not configured, and whether any issuer is.
// Each entry belongs to one generation of the two tables (the glue's
// invalidation counter, DESIGN.md section 2.9); a new generation forgets
// them all. A token's "iss" is the caller's input: the entries are bounded
// like the keyring cache's kid entries.
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "algorithm.hpp"
#include "issuer_document.hpp"
#include "status.hpp"
#include "string_hash.hpp"

namespace pgjwt {

// A row of jwt.issuers with its fetched set, as the glue read it (times in
// seconds since 1970).
struct IssuerRecord {
    bool has_audiences = false;
    std::vector<std::string> audiences;
    bool has_algorithms = false;
    std::vector<std::string> algorithms;
    bool audience_required = true;
    // jwt.authenticate's role claim for this issuer's tokens (a PostgREST 16
    // JSONPath, "" for none); unset: pg_jwt.role_claim_key.
    bool has_role_claim_key = false;
    std::string role_claim_key;
    double max_stale = 86400;
    // A set fetched from the URL configured now (a set fetched from an
    // earlier URL does not count).
    bool has_keys = false;
    double fetched_at = 0;  // its last successful fetch
    std::string jwks;       // the stored set (public keys only)
};

// An issuer's stored set, checked again as when it was fetched
// (check_published_key_set): what is in the table is used only if a fetch
// could have stored it.
struct IssuerKeys {
    Status status;  // not ok: the stored set is not one a fetch would keep
    std::vector<PublishedKey> keys;
    std::vector<Algorithm> algorithms;  // of each key
};

class IssuerCache {
  public:
    static constexpr size_t kMaxEntries = 1024;
    static constexpr size_t kMaxBytes = 16 * 1024 * 1024;

    struct Entry {
        bool found = false;
        IssuerRecord record;
        IssuerKeys keys;
    };

    // Forgets everything unless the entries are of `generation`.
    void sync(uint64_t generation);
    uint64_t generation() const { return generation_; }

    // Whether jwt.issuers has a row: unknown until store_any().
    bool any_known() const { return any_known_; }
    bool any() const { return any_; }
    void store_any(bool any);

    // nullptr: not read yet; else the issuer, or (found == false) the
    // knowledge that no row names it.
    const Entry *find(std::string_view iss) const;
    // Stores what was read (record nullptr: not configured), parsing its set.
    void store(std::string_view iss, const IssuerRecord *record);

    size_t entries() const { return entries_.size(); }
    void clear();

  private:
    uint64_t generation_ = 0;
    bool any_known_ = false, any_ = false;
    StringMap<Entry> entries_;
    size_t bytes_ = 0;
};

// The backend's one issuer cache.
IssuerCache &issuer_cache();

}  // namespace pgjwt
