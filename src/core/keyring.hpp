// The backend's copy of what validation has read of the keyring (jwt.keys):
// the rows looked up by kid (also "no such kid"), the newest keys of each
// algorithm for tokens without a kid, and the algorithms in use. Each entry
// belongs to one generation of the table (the glue's invalidation counter,
// DESIGN.md section 2.9); a new generation forgets them all. Nothing here
// is parsed key material: parsed keys live in the key cache (key_set.hpp),
// keyed by the JWK text and algorithm, never by kid.
//
// A validation never walks the keyring: it looks its kid up (one index
// probe on the primary key, then cached, also when absent), or for a token
// without kid reads the newest kMaxCandidateKeys keys of the token's
// algorithm (an index on (algorithm, created_at)).
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "secret.hpp"
#include "string_hash.hpp"

namespace pgjwt {

// A row of jwt.keys as validation needs it (times in seconds since 1970).
struct KeyringRecord {
    std::string kid;
    std::string algorithm;  // as stored
    SecretString jwk;       // public JWK, or an oct key's private JWK
    bool active = true;
    double not_before = 0;
    bool has_expiry = false;
    double expires_at = 0;

    // Active, not_before reached and not expired.
    bool usable_at(double now) const {
        return active && not_before <= now && (!has_expiry || now < expires_at);
    }
};

// What validation needs from jwt.keys that the cache does not hold yet.
struct KeyringRequest {
    // issuers_any: whether jwt.issuers has a row; issuer: that issuer's row
    // and fetched set (issuer_cache.hpp).
    enum class Kind { none, algorithms, kid, candidates, issuers_any, issuer };
    Kind kind = Kind::none;
    std::string value;  // the kid, the algorithm name, or the issuer
};

class KeyringCache {
  public:
    // Bounds of the kid entries (a token's kid is the caller's input: a
    // stream of unknown kids must not grow the cache without end). Past
    // either bound the kid entries are dropped together: each costs one
    // index probe to read again.
    static constexpr size_t kMaxKidEntries = 4096;
    static constexpr size_t kMaxKidBytes = 4 * 1024 * 1024;

    // Forgets everything unless the entries are of `generation`.
    void sync(uint64_t generation);
    uint64_t generation() const { return generation_; }

    // The algorithm names of the active keys, newest key first, or nullptr.
    const std::vector<std::string> *algorithms() const {
        return has_algorithms_ ? &algorithms_ : nullptr;
    }
    void store_algorithms(std::vector<std::string> algorithms);

    // nullptr: not read yet. Otherwise the row, or (found == false) the
    // knowledge that jwt.keys has no such kid.
    struct KidEntry {
        bool found = false;
        KeyringRecord record;
    };
    const KidEntry *find_kid(std::string_view kid) const;
    void store_kid(std::string_view kid, const KeyringRecord *record);

    // The newest keys (at most kMaxCandidateKeys) of `algorithm` usable at
    // `now`, when read for a time window that holds `now`; else nullptr.
    const std::vector<KeyringRecord> *find_candidates(std::string_view algorithm, double now) const;
    // `records` are the keys usable at any time in [valid_from, valid_until).
    void store_candidates(std::string_view algorithm, std::vector<KeyringRecord> records,
                          double valid_from, double valid_until);

    size_t kid_entries() const { return kids_.size(); }
    void clear();

  private:
    struct Candidates {
        std::vector<KeyringRecord> records;
        double valid_from = 0, valid_until = 0;
    };
    uint64_t generation_ = 0;
    bool has_algorithms_ = false;
    std::vector<std::string> algorithms_;
    StringMap<KidEntry> kids_;  // looked up by a kid without copying it
    size_t kid_bytes_ = 0;
    std::unordered_map<std::string, Candidates> candidates_;
};

// The backend's one keyring cache.
KeyringCache &keyring_cache();

}  // namespace pgjwt
