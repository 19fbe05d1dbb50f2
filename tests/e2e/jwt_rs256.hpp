#pragma once
// RS256 JSON Web Tokens for the test token server: an RSA key and a self-signed certificate
// made with the openssl command (one pair per server), tokens signed in-process with OpenSSL's
// EVP interface. The header carries the certificate in `x5c`: distribution (registry/auth/token)
// verifies that chain against its `rootcertbundle`, then the signature with the leaf's key.
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace berth::test {

/// base64url without padding (JWS compact serialisation).
std::string base64url(std::string_view bytes);
/// Standard base64 with padding (x5c entries, Basic credentials).
std::string base64_standard(std::string_view bytes);
/// Decodes standard base64; "" for malformed input.
std::string base64_decode(std::string_view text);

class JwtSigner {
 public:
  /// Writes `dir`/token.key and `dir`/token.crt (throws std::runtime_error naming openssl's error).
  explicit JwtSigner(const std::string& dir);
  /// The PEM certificate: the registry's `auth.token.rootcertbundle`.
  const std::string& cert_path() const { return m_cert_path; }
  /// header.claims.signature, signed with RS256.
  std::string sign(const nlohmann::json& claims) const;

 private:
  std::string m_cert_path;
  std::string m_cert_der;  ///< the certificate, DER
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> m_key;
};

}  // namespace berth::test
