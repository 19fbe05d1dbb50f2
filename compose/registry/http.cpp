#include "compose/registry/http.hpp"

#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <mutex>
#include <sstream>

#include "common/dir_list.hpp"

namespace berth::registry {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct Transfer {
  CURL* curl = nullptr;
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  bool status_seen = false;
  bool aborted = false;
  std::uint64_t sent = 0;  ///< bytes of the file body read so far (this attempt)
  int read_errno = 0;      ///< a pread of the file body failed
  /// What a caller's callback threw (a full disk under on_data): exceptions must not unwind
  /// through curl's C frames, so the transfer is aborted and this is rethrown after it.
  std::exception_ptr callback_error;

  /// Runs a caller's callback; false (abort the transfer) when it threw.
  template <typename F>
  bool guarded(F&& f) {
    try {
      f();
      return true;
    } catch (...) {
      callback_error = std::current_exception();
      aborted = true;
      return false;
    }
  }
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {  // a new response (after 100 Continue, or a proxy's CONNECT)
    t->response->headers.clear();
    return size * n;
  }
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
    t->response->headers[name] = value;
  }
  return size * n;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->status_seen) {  // headers are complete once the body starts
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &t->response->status);
    t->status_seen = true;
    if (t->request->on_start && t->response->status >= 200 && t->response->status < 300 &&
        !t->guarded([&] { t->request->on_start(t->response->status); }))
      return 0;
  }
  const size_t len = size * n;
  if (t->request->on_data && t->response->status >= 200 && t->response->status < 300) {
    bool more = false;
    if (!t->guarded([&] { more = t->request->on_data(data, len); })) return 0;
    if (!more) {
      t->aborted = true;
      return 0;
    }
    return len;
  }
  t->response->body.append(data, len);
  return len;
}

/// CURLOPT_READFUNCTION: the next piece of the file body.
size_t on_read_body(char* buffer, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const HttpRequest& r = *t->request;
  const std::uint64_t left = r.body_length - t->sent;
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, size * n));
  if (want == 0) return 0;
  const std::uint64_t offset = r.body_offset + t->sent;
  ssize_t got;
  do got = ::pread(r.body_fd, buffer, want, static_cast<off_t>(offset));
  while (got < 0 && errno == EINTR);
  if (got <= 0) {  // an error, or the file is shorter than announced
    t->read_errno = got < 0 ? errno : EIO;
    return CURL_READFUNC_ABORT;
  }
  if (r.on_send && !t->guarded([&] { r.on_send(offset, buffer, static_cast<std::size_t>(got)); }))
    return CURL_READFUNC_ABORT;
  t->sent += static_cast<std::uint64_t>(got);
  return static_cast<size_t>(got);
}

int on_xfer(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
  auto* t = static_cast<Transfer*>(user);
  if (t->request->on_upload_progress && ulnow > 0 && !t->guarded([&] {
        t->request->on_upload_progress(static_cast<std::uint64_t>(ulnow), static_cast<std::uint64_t>(ultotal));
      }))
    return 1;
  if (t->request->on_progress && t->status_seen && t->response->status >= 200 && t->response->status < 300 &&
      !t->guarded(
          [&] { t->request->on_progress(static_cast<std::uint64_t>(dlnow), static_cast<std::uint64_t>(dltotal)); }))
    return 1;
  return 0;
}

}  // namespace

std::string certs_dir() {
  const char* dir = std::getenv("BERTH_CERTS_DIR");
  return dir && *dir ? dir : "/etc/docker/certs.d";
}

std::string url_host(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto end = url.find_first_of("/?#", start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  return host;
}

HttpClient::HttpClient() : m_curl(nullptr, curl_easy_cleanup) {
  global_init();
  m_curl.reset(curl_easy_init());
  if (!m_curl) throw std::runtime_error("curl_easy_init failed");
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::perform(const HttpRequest& request) {
  std::string url = request.url;
  std::vector<std::string> headers = request.headers;
  const std::string origin = url_host(url);
  for (int hop = 0;; ++hop) {
    HttpResponse r = perform_once(request, url, headers);
    const bool redirect = r.status == 301 || r.status == 302 || r.status == 303 || r.status == 307 || r.status == 308;
    if (!redirect) return r;
    char* next = nullptr;
    curl_easy_getinfo(m_curl.get(), CURLINFO_REDIRECT_URL, &next);
    if (!next || hop >= request.max_redirects) return r;
    url = next;
    if (url_host(url) != origin)
      std::erase_if(headers, [](const std::string& h) {
        return h.size() >= 14 && strncasecmp(h.c_str(), "authorization:", 14) == 0;
      });
  }
}

HttpResponse HttpClient::perform_once(const HttpRequest& request, const std::string& url,
                                      const std::vector<std::string>& headers) {
  CURL* c = m_curl.get();
  curl_easy_reset(c);
  HttpResponse response;
  Transfer t{c, &request, &response, false, false, 0, 0, nullptr};
  const bool file_body = request.body_fd >= 0;
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> list(nullptr, curl_slist_free_all);
  for (const auto& h : headers) list.reset(curl_slist_append(list.release(), h.c_str()));
  if (!request.body.empty() || request.method == "PUT" || request.method == "PATCH" || request.method == "POST")
    list.reset(curl_slist_append(list.release(), "Expect:"));  // no 100-continue round trip

  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_xfer);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);  // a stalled transfer (no byte for 60 s) fails
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "berth/" BERTH_REGISTRY_VERSION " (registry client)");
  curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "identity");
  if (request.method == "HEAD")
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  else if (request.method != "GET")
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (file_body) {  // UPLOAD sends PUT; CUSTOMREQUEST above makes it PATCH where asked
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read_body);
    curl_easy_setopt(c, CURLOPT_READDATA, &t);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body_length));
    curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);  // the default 64 KiB: many more reads
  } else if (!request.body.empty() || request.method == "PUT" || request.method == "PATCH" ||
             request.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }

  // TLS: the system roots plus certs.d/<host>/*.crt; a client certificate from *.cert/*.key.
  const std::string host = url_host(url);
  const std::string dir = certs_dir() + "/" + host;
  if (url.rfind("https://", 0) == 0) {
    std::vector<std::string> names;
    try {
      names = list_dir(dir);
    } catch (const std::exception&) {  // no certs.d entry for this host
    }
    std::string extra_roots, cert, key;
    for (const auto& n : names) {
      if (ends_with(n, ".crt"))
        extra_roots += read_text(dir + "/" + n) + "\n";
      else if (ends_with(n, ".cert"))
        cert = dir + "/" + n;
      else if (ends_with(n, ".key"))
        key = dir + "/" + n;
    }
    if (!extra_roots.empty()) {
      auto& pem = m_ca_blobs[host];
      if (pem.empty()) pem = read_text("/etc/ssl/certs/ca-certificates.crt") + "\n" + extra_roots;
      curl_blob blob{pem.data(), pem.size(), CURL_BLOB_NOCOPY};
      curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
    }
    if (!cert.empty() && !key.empty()) {
      curl_easy_setopt(c, CURLOPT_SSLCERT, cert.c_str());
      curl_easy_setopt(c, CURLOPT_SSLKEY, key.c_str());
    }
  }

  CURLcode rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  response.url = url;
  if (t.callback_error) std::rethrow_exception(t.callback_error);
  if (rc != CURLE_OK) {
    if (t.aborted) throw HttpError(request.method + " " + url + ": aborted", rc);
    if (t.read_errno != 0)
      throw HttpError(request.method + " " + url + ": reading the body: " + std::strerror(t.read_errno), rc);
    throw HttpError(request.method + " " + url + ": " + curl_easy_strerror(rc), rc);
  }
  return response;
}

}  // namespace berth::registry
