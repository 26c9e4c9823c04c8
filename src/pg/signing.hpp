// The one signing path behind jwt.sign, shared with jwt.issue: claims and a
// key argument in, a compact JWS out.
#pragma once

#include "pg/key_argument.hpp"
#include "pg/payload_argument.hpp"

namespace pgjwt::pg {

// Signs `payload` with `key` (its algorithm given or the JWK's), adding the
// members of `header` (JSON object text, or nullptr). Raises on any fault,
// with the SQLSTATE and message jwt.sign gives (PostgreSQL calls only).
struct varlena *sign_payload(const PayloadArgument &payload, const KeyArgument &key,
                             const char *header);

}  // namespace pgjwt::pg
