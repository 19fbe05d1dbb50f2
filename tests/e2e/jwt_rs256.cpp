#include "jwt_rs256.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <stdexcept>

#include "support/run_command.hpp"

namespace berth::test {

namespace {

std::unique_ptr<FILE, int (*)(FILE*)> jwt_open_pem(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "r"), std::fclose);
  if (!f) throw std::runtime_error("open `" + path + "` for reading");
  return f;
}

}  // namespace

std::string base64_standard(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64url(std::string_view bytes) {
  std::string s = base64_standard(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (auto& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return s;
}

std::string base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return "";
  std::string out(text.size() / 4 * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return "";
  std::size_t size = static_cast<std::size_t>(n);
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --size;  // DecodeBlock keeps the padding's zeros
  out.resize(size);
  return out;
}

JwtSigner::JwtSigner(const std::string& dir) : m_cert_path(dir + "/token.crt"), m_key(nullptr, EVP_PKEY_free) {
  const std::string key_path = dir + "/token.key";
  auto r = run_command({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key_path,
                        "-out", m_cert_path, "-days", "2", "-subj", "/CN=berth-test-token-issuer"},
                       "/", {{"PATH", "/usr/bin:/bin"}});
  if (r.exit_code != 0) throw std::runtime_error("openssl req -x509: " + r.err);
  {
    auto f = jwt_open_pem(key_path);
    m_key.reset(PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr));
    if (!m_key) throw std::runtime_error("read the RSA key `" + key_path + "`");
  }
  auto f = jwt_open_pem(m_cert_path);
  std::unique_ptr<X509, void (*)(X509*)> cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr), X509_free);
  if (!cert) throw std::runtime_error("read the certificate `" + m_cert_path + "`");
  unsigned char* der = nullptr;
  int n = i2d_X509(cert.get(), &der);
  if (n <= 0) throw std::runtime_error("encode the certificate `" + m_cert_path + "` as DER");
  m_cert_der.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
}

std::string JwtSigner::sign(const nlohmann::json& claims) const {
  const nlohmann::json header = {{"typ", "JWT"}, {"alg", "RS256"}, {"x5c", {base64_standard(m_cert_der)}}};
  const std::string input = base64url(header.dump()) + "." + base64url(claims.dump());
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, m_key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw std::runtime_error("RS256: EVP_DigestSign setup failed");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw std::runtime_error("RS256: EVP_DigestSign failed");
  sig.resize(len);
  return input + "." + base64url(sig);
}

}  // namespace berth::test
