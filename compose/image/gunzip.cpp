#include "compose/image/gunzip.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <string>

#include "common/sys_error.hpp"

#ifdef BERTH_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

namespace berth::image {

namespace {

constexpr unsigned char kMagic[3] = {0x1f, 0x8b, 0x08};  // ID1, ID2, CM = deflate

}  // namespace

bool starts_with_gzip(int fd) {
  const off_t at = ::lseek(fd, 0, SEEK_CUR);
  unsigned char head[3];
  return at >= 0 && ::pread(fd, head, sizeof head, at) == static_cast<ssize_t>(sizeof head) && head[0] == kMagic[0] &&
         head[1] == kMagic[1] && head[2] == kMagic[2];
}

#ifdef BERTH_HAVE_ISAL

bool gunzip_available() noexcept { return true; }

struct Gunzip::State {
  int fd;
  inflate_state inflate{};
  unsigned char in[128 * 1024];
  std::uint64_t consumed = 0;  ///< compressed bytes handed to ISA-L before the current buffer
  std::size_t in_size = 0;     ///< bytes in `in` (the current buffer)
  bool eof = false;            ///< read() of fd returned 0
  bool done = false;           ///< the last member ended at the end of the input

  std::uint64_t offset() const { return consumed + (in_size - inflate.avail_in); }

  /// Moves the bytes ISA-L has not used yet to the front of `in` and reads more after them;
  /// false when nothing more came (the end of the file).
  bool fill() {
    if (eof) return false;
    const std::size_t kept = inflate.avail_in;
    std::copy(inflate.next_in, inflate.next_in + kept, in);
    consumed += in_size - kept;
    ssize_t n;
    do n = ::read(fd, in + kept, sizeof in - kept);
    while (n < 0 && errno == EINTR);
    if (n < 0) throw_errno("read the gzip stream");
    eof = n == 0;
    in_size = kept + static_cast<std::size_t>(n);
    inflate.next_in = in;
    inflate.avail_in = static_cast<std::uint32_t>(in_size);
    return n > 0;
  }

  void start_member() {
    isal_inflate_reset(&inflate);
    inflate.crc_flag = ISAL_GZIP;
  }
};

Gunzip::Gunzip(int fd) : m(std::make_unique<State>()) {
  m->fd = fd;
  isal_inflate_init(&m->inflate);
  m->inflate.crc_flag = ISAL_GZIP;
  m->inflate.avail_in = 0;
}

Gunzip::~Gunzip() = default;

std::size_t Gunzip::read(void* out, std::size_t size) {
  State& s = *m;
  if (s.done || size == 0) return 0;
  auto* next = static_cast<std::uint8_t*>(out);
  s.inflate.next_out = next;
  s.inflate.avail_out = static_cast<std::uint32_t>(std::min<std::size_t>(size, UINT32_MAX));
  while (s.inflate.next_out == next) {
    if (s.inflate.block_state == ISAL_BLOCK_FINISH) {
      // A member ended (its trailer checked): the end of the stream, or another member.
      while (s.inflate.avail_in < sizeof kMagic && s.fill()) {
      }
      if (s.inflate.avail_in == 0) {
        s.done = true;
        return 0;
      }
      if (s.inflate.avail_in < sizeof kMagic || s.inflate.next_in[0] != kMagic[0] ||
          s.inflate.next_in[1] != kMagic[1] || s.inflate.next_in[2] != kMagic[2])
        throw GunzipError("gzip: data after the end of the stream at byte " + std::to_string(s.offset()) +
                          " is not another gzip member");
      s.start_member();
      continue;
    }
    if (s.inflate.avail_in == 0 && !s.fill())
      throw GunzipError("gzip: unexpected end of the stream at byte " + std::to_string(s.offset()) + " (truncated)");
    const int r = isal_inflate(&s.inflate);
    switch (r) {
      case ISAL_DECOMP_OK:
      case ISAL_END_INPUT:
      case ISAL_OUT_OVERFLOW:
        break;
      case ISAL_INCORRECT_CHECKSUM:
        throw GunzipError("gzip: CRC-32 or length check failed at byte " + std::to_string(s.offset()));
      case ISAL_UNSUPPORTED_METHOD:
        throw GunzipError("gzip: unsupported compression method at byte " + std::to_string(s.offset()));
      default:
        throw GunzipError("gzip: invalid deflate data at byte " + std::to_string(s.offset()) + " (ISA-L error " +
                          std::to_string(r) + ")");
    }
  }
  return static_cast<std::size_t>(s.inflate.next_out - next);
}

#else

bool gunzip_available() noexcept { return false; }

struct Gunzip::State {};

Gunzip::Gunzip(int) { throw std::logic_error("Gunzip: this build has no ISA-L"); }

Gunzip::~Gunzip() = default;

std::size_t Gunzip::read(void*, std::size_t) { return 0; }

#endif

}  // namespace berth::image
