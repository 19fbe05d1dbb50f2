#pragma once
// Gzip decompression with ISA-L's igzip, two to three times zlib's speed on x86-64 and arm64,
// used for gzip layers when Berth is built with libisal (cmake/Dependencies.cmake); libarchive's
// zlib filter does the rest. Members are read one after another (what pigz and `cat a.gz b.gz`
// write, as Go's gzip reader does), each checked against its CRC-32 and length trailer.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>

namespace berth::image {

/// Whether this build has ISA-L (otherwise Gunzip cannot be made).
bool gunzip_available() noexcept;

/// Whether the bytes at `fd`'s current offset start a gzip member (read with pread, so nothing is
/// consumed); false for a pipe or a short file.
bool starts_with_gzip(int fd);

/// A gzip stream is corrupt, truncated or followed by something that is not another member.
class GunzipError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Gunzip {
 public:
  /// Reads compressed bytes from `fd` (from its current offset; the fd stays the caller's).
  explicit Gunzip(int fd);
  ~Gunzip();
  Gunzip(const Gunzip&) = delete;
  Gunzip& operator=(const Gunzip&) = delete;

  /// Up to `size` uncompressed bytes into `out`; 0 once the last member has ended. Throws
  /// GunzipError naming the compressed offset and the reason, SysError when reading fails.
  std::size_t read(void* out, std::size_t size);

 private:
  struct State;
  std::unique_ptr<State> m;
};

}  // namespace berth::image
