// One-shot sha256 through OpenSSL's EVP_Digest, hex-encoded. Streaming digests of blobs stay
// in image/digest (image::Sha256), which also checks and prints the "sha256:" form.
#include "compose/gocompat/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace berth::gocompat {

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("sha256: EVP_Digest failed");
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 0xf];
  }
  return out;
}

}  // namespace berth::gocompat
