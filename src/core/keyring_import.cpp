#include "keyring_import.hpp"

#include "jwk.hpp"
#include "jwk_set.hpp"
#include "key_algorithms.hpp"
#include "key_import.hpp"
#include "limits.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

Status one_key(std::string_view material, bool has_algorithm, std::string_view algorithm,
               std::string_view kid, KeyringImport &out) {
    Algorithm alg;
    if (has_algorithm) {
        PGJWT_TRY(algorithm_from_argument(algorithm, alg));
    } else {
        if (!looks_like_json_object(material))
            return Status::InvalidArgument(
                "algorithm must not be NULL",
                "Only a JWK or a JWK set names its algorithm; pass the one a PEM key or a "
                "secret is for.");
        std::vector<Algorithm> algs;
        PGJWT_TRY(default_algorithms(material, KeyEncoding::text, algs));
        alg = algs.front();
    }
    ImportedKey key;
    PGJWT_TRY(import_key_text(alg, material, key));
    if (kid.empty() && key.has_kid) kid = key.kid;
    KeyringImport::Row &row = out.rows.emplace_back();
    row.alg = alg;
    return keyring_entry(key, alg, kid, row.entry);
}

// Two rows of one kid cannot both be stored (jwt.keys holds one key per kid).
Status check_distinct_kids(const KeyringImport &out, const std::vector<std::string> &labels) {
    for (size_t i = 0; i < out.rows.size(); i++)
        for (size_t j = i + 1; j < out.rows.size(); j++)
            if (out.rows[i].entry.kid == out.rows[j].entry.kid)
                return Status::InvalidArgument(
                    "JWK set has two keys for kid \"" + excerpt(out.rows[i].entry.kid, 32) + "\"",
                    labels[i] + " and " + labels[j] +
                        " would both be stored under it; jwt.keys holds one key per kid. Add "
                        "them one at a time, each with a kid of its own.");
    return Status::Ok();
}

}  // namespace

Status import_keyring_entries(std::string_view material, bool has_algorithm,
                              std::string_view algorithm, std::string_view kid,
                              KeyringImport &out) {
    out.rows.clear();
    out.skipped.clear();
    PGJWT_TRY(check_key_size(material));
    std::vector<JwkMembers> members;
    bool is_set = false;
    if (looks_like_json_object(material)) PGJWT_TRY(parse_jwk_text(material, members, is_set));
    if (!is_set) return one_key(material, has_algorithm, algorithm, kid, out);
    if (!kid.empty())
        return Status::InvalidArgument(
            "kid cannot be given for a JWK set",
            "Each key of the set is stored with its own kid (or its thumbprint).");
    Algorithm given = Algorithm::HS256;
    if (has_algorithm) PGJWT_TRY(algorithm_from_argument(algorithm, given));

    std::vector<SetKey> keys;
    PGJWT_TRY(import_set_keys(members, keys));
    std::vector<std::string> labels, reasons;
    for (SetKey &k : keys) {
        if (!k.kept) {
            out.skipped.emplace_back(k.label, k.skipped.detail);
            reasons.push_back(k.skipped.detail);
            continue;
        }
        Algorithm alg = given;
        if (!has_algorithm) {
            alg = algorithm_for_type(k.key);
            if (k.jwk.has_alg) PGJWT_TRY(algorithm_from_argument(k.jwk.alg, alg));
        }
        KeyringImport::Row row;
        row.alg = alg;
        Status s = keyring_entry(k.key, alg, k.key.has_kid ? k.key.kid : "", row.entry);
        if (!s.ok()) {
            if (s.fault != Fault::invalid_argument) return s;
            std::string why = unfit_sentence(k.label, algorithm_name(alg), s);
            out.skipped.emplace_back(k.label, why);
            reasons.push_back(std::move(why));
            continue;
        }
        out.rows.push_back(std::move(row));
        labels.push_back(key_position(k.jwk));
    }
    if (out.rows.empty())
        return Status::InvalidArgument(has_algorithm ? "no key in the JWK set fits algorithm " +
                                                           std::string(algorithm_name(given))
                                                     : std::string("no usable key in the JWK set"),
                                       sentences_detail(reasons));
    return check_distinct_kids(out, labels);
}

}  // namespace pgjwt
