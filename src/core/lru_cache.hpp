// A small least-recently-used map, bounded in entries and in bytes, used for
// the per-backend caches of keyed OpenSSL objects. The key is the key material
// itself (with the algorithm), never an identifier such as `kid`, so a changed
// key can never be served from the cache. Keys are SecretStrings: wiped when
// their entry goes.
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <list>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "secret.hpp"

namespace pgjwt {

template <typename Value>
class LruCache {
  public:
    LruCache(size_t max_entries, size_t max_bytes)
        : max_entries_(max_entries), max_bytes_(max_bytes) {}
    LruCache(const LruCache &) = delete;
    LruCache &operator=(const LruCache &) = delete;
    ~LruCache() { clear(); }

    // The cached value for `key`, now the most recently used, or nullptr.
    Value *find(std::string_view key) {
        auto it = index_.find(key);
        if (it == index_.end()) return nullptr;
        order_.splice(order_.begin(), order_, it->second);
        return &it->second->value;
    }

    // Inserts (replacing any entry under `key`) and returns the stored value.
    // `bytes` is the caller's estimate of what the entry holds.
    Value &insert(std::string_view key, Value value, size_t bytes) {
        erase(key);
        order_.push_front(Entry{SecretString(key), std::move(value), bytes + key.size()});
        // The index refers to the entry's own key: one copy of the key
        // material, wiped when the entry goes.
        index_.emplace(order_.front().key.view(), order_.begin());
        bytes_ += order_.front().bytes;
        while (order_.size() > 1 && (order_.size() > max_entries_ || bytes_ > max_bytes_))
            evict_last();
        return order_.front().value;
    }

    void erase(std::string_view key) {
        auto it = index_.find(key);
        if (it == index_.end()) return;
        auto pos = it->second;
        index_.erase(it);
        remove(pos);
    }

    void clear() {
        while (!order_.empty()) evict_last();
    }

    size_t size() const { return order_.size(); }
    size_t bytes() const { return bytes_; }

  private:
    struct Entry {
        SecretString key;
        Value value;
        size_t bytes;
    };
    using Iterator = typename std::list<Entry>::iterator;

    void evict_last() {
        auto pos = std::prev(order_.end());
        index_.erase(pos->key.view());
        remove(pos);
    }
    void remove(Iterator pos) {
        bytes_ -= pos->bytes;
        order_.erase(pos);
    }

    size_t max_entries_;
    size_t max_bytes_;
    size_t bytes_ = 0;
    std::list<Entry> order_;
    std::unordered_map<std::string_view, Iterator> index_;
};

}  // namespace pgjwt
