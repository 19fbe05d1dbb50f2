#pragma once
// A Docker token server (the "token authentication specification" distribution implements) for
// the registry tests: GET <realm>?service=&scope= anonymously or with Basic credentials
// (`offline_token=true` adds a refresh_token unless Options::refresh_tokens is off, as some
// servers never give one), and the OAuth2 POST (grant_type=password with
// access_type=offline, grant_type=refresh_token, which can rotate the refresh token). Tokens are RS256 JWTs with iss,
// aud (the service), sub, exp/nbf/iat and the `access` claim: users get pull and push everywhere, anonymous clients
// pull on repositories under `public_prefix`. Every request is recorded.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "jwt_rs256.hpp"
#include "mini_http_server.hpp"

namespace berth::test {

class TokenServer {
 public:
  struct Options {
    std::map<std::string, std::string> users;  ///< user → password
    std::string public_prefix = "public/";     ///< anyone may pull these repositories
    int valid_seconds = 300;                   ///< how long the registry accepts a token
    int expires_in = 300;                      ///< what the answers say
    bool refresh_tokens = true;                ///< offline_token / access_type=offline are honoured
    bool rotate_refresh_tokens = false;        ///< a refresh_token grant answers a new one, the old is void
  };
  struct Request {
    std::string method, target, body, authorization;
    int status = 0;
  };

  /// Key and certificate under `dir`.
  TokenServer(const std::string& dir, Options options);

  /// http://127.0.0.1:PORT/token
  std::string realm() const;
  std::string service() const { return "berth-test-registry"; }
  std::string issuer() const { return "berth-test-token-issuer"; }
  /// What the registry trusts (`auth.token.rootcertbundle`).
  const std::string& cert_bundle() const { return m_signer.cert_path(); }
  /// A refresh token (docker's `identitytoken`) for `user`.
  std::string refresh_token_for(const std::string& user);
  /// Everything asked so far, in order.
  std::vector<Request> requests() const;

 private:
  MiniHttpReply handle(const MiniHttpRequest& request);
  MiniHttpReply answer(const MiniHttpRequest& request);
  /// A signed token for `user` ("" = anonymous) with what `scopes` may be granted.
  std::string issue(const std::string& user, const std::string& service, const std::vector<std::string>& scopes);

  Options m_options;
  JwtSigner m_signer;
  mutable std::mutex m_mu;
  std::vector<Request> m_requests;
  std::map<std::string, std::string> m_refresh_tokens;  ///< token → user
  int m_serial = 0;
  std::unique_ptr<MiniHttpServer> m_http;  ///< last: stops first
};

}  // namespace berth::test
