// sha256 digests with OpenSSL's EVP interface (the one OpenSSL 3 keeps supported), and the
// strict `sha256:<hex>` syntax: lowercase only, as the OCI descriptor spec requires for sha256.
#include "compose/image/digest.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace berth::image {

namespace {

constexpr std::string_view kPrefix = "sha256:";

}  // namespace

bool is_sha256_hex(std::string_view hex) noexcept {
  if (hex.size() != 64) return false;
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::optional<Digest> Digest::parse(std::string_view text) {
  if (text.substr(0, kPrefix.size()) != kPrefix || !is_sha256_hex(text.substr(kPrefix.size()))) return std::nullopt;
  return Digest(std::string(text));
}

Digest Digest::from_string(std::string_view text) {
  if (auto d = parse(text)) return *d;
  throw std::invalid_argument("invalid digest `" + std::string(text) + "`: expected sha256:<64 lowercase hex digits>");
}

Digest Digest::from_hex(std::string_view hex) {
  if (!is_sha256_hex(hex))
    throw std::invalid_argument("invalid sha256 hex `" + std::string(hex) + "`: expected 64 lowercase hex digits");
  return Digest(std::string(kPrefix) + std::string(hex));
}

struct Sha256::Ctx {
  EVP_MD_CTX* md = nullptr;
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : m_ctx(std::make_unique<Ctx>()) {
  m_ctx->md = EVP_MD_CTX_new();
  if (m_ctx->md == nullptr || EVP_DigestInit_ex(m_ctx->md, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("sha256: cannot initialise the OpenSSL digest context");
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, std::size_t size) {
  if (size == 0) return;
  if (EVP_DigestUpdate(m_ctx->md, data, size) != 1) throw std::runtime_error("sha256: digest update failed");
}

Digest Sha256::finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(m_ctx->md, out, &len) != 1 || len != 32)
    throw std::runtime_error("sha256: digest finalisation failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(64);
  for (unsigned i = 0; i < len; ++i) {
    hex += kHex[out[i] >> 4];
    hex += kHex[out[i] & 0xf];
  }
  return Digest::from_hex(hex);
}

Digest sha256_of(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

}  // namespace berth::image
