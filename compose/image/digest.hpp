#pragma once
// Content digests: the `sha256:<64 hex>` names of blobs, diff ids and chain ids, and a streaming
// SHA-256 hasher (OpenSSL EVP) that blob writers and the layer unpacker feed as data passes by.
#include <compare>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace berth::image {

/// A validated `sha256:<64 lowercase hex>` digest. Other algorithms are refused: the store, the
/// registries Berth talks to and the OCI layouts it loads all use sha256.
class Digest {
 public:
  /// Parses `sha256:<hex>`; std::nullopt when the text is not exactly that.
  static std::optional<Digest> parse(std::string_view text);
  /// Like parse() but throws std::invalid_argument naming the text.
  static Digest from_string(std::string_view text);
  /// Builds a digest from 64 lowercase hex characters; throws std::invalid_argument otherwise.
  static Digest from_hex(std::string_view hex);

  /// The full form, `sha256:<hex>`.
  const std::string& str() const noexcept { return m_text; }
  /// The 64 hex characters.
  std::string_view hex() const noexcept { return std::string_view(m_text).substr(7); }
  /// The first 12 hex characters, as `docker images` shows image ids.
  std::string short_hex() const { return std::string(hex().substr(0, 12)); }

  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest&, const Digest&) = default;

 private:
  explicit Digest(std::string text) : m_text(std::move(text)) {}
  std::string m_text;
};

/// True when `hex` is exactly 64 lowercase hex characters.
bool is_sha256_hex(std::string_view hex) noexcept;

/// Incremental SHA-256: update() any number of times, then finish() once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  /// The digest of everything passed to update(); the hasher must not be used afterwards.
  Digest finish();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> m_ctx;
};

/// SHA-256 of a whole buffer.
Digest sha256_of(std::string_view data);

}  // namespace berth::image
