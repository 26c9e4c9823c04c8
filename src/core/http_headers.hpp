// The few HTTP response headers that fetching an identity provider's keys
// reads (RFC 9110, RFC 9111), parsed without the network: the media type of
// Content-Type and the max-age of Cache-Control. Pure functions, so that
// their edge cases are unit tests.
#pragma once
#include "core_guard.hpp"

#include <optional>
#include <string_view>

namespace pgjwt {

// True when `content_type` names JSON: "application/json" or a structured
// syntax "application/<name>+json" (RFC 6839, e.g. application/jwk-set+json),
// case-insensitive, parameters such as "; charset=utf-8" ignored.
bool is_json_media_type(std::string_view content_type);

// The freshness lifetime that Cache-Control gives, in seconds: its max-age,
// or 0 for no-store and no-cache (refetch as soon as allowed); nullopt when
// it says neither (or says it in a way that does not parse). s-maxage is for
// shared caches and is ignored. A max-age beyond a year reads as a year.
std::optional<double> cache_control_max_age(std::string_view cache_control);

}  // namespace pgjwt
