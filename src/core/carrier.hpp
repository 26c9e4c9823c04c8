// Sealed claims for Citus workers (issue 18; test/citus/DESIGN.md): the
// coordinator seals the claims it verified with AES-256-GCM under a key
// derived from the cluster key, bound to the distributed transaction, the
// database and the role; a worker opens them with the same binding, taken
// from its own state. The text form travels in a forwarded SET LOCAL, so it
// is plain ASCII:
//
//     v1.<kid>.<salt>.<nonce>.<ciphertext||tag>     (base64url, no padding)
//
// Not yet called by the glue.
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "secret.hpp"
#include "status.hpp"

namespace pgjwt::carrier {

constexpr size_t kKeyBytes = 32;    // a cluster key, and each derived key (AES-256)
constexpr size_t kSaltBytes = 16;   // per sealing backend
constexpr size_t kNonceBytes = 12;  // GCM's 96-bit nonce: 4 zero bytes and a 64-bit counter
constexpr size_t kTagBytes = 16;
constexpr size_t kMaxKidBytes = 64;
constexpr size_t kMaxKeys = 16;               // lines in a key file
constexpr size_t kMaxKeyFileBytes = 8192;     // the file's size
constexpr size_t kMaxClaimsBytes = 1u << 20;  // the claims a carrier holds
// The longest carrier text: the claims, the plaintext's header and tag,
// base64url, and the other parts.
constexpr size_t kPlaintextHeaderBytes = 10;  // version, flags, not_after
constexpr size_t kMaxCarrierChars =
    (kMaxClaimsBytes + kPlaintextHeaderBytes + kTagBytes) / 3 * 4 + 4 + 256;

// One cluster key: its id and 32 bytes.
struct ClusterKey {
    std::string kid;
    SecretString key;
};

// Reads a key file: one key per line, "<kid> <32 bytes in base64url>",
// blank lines and lines starting with '#' ignored, white space around the
// two fields allowed. A kid is 1 to 64 characters of A-Z a-z 0-9 . _ -; no
// kid twice; 1 to kMaxKeys keys. The first key seals, every key opens.
// invalid_argument (the operator's file), whose detail names the line
// number, never the key.
Status parse_key_file(std::string_view text, std::vector<ClusterKey> &keys);

// HKDF-SHA256 (RFC 5869), extract and expand, `length` bytes into `out`.
Status hkdf_sha256(std::string_view ikm, std::string_view salt, std::string_view info,
                   size_t length, SecretString &out);

// What a carrier is bound to. The worker fills it from its own state; none
// of it travels in the carrier.
struct Binding {
    int32_t initiator_group = 0;      // get_current_transaction_id().initiator_node_identifier
    uint64_t transaction_number = 0;  // .transaction_number (never 0 for a real one)
    int64_t transaction_stamp = 0;    // .transaction_stamp, microseconds since 2000-01-01 UTC
    std::string database;             // current_database()
    std::string role;                 // the role the claims are for
};

// What a carrier holds.
struct Payload {
    bool anonymous = false;  // an explicit "no claims" (jwt.authenticate(NULL) with an anon role)
    int64_t not_after = 0;   // microseconds since 2000-01-01 UTC
    std::string claims;      // the verified claims as JSON text; empty when anonymous
};

// Seals carriers for one backend: a key derived once from a cluster key and
// a random salt, and a nonce counter, so that no nonce repeats under a key.
class Sealer {
  public:
    // A fresh salt from OpenSSL's generator.
    static Status create(const ClusterKey &key, Sealer &out);
    // A given salt (tests).
    static Status create_with_salt(const ClusterKey &key, std::string_view salt, Sealer &out);

    // Appends nothing on failure; `out` is replaced by the carrier text.
    Status seal(const Binding &binding, const Payload &payload, std::string &out);

    bool ready() const { return !kid_.empty(); }

  private:
    std::string kid_;
    std::string salt_;
    SecretString key_;
    uint64_t next_nonce_ = 0;
};

// A carrier's parts, decoded (no key needed).
struct Parsed {
    std::string kid;
    std::string salt;
    std::string nonce;
    std::string sealed;  // ciphertext and tag
};

// Strict reading of the text form: token_rejected "sealed claims are
// malformed" (the detail says which part, never quoting the value).
Status parse(std::string_view text, Parsed &out);

// Opens `parsed` with `key` (the cluster key whose kid it names) for
// `binding`; the payload must still be valid at `now` (microseconds since
// 2000-01-01 UTC) with `leeway` microseconds. token_rejected on any failure.
Status open(const ClusterKey &key, const Parsed &parsed, const Binding &binding, int64_t now,
            int64_t leeway, Payload &out);

}  // namespace pgjwt::carrier
