#pragma once
// HTTP for the registry client, on libcurl: one reusable handle per HttpClient (connections are
// kept alive between requests of one thread), TLS verified against the system roots plus
// /etc/docker/certs.d/<host>/*.crt, with the client certificate (*.cert + *.key) found there;
// proxies from the environment (curl reads http_proxy/https_proxy/no_proxy). Redirects are
// followed here, not by curl, so the Authorization header never goes to another host (blob CDNs
// hand out signed URLs and reject it).
#include <curl/curl.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace berth::registry {

struct HttpRequest {
  std::string method = "GET";  ///< GET, HEAD, POST, PUT, PATCH, DELETE
  std::string url;
  std::vector<std::string>
      headers;       ///< "Name: value"; an "Authorization: ..." one is dropped on a redirect to another host
  std::string body;  ///< request body (POST/PUT/PATCH)
  /// A body streamed from a file instead of `body` (uploads: never the whole blob in memory):
  /// body_length bytes of body_fd from body_offset on, read with pread, so a resend (a redirect,
  /// a retry after 401) starts again from body_offset. -1: no file body.
  int body_fd = -1;
  std::uint64_t body_offset = 0;
  std::uint64_t body_length = 0;
  /// Called with each piece of the file body as it is sent: its offset in the file and bytes.
  std::function<void(std::uint64_t offset, const char* data, std::size_t size)> on_send;
  /// Called once with the status of a 2xx answer before its first body byte reaches on_data.
  std::function<void(long status)> on_start;
  /// Body bytes of a 2xx answer go here instead of into HttpResponse::body; returning false aborts
  /// the transfer (HttpError "aborted").
  std::function<bool(const char* data, std::size_t size)> on_data;
  /// Called with bytes received so far and the total (0 when unknown), at most a few times a second.
  std::function<void(std::uint64_t now, std::uint64_t total)> on_progress;
  /// Called with bytes sent so far and the total, at most a few times a second (uploads).
  std::function<void(std::uint64_t sent, std::uint64_t total)> on_upload_progress;
  int max_redirects = 5;
  // An exception a callback throws (a write error in on_data) aborts the transfer and is
  // rethrown, as it was, by perform() once curl has returned.
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  ///< names lower case; a repeated header keeps the last
  std::string body;                            ///< unless on_data took it (then only non-2xx bodies)
  std::string url;                             ///< the URL that answered (after redirects)

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

/// A transport failure (DNS, connect, TLS, reset, aborted), not an HTTP status.
struct HttpError : std::runtime_error {
  HttpError(const std::string& what, CURLcode curl_code) : std::runtime_error(what), code(curl_code) {}
  CURLcode code;
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Sends the request, following redirects. Throws HttpError on a transport failure.
  HttpResponse perform(const HttpRequest& request);

 private:
  HttpResponse perform_once(const HttpRequest& request, const std::string& url,
                            const std::vector<std::string>& headers);
  std::unique_ptr<CURL, void (*)(CURL*)> m_curl;
  std::map<std::string, std::string> m_ca_blobs;  ///< host -> PEM roots (system + certs.d), read once
};

/// "host[:port]" of an http(s) URL.
std::string url_host(const std::string& url);

/// /etc/docker/certs.d, overridable for tests through BERTH_CERTS_DIR.
std::string certs_dir();

}  // namespace berth::registry
