#include "compose/image/gzip_compress.hpp"

#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/sys_error.hpp"

#ifdef BERTH_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

namespace berth::image {

#ifdef BERTH_HAVE_ISAL

void gzip_compress(int in_fd, const std::function<void(const void*, std::size_t)>& out, Sha256* input_hash) {
  isal_zstream s;
  isal_deflate_init(&s);
  std::vector<std::uint8_t> level_buf(ISAL_DEF_LVL1_DEFAULT);
  s.level = 1;
  s.level_buf = level_buf.data();
  s.level_buf_size = static_cast<std::uint32_t>(level_buf.size());
  s.gzip_flag = IGZIP_GZIP;
  std::vector<std::uint8_t> in(256 * 1024), buf(256 * 1024);
  for (;;) {
    ssize_t n;
    do n = ::read(in_fd, in.data(), in.size());
    while (n < 0 && errno == EINTR);
    if (n < 0) throw_errno("read the layer to compress");
    if (input_hash && n > 0) input_hash->update(in.data(), static_cast<std::size_t>(n));
    s.next_in = in.data();
    s.avail_in = static_cast<std::uint32_t>(n);
    s.end_of_stream = n == 0;
    do {
      s.next_out = buf.data();
      s.avail_out = static_cast<std::uint32_t>(buf.size());
      if (const int r = isal_deflate(&s); r != COMP_OK)
        throw std::runtime_error("gzip: ISA-L deflate failed (error " + std::to_string(r) + ")");
      if (const std::size_t made = buf.size() - s.avail_out; made > 0) out(buf.data(), made);
    } while (s.avail_out == 0 || (s.end_of_stream && s.internal_state.state != ZSTATE_END));
    if (s.end_of_stream) return;
  }
}

#else

void gzip_compress(int, const std::function<void(const void*, std::size_t)>&, Sha256*) {
  throw std::logic_error("gzip_compress: this build has no ISA-L");
}

#endif

}  // namespace berth::image
