#include "http_fetch.hpp"

#include <cctype>
#include <memory>

#include <curl/curl.h>

#include "cancel.hpp"
#include "openssl_error.hpp"
#include "text.hpp"

namespace pgjwt {
namespace {

struct EasyFree {
    void operator()(CURL *h) const noexcept { curl_easy_cleanup(h); }
};
struct MultiFree {
    void operator()(CURLM *h) const noexcept { curl_multi_cleanup(h); }
};
struct UrlFree {
    void operator()(CURLU *h) const noexcept { curl_url_cleanup(h); }
};
struct ListFree {
    void operator()(curl_slist *l) const noexcept { curl_slist_free_all(l); }
};
struct CurlStringFree {
    void operator()(char *s) const noexcept { curl_free(s); }
};
using EasyPtr = std::unique_ptr<CURL, EasyFree>;
using MultiPtr = std::unique_ptr<CURLM, MultiFree>;
using UrlPtr = std::unique_ptr<CURLU, UrlFree>;
using ListPtr = std::unique_ptr<curl_slist, ListFree>;
using CurlString = std::unique_ptr<char, CurlStringFree>;

// How often the transfer loop looks at cancel_requested() while it waits.
constexpr int kPollMilliseconds = 50;

Status unavailable(std::string message) {
    return Status{Fault::unavailable, std::move(message), {}};
}

// libcurl is initialised once per process, on first use (never in the
// postmaster: the library's _PG_init does not fetch).
Status ensure_curl() {
    static bool initialised = false;
    static CURLcode result = CURLE_OK;
    if (!initialised) {
        result = curl_global_init(CURL_GLOBAL_DEFAULT);
        initialised = true;
    }
    if (result != CURLE_OK) return Status::Internal("could not initialise libcurl");
    return Status::Ok();
}

// Parses `url` (absolute, https, no user information) into `out`.
Status parse_url(std::string_view url, UrlPtr &out, std::string &host) {
    const std::string copy(url);
    if (copy.find('\0') != std::string::npos)
        return Status::InvalidArgument("URL contains a NUL byte");
    out.reset(curl_url());
    if (!out) return Status{Fault::out_of_memory, "out of memory", {}};
    if (curl_url_set(out.get(), CURLUPART_URL, copy.c_str(), 0) != CURLUE_OK)
        return Status::InvalidArgument("invalid URL \"" + excerpt(url, 200) + "\"",
                                       "An absolute https:// URL is needed.");
    char *raw = nullptr;
    if (curl_url_get(out.get(), CURLUPART_SCHEME, &raw, 0) != CURLUE_OK)
        return Status::InvalidArgument("invalid URL \"" + excerpt(url, 200) + "\"");
    CurlString scheme(raw);
    if (std::string_view(scheme.get()) != "https")
        return Status::InvalidArgument("URL \"" + excerpt(url, 200) + "\" is not https",
                                       "Keys are fetched over HTTPS only.");
    raw = nullptr;
    if (curl_url_get(out.get(), CURLUPART_USER, &raw, 0) == CURLUE_OK) {
        curl_free(raw);
        return Status::InvalidArgument("URL must not contain user information",
                                       "Credentials in a URL would be readable by every "
                                       "superuser and kept in dumps.");
    }
    raw = nullptr;
    if (curl_url_get(out.get(), CURLUPART_HOST, &raw, 0) != CURLUE_OK || raw == nullptr)
        return Status::InvalidArgument("URL \"" + excerpt(url, 200) + "\" has no host");
    CurlString h(raw);
    host = h.get();
    for (char &c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (host.empty())
        return Status::InvalidArgument("URL \"" + excerpt(url, 200) + "\" has no host");
    return Status::Ok();
}

// What the callbacks share with https_get: plain flags and the response.
struct Transfer {
    HttpResponse *response = nullptr;
    size_t max_body = 0;
    size_t header_bytes = 0;
    bool body_too_large = false, header_too_large = false, out_of_memory = false;
    bool cancelled = false;
};

bool header_named(std::string_view line, std::string_view name, std::string_view &value) {
    if (line.size() <= name.size() || line[name.size()] != ':') return false;
    for (size_t i = 0; i < name.size(); i++)
        if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
    value = line.substr(name.size() + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    return true;
}

// libcurl calls these from curl_multi_perform, on this thread. They never
// throw (libcurl is C) and never call the glue.
size_t on_body(char *data, size_t size, size_t count, void *user) noexcept {
    auto *t = static_cast<Transfer *>(user);
    size_t n = size * count;
    if (n > t->max_body - t->response->body.size()) {
        t->body_too_large = true;
        return 0;  // libcurl stops with CURLE_WRITE_ERROR
    }
    try {
        t->response->body.append(data, n);
    } catch (...) {
        t->out_of_memory = true;
        return 0;
    }
    return n;
}

size_t on_header(char *data, size_t size, size_t count, void *user) noexcept {
    auto *t = static_cast<Transfer *>(user);
    size_t n = size * count;
    t->header_bytes += n;
    if (t->header_bytes > kMaxHeaderBytes) {
        t->header_too_large = true;
        return 0;
    }
    std::string_view line(data, n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    HttpResponse &r = *t->response;
    try {
        std::string_view value;
        if (line.starts_with("HTTP/")) {
            // A new response (an interim 1xx, or the final one): forget the last one's headers.
            r.content_type.clear();
            r.etag.clear();
            r.cache_control.clear();
        } else if (header_named(line, "content-type", value)) {
            r.content_type.assign(value);
        } else if (header_named(line, "etag", value)) {
            r.etag.assign(value);
        } else if (header_named(line, "cache-control", value)) {
            if (!r.cache_control.empty()) r.cache_control.append(", ");
            r.cache_control.append(value);
        }
    } catch (...) {
        t->out_of_memory = true;
        return 0;
    }
    return n;
}

int on_progress(void *user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept {
    auto *t = static_cast<Transfer *>(user);
    if (cancel_requested()) {
        t->cancelled = true;
        return 1;  // libcurl stops with CURLE_ABORTED_BY_CALLBACK
    }
    return 0;
}

Status set_options(CURL *easy, CURLU *url, const HttpRequest &request, Transfer &transfer,
                   curl_slist *headers, char *error_buffer) {
    bool ok =
        curl_easy_setopt(easy, CURLOPT_CURLU, url) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
#if LIBCURL_VERSION_NUM >= 0x075500
        curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "https") == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "https") == CURLE_OK &&
#else
        curl_easy_setopt(easy, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTPS)) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS, static_cast<long>(CURLPROTO_HTTPS)) ==
            CURLE_OK &&
#endif
        curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2)) ==
            CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, request.connect_timeout_ms) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, request.total_timeout_ms) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
                         static_cast<curl_off_t>(request.max_body_bytes)) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, on_progress) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &transfer) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_USERAGENT, "pg_jwt") == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer) == CURLE_OK;
    if (ok && !request.ca_file.empty())
        ok = curl_easy_setopt(easy, CURLOPT_CAINFO, request.ca_file.c_str()) == CURLE_OK;
    if (!ok) return Status::Internal("could not set up the HTTPS request");
    return Status::Ok();
}

Status transfer_failure(CURLcode code, const Transfer &transfer, const HttpRequest &request,
                        const char *error_buffer) {
    if (transfer.cancelled) return cancelled();
    if (transfer.out_of_memory) return Status{Fault::out_of_memory, "out of memory", {}};
    if (transfer.body_too_large || code == CURLE_FILESIZE_EXCEEDED)
        return Status::TooLarge("response is larger than " +
                                std::to_string(request.max_body_bytes) + " bytes");
    if (transfer.header_too_large)
        return Status::TooLarge("response headers are larger than " +
                                std::to_string(kMaxHeaderBytes) + " bytes");
    std::string reason = error_buffer[0] ? excerpt(error_buffer, 200) : curl_easy_strerror(code);
    switch (code) {
        case CURLE_OPERATION_TIMEDOUT:
            return unavailable("timed out (" + reason + ")");
        case CURLE_UNSUPPORTED_PROTOCOL:
            return unavailable("only https is allowed (" + reason + ")");
        case CURLE_PEER_FAILED_VERIFICATION:
#if LIBCURL_VERSION_NUM < 0x073e00
        case CURLE_SSL_CACERT:
#endif
        case CURLE_SSL_CACERT_BADFILE:
            return unavailable("certificate verification failed (" + reason + ")");
        default:
            return unavailable(reason);
    }
}

}  // namespace

Status https_url_host(std::string_view url, std::string &host) {
    PGJWT_TRY(ensure_curl());
    UrlPtr parsed;
    return parse_url(url, parsed, host);
}

Status https_get(const HttpRequest &request, HttpResponse &response) {
    response = HttpResponse{};
    // libcurl's TLS runs on the same OpenSSL as the backend's own: whatever
    // it leaves in this thread's error queue is dropped on every path
    // (DESIGN.md section 2.3).
    struct ClearOpenSslErrors {
        ~ClearOpenSslErrors() { openssl_clear_errors(); }
    } clear_errors;
    PGJWT_TRY(ensure_curl());
    UrlPtr url;
    std::string host;
    PGJWT_TRY(parse_url(request.url, url, host));
    if (cancel_requested()) return cancelled();

    EasyPtr easy(curl_easy_init());
    MultiPtr multi(curl_multi_init());
    if (!easy || !multi) return Status{Fault::out_of_memory, "out of memory", {}};
    // No Accept-Encoding: nothing compressed comes back, so the size cap is
    // the size of what is parsed.
    ListPtr headers(curl_slist_append(nullptr, "Accept: application/json"));
    if (!headers) return Status{Fault::out_of_memory, "out of memory", {}};
    if (!request.if_none_match.empty()) {
        if (request.if_none_match.find_first_of("\r\n") != std::string::npos)
            return Status::InvalidArgument("invalid ETag");
        std::string line = "If-None-Match: " + request.if_none_match;
        curl_slist *more = curl_slist_append(headers.get(), line.c_str());
        if (!more) return Status{Fault::out_of_memory, "out of memory", {}};
    }
    Transfer transfer;
    transfer.response = &response;
    transfer.max_body = request.max_body_bytes;
    char error_buffer[CURL_ERROR_SIZE] = {0};
    PGJWT_TRY(set_options(easy.get(), url.get(), request, transfer, headers.get(), error_buffer));

    if (curl_multi_add_handle(multi.get(), easy.get()) != CURLM_OK)
        return Status::Internal("could not start the HTTPS request");
    // Driven here rather than by curl_easy_perform, so that a cancel or a
    // statement_timeout is seen within kPollMilliseconds also while the
    // connection is idle (the progress callback covers the transfer itself).
    CURLcode result = CURLE_OK;
    bool done = false;
    while (!done) {
        int running = 0;
        if (curl_multi_perform(multi.get(), &running) != CURLM_OK) {
            result = CURLE_FAILED_INIT;
            break;
        }
        int queued = 0;
        while (CURLMsg *msg = curl_multi_info_read(multi.get(), &queued)) {
            if (msg->msg == CURLMSG_DONE) {
                result = msg->data.result;
                done = true;
            }
        }
        if (done) break;
        if (cancel_requested()) {
            transfer.cancelled = true;
            result = CURLE_ABORTED_BY_CALLBACK;
            break;
        }
        if (curl_multi_poll(multi.get(), nullptr, 0, kPollMilliseconds, nullptr) != CURLM_OK) {
            result = CURLE_FAILED_INIT;
            break;
        }
    }
    curl_multi_remove_handle(multi.get(), easy.get());
    if (result != CURLE_OK || transfer.cancelled)
        return transfer_failure(result, transfer, request, error_buffer);
    long status = 0;
    curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status);
    response.status = status;
    return Status::Ok();
}

}  // namespace pgjwt
