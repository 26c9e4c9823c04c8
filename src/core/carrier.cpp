// Sealed claims for Citus workers: see carrier.hpp and test/citus/DESIGN.md.
#include "carrier.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <limits>
#include <utility>

#include "base64url.hpp"
#include "openssl_error.hpp"
#include "openssl_ptr.hpp"

namespace pgjwt::carrier {

namespace {

using CipherCtxPtr = OpenSslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using KdfPtr = OpenSslPtr<EVP_KDF, EVP_KDF_free>;
using KdfCtxPtr = OpenSslPtr<EVP_KDF_CTX, EVP_KDF_CTX_free>;

constexpr std::string_view kVersion = "v1";
constexpr std::string_view kInfo = "pg_jwt carrier v1";
constexpr unsigned char kPlaintextVersion = 1;
constexpr unsigned char kFlagAnonymous = 1;

bool kid_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

bool valid_kid(std::string_view kid) {
    if (kid.empty() || kid.size() > kMaxKidBytes) return false;
    for (char c : kid)
        if (!kid_char(c)) return false;
    return true;
}

bool blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

void put_u32(std::string &out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

void put_u64(std::string &out, uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

uint64_t get_u64(std::string_view in) {
    uint64_t v = 0;
    for (size_t i = 0; i < 8; ++i) v = v << 8 | static_cast<unsigned char>(in[i]);
    return v;
}

// Every field length-prefixed (or of fixed size), so that no two bindings
// share an encoding.
std::string additional_data(std::string_view kid, std::string_view salt, const Binding &b) {
    std::string aad;
    aad.reserve(kInfo.size() + kid.size() + salt.size() + b.database.size() + b.role.size() + 48);
    put_u32(aad, static_cast<uint32_t>(kInfo.size()));
    aad.append(kInfo);
    put_u32(aad, static_cast<uint32_t>(kid.size()));
    aad.append(kid);
    put_u32(aad, static_cast<uint32_t>(salt.size()));
    aad.append(salt);
    put_u32(aad, static_cast<uint32_t>(b.initiator_group));
    put_u64(aad, b.transaction_number);
    put_u64(aad, static_cast<uint64_t>(b.transaction_stamp));
    put_u32(aad, static_cast<uint32_t>(b.database.size()));
    aad.append(b.database);
    put_u32(aad, static_cast<uint32_t>(b.role.size()));
    aad.append(b.role);
    return aad;
}

Status derive(const ClusterKey &key, std::string_view salt, SecretString &out) {
    return hkdf_sha256(key.key, salt, kInfo, kKeyBytes, out);
}

const unsigned char *bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char *>(s.data());
}

Status malformed(const char *detail) {
    return Status::Rejected("sealed claims are malformed", detail);
}

}  // namespace

Status parse_key_file(std::string_view text, std::vector<ClusterKey> &keys) {
    keys.clear();
    if (text.size() > kMaxKeyFileBytes)
        return Status::InvalidArgument(
            "cluster key file is too large",
            "A cluster key file holds at most " + std::to_string(kMaxKeyFileBytes) + " bytes.");
    size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        size_t end = text.find('\n');
        std::string_view line = trim(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (line.empty() || line.front() == '#') continue;
        auto bad = [&](const char *what) {
            keys.clear();
            return Status::InvalidArgument("invalid cluster key file",
                                           "Line " + std::to_string(line_no) + ": " + what);
        };
        size_t space = line.find_first_of(" \t");
        if (space == std::string_view::npos)
            return bad("expected a key id and a key separated by white space.");
        std::string_view kid = line.substr(0, space);
        std::string_view encoded = trim(line.substr(space));
        if (!valid_kid(kid))
            return bad("a key id is 1 to 64 characters of A-Z, a-z, 0-9, \".\", \"_\" and \"-\".");
        for (const ClusterKey &k : keys)
            if (k.kid == kid) return bad("this key id is used twice.");
        if (keys.size() == kMaxKeys) return bad("a cluster key file holds at most 16 keys.");
        SecretString key;
        if (encoded.find_first_of(" \t") != std::string_view::npos ||
            !base64url_decode(encoded, key) || key.size() != kKeyBytes)
            return bad("a key is 32 bytes in base64url without padding.");
        keys.push_back(ClusterKey{std::string(kid), std::move(key)});
    }
    if (keys.empty())
        return Status::InvalidArgument("invalid cluster key file", "The file holds no key.");
    return Status::Ok();
}

Status hkdf_sha256(std::string_view ikm, std::string_view salt, std::string_view info,
                   size_t length, SecretString &out) {
    openssl_clear_errors();
    KdfPtr kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr));
    if (!kdf) return openssl_failure("fetch HKDF");
    KdfCtxPtr ctx(EVP_KDF_CTX_new(kdf.get()));
    if (!ctx) return openssl_failure("create an HKDF context");
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char *>(ikm.data()),
                                          ikm.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char *>(salt.data()),
                                          salt.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char *>(info.data()),
                                          info.size()),
        OSSL_PARAM_construct_end(),
    };
    SecretString derived;
    derived.resize(length);
    if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char *>(derived.data()), length,
                       params) != 1)
        return openssl_failure("derive a key with HKDF");
    out = std::move(derived);
    return Status::Ok();
}

Status Sealer::create(const ClusterKey &key, Sealer &out) {
    openssl_clear_errors();
    std::array<unsigned char, kSaltBytes> salt{};
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1)
        return openssl_failure("generate a salt");
    return create_with_salt(
        key, std::string_view(reinterpret_cast<const char *>(salt.data()), salt.size()), out);
}

Status Sealer::create_with_salt(const ClusterKey &key, std::string_view salt, Sealer &out) {
    if (!valid_kid(key.kid) || key.key.size() != kKeyBytes)
        return Status::InvalidArgument("invalid cluster key");
    if (salt.size() != kSaltBytes) return Status::InvalidArgument("invalid salt");
    Sealer s;
    PGJWT_TRY(derive(key, salt, s.key_));
    s.kid_ = key.kid;
    s.salt_ = std::string(salt);
    out = std::move(s);
    return Status::Ok();
}

Status Sealer::seal(const Binding &binding, const Payload &payload, std::string &out) {
    if (!ready()) return Status::Internal("the sealer has no key");
    if (payload.claims.size() > kMaxClaimsBytes)
        return Status::TooLarge("claims are too large to forward",
                                "At most 1 MiB of claims can be sealed.");
    if (payload.anonymous && !payload.claims.empty())
        return Status::InvalidArgument("an anonymous carrier holds no claims");
    if (next_nonce_ == std::numeric_limits<uint64_t>::max())
        return Status::Internal("the sealer's nonces are used up");
    openssl_clear_errors();

    std::string nonce(4, '\0');
    put_u64(nonce, next_nonce_++);

    SecretString plaintext;
    plaintext.push_back(static_cast<char>(kPlaintextVersion));
    plaintext.push_back(static_cast<char>(payload.anonymous ? kFlagAnonymous : 0));
    for (int shift = 56; shift >= 0; shift -= 8)
        plaintext.push_back(static_cast<char>(static_cast<uint64_t>(payload.not_after) >> shift));
    plaintext.append(payload.claims);

    std::string aad = additional_data(kid_, salt_, binding);
    std::string sealed(plaintext.size() + kTagBytes, '\0');
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    int final_len = 0;
    auto *buf = reinterpret_cast<unsigned char *>(sealed.data());
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
        EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key_), bytes(nonce)) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) !=
            1 ||
        EVP_EncryptUpdate(ctx.get(), buf, &len, bytes(plaintext),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), buf + len, &final_len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, buf + plaintext.size()) !=
            1)
        return openssl_failure("seal claims");

    std::string text;
    text.reserve(kVersion.size() + kid_.size() + base64url_encoded_size(sealed.size()) + 48);
    text.append(kVersion);
    text.push_back('.');
    text.append(kid_);
    text.push_back('.');
    base64url_append(salt_, text);
    text.push_back('.');
    base64url_append(nonce, text);
    text.push_back('.');
    base64url_append(sealed, text);
    out = std::move(text);
    return Status::Ok();
}

Status parse(std::string_view text, Parsed &out) {
    if (text.size() > kMaxCarrierChars) return malformed("The value is too long.");
    std::array<std::string_view, 5> parts;
    size_t n = 0;
    while (true) {
        size_t dot = text.find('.');
        if (n == parts.size()) return malformed("A carrier has five parts separated by dots.");
        parts[n++] = text.substr(0, dot);
        if (dot == std::string_view::npos) break;
        text.remove_prefix(dot + 1);
    }
    if (n != parts.size()) return malformed("A carrier has five parts separated by dots.");
    if (parts[0] != kVersion) return malformed("The carrier's version is not v1.");
    if (!valid_kid(parts[1])) return malformed("The key id is not valid.");
    Parsed p;
    p.kid = std::string(parts[1]);
    if (!base64url_decode(parts[2], p.salt) || p.salt.size() != kSaltBytes)
        return malformed("The salt is not 16 bytes in base64url.");
    if (!base64url_decode(parts[3], p.nonce) || p.nonce.size() != kNonceBytes)
        return malformed("The nonce is not 12 bytes in base64url.");
    if (!base64url_decode(parts[4], p.sealed) ||
        p.sealed.size() < kPlaintextHeaderBytes + kTagBytes)
        return malformed("The sealed part is not base64url of at least 26 bytes.");
    out = std::move(p);
    return Status::Ok();
}

Status open(const ClusterKey &key, const Parsed &parsed, const Binding &binding, int64_t now,
            int64_t leeway, Payload &out) {
    if (key.kid != parsed.kid || key.key.size() != kKeyBytes)
        return Status::InvalidArgument("the cluster key does not match the carrier's key id");
    SecretString derived;
    PGJWT_TRY(derive(key, parsed.salt, derived));
    openssl_clear_errors();

    size_t body = parsed.sealed.size() - kTagBytes;
    std::string aad = additional_data(parsed.kid, parsed.salt, binding);
    SecretString plaintext;
    plaintext.resize(body);
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    int final_len = 0;
    auto *buf = reinterpret_cast<unsigned char *>(plaintext.data());
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
        EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes(derived), bytes(parsed.nonce)) != 1 ||
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) !=
            1 ||
        EVP_DecryptUpdate(ctx.get(), buf, &len, bytes(parsed.sealed), static_cast<int>(body)) !=
            1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes,
                            const_cast<char *>(parsed.sealed.data() + body)) != 1)
        return openssl_failure("open sealed claims");
    if (EVP_DecryptFinal_ex(ctx.get(), buf + len, &final_len) != 1) {
        openssl_clear_errors();
        return Status::Rejected("sealed claims do not verify",
                                "They were not sealed with this cluster key for this distributed "
                                "transaction, database and role.");
    }

    std::string_view p(plaintext.data(), plaintext.size());
    unsigned char version = static_cast<unsigned char>(p[0]);
    unsigned char flags = static_cast<unsigned char>(p[1]);
    if (version != kPlaintextVersion || (flags & ~kFlagAnonymous) != 0)
        return malformed("The sealed content has an unknown version or flags.");
    Payload result;
    result.anonymous = (flags & kFlagAnonymous) != 0;
    result.not_after = static_cast<int64_t>(get_u64(p.substr(2, 8)));
    result.claims = std::string(p.substr(kPlaintextHeaderBytes));
    if (result.anonymous && !result.claims.empty())
        return malformed("An anonymous carrier holds claims.");
    if (leeway < 0) return Status::InvalidArgument("leeway must not be negative");
    bool expired = now > result.not_after &&
                   result.not_after <= std::numeric_limits<int64_t>::max() - leeway &&
                   now > result.not_after + leeway;
    if (expired)
        return Status::Rejected("sealed claims have expired",
                                "They were valid for the distributed transaction they were "
                                "sealed for, for at most pg_jwt.carrier_ttl.");
    out = std::move(result);
    return Status::Ok();
}

}  // namespace pgjwt::carrier
