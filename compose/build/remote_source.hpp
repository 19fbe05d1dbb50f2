#pragma once
// `ADD <http(s) URL>`: the file is downloaded on every build (as BuildKit does) into the step's
// scratch dir and hashed, so the cache key holds its content, not its URL: a changed file at the
// same URL misses, an unchanged one hits. --checksum is checked before anything is copied. The
// file is named after the URL's last path element and gets mode 0600, as docker makes it.
#include <string>

namespace berth::build {

struct Download {
  std::string name;    ///< file name in `dir`
  std::string digest;  ///< "sha256:<hex>" of the content
};

bool is_remote_source(const std::string& source);

/// Downloads `url` into `dir`. Throws std::runtime_error naming the URL and the server's answer
/// (status) or the transport error, or the checksum mismatch.
Download download_source(const std::string& url, const std::string& dir, const std::string& checksum);

}  // namespace berth::build
