#include "issuer_refresh.hpp"

#include <algorithm>
#include <optional>

#include "http_fetch.hpp"
#include "http_headers.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

// Failures that stop refresh_issuers itself; everything else is an outcome.
bool fatal(const Status &s) {
    return s.fault == Fault::cancelled || s.fault == Fault::out_of_memory;
}

std::string reason(const Status &s) {
    return s.detail.empty() ? s.message : s.message + ": " + s.detail;
}

std::string quoted(std::string_view url) {
    return "\"" + excerpt(url, 200) + "\"";
}

// GETs one document. A problem with it (no response, a status other than
// 200 or, for a conditional request, 304, a media type that is not JSON)
// goes into `problem`; the Status fails only when fatal.
Status get_document(const IssuerSource &source, const std::string &url, bool conditional,
                    HttpResponse &response, std::string &problem) {
    HttpRequest request;
    request.url = url;
    request.ca_file = source.ca_file;
    request.total_timeout_ms = source.timeout_ms;
    request.connect_timeout_ms = source.timeout_ms;
    if (conditional) request.if_none_match = source.stored_etag;
    Status s = https_get(request, response);
    if (!s.ok()) {
        if (fatal(s)) return s;
        problem = "GET " + quoted(url) + ": " + reason(s);
        return Status::Ok();
    }
    if (conditional && response.status == 304) return Status::Ok();
    if (response.status != 200) {
        problem = "GET " + quoted(url) + ": HTTP status " + std::to_string(response.status);
        if (response.status >= 300 && response.status < 400)
            problem += " (redirects are not followed: configure the final URL)";
        return Status::Ok();
    }
    if (!is_json_media_type(response.content_type))
        problem = "GET " + quoted(url) + ": content type \"" + excerpt(response.content_type, 64) +
                  "\" is not JSON";
    return Status::Ok();
}

bool conditional_for(const IssuerSource &source, const std::string &jwks_uri) {
    return source.has_stored_set && !source.stored_etag.empty() &&
           source.stored_jwks_uri == jwks_uri;
}

}  // namespace

double refresh_interval(bool has_max_age, double max_age, double min_refresh, double max_refresh) {
    double interval = has_max_age ? max_age : max_refresh;
    return std::clamp(interval, min_refresh, std::max(min_refresh, max_refresh));
}

Status refresh_issuer(const IssuerSource &source, RefreshOutcome &out) {
    out = RefreshOutcome{};
    out.refresh_after = source.min_refresh;
    auto fail = [&out](std::string message) {
        out.result = RefreshResult::failed;
        out.message = std::move(message);
        return Status::Ok();
    };

    std::string host;
    Status s = https_url_host(source.url, host);
    if (!s.ok()) return fatal(s) ? s : fail("configured URL: " + reason(s));

    std::string jwks_uri = source.url;
    bool conditional = conditional_for(source, jwks_uri);
    HttpResponse response;
    std::string problem;
    PGJWT_TRY(get_document(source, source.url, conditional, response, problem));
    out.http_status = response.status;
    if (!problem.empty()) return fail(problem);

    if (!(conditional && response.status == 304)) {
        DocumentKind kind;
        DiscoveryDocument discovery;
        s = classify_document(response.body, kind, discovery);
        if (!s.ok()) return fatal(s) ? s : fail("GET " + quoted(source.url) + ": " + reason(s));
        if (kind == DocumentKind::discovery) {
            s = check_discovery_issuer(discovery, source.issuer);
            if (!s.ok()) return fail("GET " + quoted(source.url) + ": " + reason(s));
            std::string jwks_host;
            s = https_url_host(discovery.jwks_uri, jwks_host);
            if (!s.ok()) return fatal(s) ? s : fail("discovery document's jwks_uri: " + reason(s));
            const auto &trusted = source.trusted_hosts;
            if (jwks_host != host &&
                std::find(trusted.begin(), trusted.end(), jwks_host) == trusted.end())
                return fail("discovery document's jwks_uri " + quoted(discovery.jwks_uri) +
                            " is on host \"" + excerpt(jwks_host, 200) +
                            "\", which is not the host of a configured issuer's URL");
            jwks_uri = discovery.jwks_uri;
            conditional = conditional_for(source, jwks_uri);
            response = HttpResponse{};
            PGJWT_TRY(get_document(source, jwks_uri, conditional, response, problem));
            out.http_status = response.status;
            if (!problem.empty()) return fail(problem);
            if (!(conditional && response.status == 304)) {
                s = classify_document(response.body, kind, discovery);
                if (s.ok() && kind != DocumentKind::key_set)
                    s = Status::InvalidArgument("document is not a JWK set");
                if (!s.ok())
                    return fatal(s) ? s : fail("GET " + quoted(jwks_uri) + ": " + reason(s));
            }
        }
    }

    out.jwks_uri = jwks_uri;
    if (conditional && response.status == 304) {
        out.result = RefreshResult::unchanged;
        out.etag = response.etag.empty() ? source.stored_etag : response.etag;
    } else {
        s = check_published_key_set(response.body, out.keys);
        if (!s.ok()) {
            out.keys = PublishedKeySet{};
            return fatal(s) ? s : fail("GET " + quoted(jwks_uri) + ": " + reason(s));
        }
        out.result = RefreshResult::updated;
        out.etag = response.etag;
        if (!out.keys.skipped.empty()) {
            out.message = std::to_string(out.keys.skipped.size()) + " key(s) left out: ";
            for (size_t i = 0; i < out.keys.skipped.size(); i++) {
                if (i) out.message += "; ";
                out.message += out.keys.skipped[i];
            }
        }
    }
    std::optional<double> max_age = cache_control_max_age(response.cache_control);
    out.refresh_after = refresh_interval(max_age.has_value(), max_age.value_or(0),
                                         source.min_refresh, source.max_refresh);
    return Status::Ok();
}

}  // namespace pgjwt
