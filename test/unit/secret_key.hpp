// A Key for a raw HMAC secret, resolved as jwt.sign and jwt.verify resolve a
// bytea secret (any bytes, no length minimum), for `alg`.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "core/key.hpp"

namespace pgjwt_test {

inline pgjwt::Key SecretKey(std::string_view secret,
                            pgjwt::Algorithm alg = pgjwt::Algorithm::HS256) {
    pgjwt::Key key;
    pgjwt::Status s = pgjwt::resolve_key(alg, secret, pgjwt::KeyEncoding::binary, key);
    EXPECT_TRUE(s.ok()) << s.message << " " << s.detail;
    return key;
}

}  // namespace pgjwt_test
