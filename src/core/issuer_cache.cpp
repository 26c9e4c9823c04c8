#include "issuer_cache.hpp"

namespace pgjwt {
namespace {

size_t record_bytes(std::string_view iss, const IssuerRecord *record) {
    size_t bytes = iss.size() + 128;
    if (record == nullptr) return bytes;
    // The stored text, and about as much again for its parsed keys.
    bytes += 2 * record->jwks.size();
    for (const std::string &a : record->audiences) bytes += a.size() + 32;
    for (const std::string &a : record->algorithms) bytes += a.size() + 32;
    bytes += record->role_claim_key.size();
    return bytes;
}

void parse_keys(const IssuerRecord &record, IssuerKeys &keys) {
    if (!record.has_keys) return;
    PublishedKeySet set;
    keys.status = check_published_key_set(record.jwks, set);
    if (!keys.status.ok()) return;
    for (PublishedKey &key : set.keys) {
        std::optional<Algorithm> alg = parse_algorithm(key.algorithm);
        if (!alg) continue;  // check_published_key_set names known algorithms only
        keys.algorithms.push_back(*alg);
        keys.keys.push_back(std::move(key));
    }
}

}  // namespace

void IssuerCache::clear() {
    entries_.clear();
    bytes_ = 0;
    any_known_ = any_ = false;
}

void IssuerCache::sync(uint64_t generation) {
    if (generation == generation_) return;
    clear();
    generation_ = generation;
}

void IssuerCache::store_any(bool any) {
    any_known_ = true;
    any_ = any;
}

const IssuerCache::Entry *IssuerCache::find(std::string_view iss) const {
    auto it = entries_.find(iss);
    return it == entries_.end() ? nullptr : &it->second;
}

void IssuerCache::store(std::string_view iss, const IssuerRecord *record) {
    size_t bytes = record_bytes(iss, record);
    if (entries_.size() >= kMaxEntries || bytes_ + bytes > kMaxBytes) {
        entries_.clear();
        bytes_ = 0;
    }
    Entry entry;
    entry.found = record != nullptr;
    if (record != nullptr) {
        entry.record = *record;
        parse_keys(entry.record, entry.keys);
        entry.record.jwks.clear();  // parsed: the text is not needed again
        entry.record.jwks.shrink_to_fit();
    }
    entries_.insert_or_assign(std::string(iss), std::move(entry));
    bytes_ += bytes;
}

IssuerCache &issuer_cache() {
    static IssuerCache instance;
    return instance;
}

}  // namespace pgjwt
