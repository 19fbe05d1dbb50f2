#pragma once
// One repository on one registry endpoint, with the distribution spec's authentication: a
// request that gets 401 reads the `WWW-Authenticate` challenge and retries once, with Basic
// credentials or a Bearer token from the challenge's realm (GET with service and scope, Basic
// credentials when there are some; POST grant_type=refresh_token for an identity token; the
// reply's `token` or `access_token`, kept until `expires_in` runs out).
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "compose/registry/credentials.hpp"
#include "compose/registry/endpoint.hpp"
#include "compose/registry/http.hpp"

namespace berth::registry {

/// A registry's error answer: HTTP status, the first `errors[].code` (MANIFEST_UNKNOWN,
/// NAME_UNKNOWN, BLOB_UNKNOWN, UNAUTHORIZED, DENIED, ...) and its message.
struct RegistryError : std::runtime_error {
  RegistryError(const std::string& context, long http_status, std::string error_code, std::string text)
      : std::runtime_error(context + ": " + text),
        status(http_status),
        code(std::move(error_code)),
        detail(std::move(text)) {}
  long status;
  std::string code;
  std::string detail;  ///< the registry's words ("manifest unknown: manifest unknown")
};

/// "<code lower-cased and spaced>: <message>" from a distribution error body, or the HTTP status text.
std::string registry_error_text(const HttpResponse& response);

/// Throws RegistryError for a non-2xx answer to `what` ("GET manifest busybox:latest").
[[noreturn]] void throw_registry_error(const HttpResponse& response, const std::string& what);

class RepositoryClient {
 public:
  /// `actions`: the scope's actions, "pull" or "pull,push". `save` is called when the token server
  /// rotates the identity token, with the credentials to keep from then on.
  RepositoryClient(HttpClient& http, Endpoint endpoint, std::string repository, std::optional<Credentials> credentials,
                   std::string actions = "pull", SaveCredentials save = {});

  /// base_url + path_prefix + "/v2/" + repository + `suffix` ("/manifests/latest").
  std::string url(const std::string& suffix) const;

  /// Sends `request` with the current authorization; on 401 authenticates from the challenge and
  /// sends it once more. Transport errors throw HttpError; statuses are the caller's to judge.
  HttpResponse send(HttpRequest request);

  /// A client for the same repository over another connection (another thread), sharing the
  /// authorization obtained so far.
  RepositoryClient over(HttpClient& http) const {
    RepositoryClient copy = *this;
    copy.m_http = &http;
    return copy;
  }

  const Endpoint& endpoint() const { return m_endpoint; }
  const std::string& repository() const { return m_repository; }

 private:
  void authenticate(const HttpResponse& unauthorized);
  HttpClient* m_http;
  Endpoint m_endpoint;
  std::string m_repository;
  /// Shared by the copies over() makes: a rotated identity token is used once, so copies take
  /// tokens one at a time and all see the newest credentials.
  struct SharedCredentials {
    std::mutex mu;
    std::optional<Credentials> value;
    SaveCredentials save;
  };
  std::shared_ptr<SharedCredentials> m_credentials;
  std::string m_actions;
  std::string m_authorization;  ///< "Authorization: ..." header, "" before the first challenge
  std::chrono::steady_clock::time_point m_expires{};
};

/// `login`: checks `credentials` against the registry at `endpoint` the way docker does (GET /v2/;
/// on a Basic challenge the same with the credentials, on a Bearer one a token request with them,
/// no scope, and `offline_token=true`). Returns the token server's `refresh_token` when it gave
/// one (docker stores it as the `identitytoken`, in place of the password), "" otherwise. Throws
/// RegistryError ("unauthorized: incorrect username or password") when the registry refuses
/// them, HttpError when it cannot be reached.
std::string check_login(HttpClient& http, const Endpoint& endpoint, const Credentials& credentials);

}  // namespace berth::registry
