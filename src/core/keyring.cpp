#include "keyring.hpp"

namespace pgjwt {

void KeyringCache::clear() {
    kids_.clear();
    kid_bytes_ = 0;
    candidates_.clear();
    algorithms_.clear();
    has_algorithms_ = false;
}

void KeyringCache::sync(uint64_t generation) {
    if (generation == generation_) return;
    clear();
    generation_ = generation;
}

void KeyringCache::store_algorithms(std::vector<std::string> algorithms) {
    algorithms_ = std::move(algorithms);
    has_algorithms_ = true;
}

const KeyringCache::KidEntry *KeyringCache::find_kid(std::string_view kid) const {
    auto it = kids_.find(kid);
    return it == kids_.end() ? nullptr : &it->second;
}

void KeyringCache::store_kid(std::string_view kid, const KeyringRecord *record) {
    size_t bytes = kid.size() + (record ? record->jwk.size() + record->algorithm.size() : 0) + 64;
    if (kids_.size() >= kMaxKidEntries || kid_bytes_ + bytes > kMaxKidBytes) {
        kids_.clear();
        kid_bytes_ = 0;
    }
    KidEntry entry;
    entry.found = record != nullptr;
    if (record) entry.record = *record;
    auto [it, inserted] = kids_.insert_or_assign(std::string(kid), std::move(entry));
    (void)it;
    (void)inserted;
    kid_bytes_ += bytes;
}

const std::vector<KeyringRecord> *KeyringCache::find_candidates(std::string_view algorithm,
                                                                double now) const {
    auto it = candidates_.find(std::string(algorithm));
    if (it == candidates_.end()) return nullptr;
    const Candidates &c = it->second;
    if (now < c.valid_from || now >= c.valid_until) return nullptr;
    return &c.records;
}

void KeyringCache::store_candidates(std::string_view algorithm, std::vector<KeyringRecord> records,
                                    double valid_from, double valid_until) {
    Candidates &c = candidates_[std::string(algorithm)];
    c.records = std::move(records);
    c.valid_from = valid_from;
    c.valid_until = valid_until;
}

KeyringCache &keyring_cache() {
    static KeyringCache instance;
    return instance;
}

}  // namespace pgjwt
