// base64 through OpenSSL's EVP block coder (padded, no line breaks).
#include "compose/gocompat/base64.hpp"

#include <openssl/evp.h>

namespace berth::gocompat {

std::string base64_encode(const std::string& text) {
  std::string out(4 * ((text.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(const std::string& text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t len = static_cast<size_t>(n);
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --len;  // EVP keeps padding bytes
  out.resize(len);
  return out;
}

}  // namespace berth::gocompat
