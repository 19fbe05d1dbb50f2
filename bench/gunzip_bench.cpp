// Inflating a gzip layer: ISA-L (compose/image/gunzip.hpp, what unpack uses when built with
// libisal) against libarchive's gzip filter (zlib, the fallback), on the same file, in one run.
// Prints min / median MiB/s of uncompressed output over N runs of each, and the ratio.
//
//   tar -C /usr -cf - lib/x86_64-linux-gnu | gzip -6 > /tmp/layer.tar.gz
//   build/bench/gunzip_bench /tmp/layer.tar.gz [runs]
#include <archive.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "compose/image/archive_reader.hpp"
#include "compose/image/gunzip.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::size_t with_isal(int fd) {
  berth::image::Gunzip g(fd);
  static char buf[128 * 1024];
  std::size_t total = 0;
  for (std::size_t n; (n = g.read(buf, sizeof buf)) != 0;) total += n;
  return total;
}

std::size_t with_zlib(int fd) {
  berth::image::ArchiveReader a(archive_read_new());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_raw(a.get());
  archive_entry* e = nullptr;
  if (archive_read_open_fd(a.get(), fd, 128 * 1024) != ARCHIVE_OK ||
      archive_read_next_header(a.get(), &e) != ARCHIVE_OK)
    throw std::runtime_error(archive_error_string(a.get()));
  static char buf[128 * 1024];
  std::size_t total = 0;
  for (la_ssize_t n; (n = archive_read_data(a.get(), buf, sizeof buf)) > 0;) total += static_cast<std::size_t>(n);
  return total;
}

template <typename F>
std::vector<double> rates(const char* path, int runs, F inflate) {
  std::vector<double> out;
  for (int i = 0; i < runs; ++i) {
    berth::UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
    if (!fd) throw std::runtime_error(std::string("open ") + path);
    auto t0 = Clock::now();
    std::size_t bytes = inflate(fd.get());
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    out.push_back(static_cast<double>(bytes) / (1 << 20) / s);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE.gz [runs]\n", argv[0]);
    return 2;
  }
  const int runs = argc > 2 ? std::stoi(argv[2]) : 5;
  if (!berth::image::gunzip_available()) {
    std::fprintf(stderr, "built without ISA-L (libisal-dev): nothing to compare\n");
    return 1;
  }
  try {
    // Interleaved warm-up: both read the file once from the page cache before timing.
    rates(argv[1], 1, with_isal);
    rates(argv[1], 1, with_zlib);
    auto isal = rates(argv[1], runs, with_isal);
    auto zlib = rates(argv[1], runs, with_zlib);
    std::printf("%-24s %10s %10s\n", "inflate (MiB/s out)", "best", "median");
    std::printf("%-24s %10.0f %10.0f\n", "ISA-L igzip", isal.back(), isal[isal.size() / 2]);
    std::printf("%-24s %10.0f %10.0f\n", "libarchive + zlib", zlib.back(), zlib[zlib.size() / 2]);
    std::printf("ISA-L : zlib (median)    %.2fx\n", isal[isal.size() / 2] / zlib[zlib.size() / 2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gunzip_bench: %s\n", e.what());
    return 1;
  }
}
