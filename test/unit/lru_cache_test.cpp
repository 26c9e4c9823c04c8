// The bounded least-recently-used map behind the per-backend caches
// (src/core/lru_cache.hpp): bounded in entries and bytes, values destroyed
// on eviction, key bytes wiped.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/lru_cache.hpp"
#include "unit/freed_memory_probe.hpp"

namespace {

using pgjwt::LruCache;

// A value that records its destruction (as a cached EVP_MAC_CTX is freed).
struct Tracked {
    std::shared_ptr<std::vector<int>> log;
    int id = 0;
    Tracked(std::shared_ptr<std::vector<int>> l, int i) : log(std::move(l)), id(i) {}
    Tracked(Tracked &&other) noexcept : log(std::move(other.log)), id(other.id) {}
    Tracked &operator=(Tracked &&) = delete;
    ~Tracked() {
        if (log) log->push_back(id);
    }
};

TEST(LruCache, FindAndInsert) {
    LruCache<int> cache(4, 1000);
    EXPECT_EQ(cache.find("a"), nullptr);
    int &stored = cache.insert("a", 1, 10);
    EXPECT_EQ(stored, 1);
    ASSERT_NE(cache.find("a"), nullptr);
    EXPECT_EQ(*cache.find("a"), 1);
    EXPECT_EQ(cache.find("b"), nullptr);
    EXPECT_EQ(cache.size(), 1u);
    // An entry's bytes are the caller's estimate plus the key's length.
    EXPECT_EQ(cache.bytes(), 11u);
    *cache.find("a") = 5;
    EXPECT_EQ(*cache.find("a"), 5);
}

TEST(LruCache, InsertReplacesTheSameKey) {
    LruCache<int> cache(4, 1000);
    cache.insert("key", 1, 10);
    cache.insert("key", 2, 20);
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(cache.bytes(), 23u);
    EXPECT_EQ(*cache.find("key"), 2);
}

TEST(LruCache, KeysAreBytes) {
    using namespace std::literals;
    LruCache<int> cache(4, 1000);
    cache.insert("a\0b"s, 1, 0);
    cache.insert("a"s, 2, 0);
    cache.insert("a\0"s, 3, 0);
    EXPECT_EQ(cache.size(), 3u);
    EXPECT_EQ(*cache.find("a\0b"s), 1);
    EXPECT_EQ(*cache.find("a"s), 2);
    EXPECT_EQ(*cache.find("a\0"s), 3);
    EXPECT_EQ(cache.find("ab"s), nullptr);
}

TEST(LruCache, EvictsTheLeastRecentlyUsedByEntries) {
    LruCache<int> cache(3, 1000);
    cache.insert("a", 1, 0);
    cache.insert("b", 2, 0);
    cache.insert("c", 3, 0);
    cache.insert("d", 4, 0);  // evicts a
    EXPECT_EQ(cache.size(), 3u);
    EXPECT_EQ(cache.find("a"), nullptr);
    EXPECT_NE(cache.find("b"), nullptr);  // b is now the most recent: c is the oldest
    cache.insert("e", 5, 0);              // evicts c
    EXPECT_EQ(cache.find("c"), nullptr);
    // Use order, most recent first: after these lookups e, d, b.
    EXPECT_NE(cache.find("b"), nullptr);
    EXPECT_NE(cache.find("d"), nullptr);
    EXPECT_NE(cache.find("e"), nullptr);
    // A replacement is a use too: d, e, b; then f evicts b.
    cache.insert("d", 40, 0);
    cache.insert("f", 6, 0);
    EXPECT_EQ(cache.find("b"), nullptr);
    EXPECT_EQ(*cache.find("d"), 40);
    EXPECT_NE(cache.find("e"), nullptr);
    EXPECT_NE(cache.find("f"), nullptr);
    EXPECT_EQ(cache.size(), 3u);
}

TEST(LruCache, EvictsTheLeastRecentlyUsedByBytes) {
    LruCache<int> cache(100, 100);
    cache.insert("a", 1, 39);  // 40 bytes
    cache.insert("b", 2, 39);  // 80
    EXPECT_EQ(cache.bytes(), 80u);
    cache.find("a");
    cache.insert("c", 3, 19);  // exactly 100: nothing evicted
    EXPECT_EQ(cache.size(), 3u);
    EXPECT_EQ(cache.bytes(), 100u);
    cache.insert("d", 4, 0);  // 101: b, the least recently used, goes
    EXPECT_EQ(cache.find("b"), nullptr);
    EXPECT_EQ(cache.size(), 3u);
    EXPECT_EQ(cache.bytes(), 61u);
    cache.insert("e", 5, 59);  // 121: a goes, then 81
    EXPECT_EQ(cache.find("a"), nullptr);
    EXPECT_NE(cache.find("c"), nullptr);
    EXPECT_NE(cache.find("d"), nullptr);
    EXPECT_EQ(cache.bytes(), 81u);
}

TEST(LruCache, AnOversizedEntryStaysAlone) {
    LruCache<int> cache(10, 100);
    cache.insert("a", 1, 10);
    cache.insert("b", 2, 10);
    int &big = cache.insert("big", 3, 1000);
    EXPECT_EQ(big, 3);
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(cache.bytes(), 1003u);
    EXPECT_EQ(*cache.find("big"), 3);
    cache.insert("c", 4, 1);  // the big one is evicted to make room
    EXPECT_EQ(cache.find("big"), nullptr);
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(cache.bytes(), 2u);
}

TEST(LruCache, EraseAndClear) {
    LruCache<int> cache(10, 1000);
    cache.insert("a", 1, 5);
    cache.insert("b", 2, 5);
    cache.erase("missing");
    EXPECT_EQ(cache.size(), 2u);
    cache.erase("a");
    EXPECT_EQ(cache.find("a"), nullptr);
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(cache.bytes(), 6u);
    cache.clear();
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_EQ(cache.bytes(), 0u);
    EXPECT_EQ(cache.find("b"), nullptr);
    cache.insert("b", 3, 5);
    EXPECT_EQ(*cache.find("b"), 3);
}

TEST(LruCache, ValuesAreDestroyedWhenTheyLeave) {
    auto log = std::make_shared<std::vector<int>>();
    {
        LruCache<Tracked> cache(2, 1000);
        cache.insert("a", Tracked(log, 1), 0);
        cache.insert("b", Tracked(log, 2), 0);
        EXPECT_TRUE(log->empty());
        cache.insert("c", Tracked(log, 3), 0);  // evicts a
        EXPECT_EQ(*log, std::vector<int>{1});
        cache.insert("c", Tracked(log, 4), 0);  // replaces c
        EXPECT_EQ(*log, (std::vector<int>{1, 3}));
        cache.erase("b");
        EXPECT_EQ(*log, (std::vector<int>{1, 3, 2}));
        cache.insert("d", Tracked(log, 5), 0);
        cache.clear();
        EXPECT_EQ(log->size(), 5u);
        cache.insert("e", Tracked(log, 6), 0);
    }
    // The destructor frees what is left.
    EXPECT_EQ(log->size(), 6u);
    EXPECT_EQ(log->back(), 6);
}

TEST(LruCache, MoveOnlyValues) {
    LruCache<std::unique_ptr<int>> cache(2, 1000);
    cache.insert("a", std::make_unique<int>(7), 0);
    ASSERT_NE(cache.find("a"), nullptr);
    EXPECT_EQ(**cache.find("a"), 7);
}

// Evicted key bytes are wiped (the HMAC cache's keys are secrets): no block
// freed while an entry leaves still holds the key. Regression: the index
// once held a second copy of every key, freed without being wiped.
TEST(LruCache, KeyBytesAreWipedWhenEntriesLeave) {
    if (!pgjwt_test::freed_memory_probe_available())
        GTEST_SKIP() << "freed memory cannot be inspected under AddressSanitizer";
    // Longer than the small-string buffer, so the bytes live on the heap.
    const std::string secret = "0123456789abcdef-this-stands-for-an-HMAC-secret";
    for (int way = 0; way < 3; ++way) {
        size_t hits = 0;
        {
            LruCache<int> cache(1, 1 << 20);
            std::string key = secret;
            cache.insert(key, 1, 0);
            OPENSSL_cleanse(key.data(), key.size());
            pgjwt_test::FreedMemoryProbe probe(secret);
            if (way == 0) cache.erase(secret);
            if (way == 1) cache.insert("other", 2, 0);  // evicts the secret
            if (way == 2) cache.clear();
            hits = probe.hits();
        }
        EXPECT_EQ(hits, 0u) << "freed blocks still holding the key, way " << way;
    }
}

}  // namespace
