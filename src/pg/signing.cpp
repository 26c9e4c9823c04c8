#include "pg/signing.hpp"

#include "pg/boundary.hpp"

#include <string>

#include "core/jwt.hpp"

namespace pgjwt::pg {

struct varlena *sign_payload(const PayloadArgument &payload, const KeyArgument &key,
                             const char *header) {
    struct varlena *result = nullptr;
    run_core_or_raise([&]() -> Status {
        JwtSignRequest request{};
        PGJWT_TRY(resolve_key_argument(key, KeyPurpose::sign, {}, request.alg, request.key));
        request.claims_json = std::string_view(payload.json, payload.size);
        request.keep_claims_text = payload.keep_text;
        request.extra_header = header ? std::string_view(header) : std::string_view();
        for (int i = 0; i < kTimeClaims; i++)
            if (payload.time_values[i] != nullptr)
                request.replacements.emplace_back(kTimeClaimNames[i], payload.time_values[i]);
        std::string token;
        PGJWT_TRY(jwt_sign(request, token));
        result = copy_to_varlena(token);
        return result ? Status::Ok() : copy_failure_status();
    });
    return result;
}

}  // namespace pgjwt::pg
