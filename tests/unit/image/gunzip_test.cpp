// ISA-L gzip (compose/image/gunzip.hpp, gzip_compress.hpp) against gzip(1): one member,
// several members, empty members, and the broken streams that must fail with the offset: a
// flipped byte, a truncated tail, something after the last member.
#include "compose/image/gunzip.hpp"
#include "compose/image/gzip_compress.hpp"
#include "support/files.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <random>
#include <string>

#include "common/unique_fd.hpp"
#include "support/run_command.hpp"
#include "support/text.hpp"

namespace berth::image {
using berth::test::memfd_with;

namespace {

using test::contains;

std::string gzip(const std::string& data) {
  auto r = test::run_command({"/bin/gzip", "-c", "-6"}, "/", {}, data);
  if (r.exit_code != 0) throw std::runtime_error("gzip: " + r.err);
  return r.out;
}

/// Compressible but not trivial: words from a small alphabet with random lengths.
std::string sample(std::size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s;
  while (s.size() < size) s += std::string(1 + rng() % 40, static_cast<char>('a' + rng() % 26)) + ' ';
  s.resize(size);
  return s;
}

/// All of it, read in `chunk`-sized calls.
std::string gunzip_all(const std::string& compressed, std::size_t chunk = 65536) {
  UniqueFd fd = memfd_with(compressed);
  Gunzip g(fd.get());
  std::string out, buf(chunk, '\0');
  for (std::size_t n; (n = g.read(buf.data(), buf.size())) != 0;) out.append(buf, 0, n);
  return out;
}

std::string failure_of(const std::string& compressed) {
  try {
    gunzip_all(compressed);
    return "no error";
  } catch (const GunzipError& e) {
    return e.what();
  }
}

class ImageGunzip : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!gunzip_available()) GTEST_SKIP() << "built without ISA-L (libisal-dev): libarchive's zlib does gzip";
  }
};

TEST_F(ImageGunzip, OneMemberInAnyChunkSize) {
  const std::string data = sample(3 << 20, 1);
  const std::string packed = gzip(data);
  EXPECT_EQ(gunzip_all(packed), data);
  EXPECT_EQ(gunzip_all(packed, 7777), data);
  EXPECT_EQ(gunzip_all(gzip(data.substr(0, 5000)), 1), data.substr(0, 5000));  // one byte per call
}

TEST_F(ImageGunzip, MembersOneAfterAnotherAndEmptyOnes) {
  const std::string a = sample(200000, 2), b = sample(300000, 3);
  EXPECT_EQ(gunzip_all(gzip(a) + gzip(b)), a + b);
  EXPECT_EQ(gunzip_all(gzip("") + gzip(a) + gzip("")), a);
  EXPECT_EQ(gunzip_all(gzip("")), "");
}

TEST_F(ImageGunzip, BrokenStreamsNameTheOffset) {
  const std::string packed = gzip(sample(500000, 4));
  std::string flipped = packed;
  flipped[packed.size() / 2] = static_cast<char>(flipped[packed.size() / 2] ^ 0x55);
  EXPECT_TRUE(contains(failure_of(flipped), "gzip: ")) << failure_of(flipped);
  EXPECT_NE(failure_of(flipped), "no error");

  const std::string truncated = packed.substr(0, packed.size() - 20);
  EXPECT_TRUE(contains(failure_of(truncated), "truncated")) << failure_of(truncated);

  std::string wrong_crc = packed;
  wrong_crc[packed.size() - 8] = static_cast<char>(wrong_crc[packed.size() - 8] ^ 1);  // the CRC-32 trailer
  EXPECT_TRUE(contains(failure_of(wrong_crc), "CRC-32 or length check failed")) << failure_of(wrong_crc);

  const std::string trailing = packed + std::string(512, '\0');
  EXPECT_EQ(failure_of(trailing), "gzip: data after the end of the stream at byte " + std::to_string(packed.size()) +
                                      " is not another gzip member");
}

TEST_F(ImageGunzip, StartsWithGzipPeeksWithoutConsuming) {
  UniqueFd gz = memfd_with(gzip("x"));
  EXPECT_TRUE(starts_with_gzip(gz.get()));
  EXPECT_EQ(::lseek(gz.get(), 0, SEEK_CUR), 0);
  UniqueFd plain = memfd_with("plain text, no magic");
  EXPECT_FALSE(starts_with_gzip(plain.get()));
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd r(p[0]), w(p[1]);
  const std::string head = gzip("y");
  ASSERT_EQ(::write(w.get(), head.data(), head.size()), static_cast<ssize_t>(head.size()));
  EXPECT_FALSE(starts_with_gzip(r.get())) << "a pipe cannot be peeked at: libarchive reads it";
}

}  // namespace
}  // namespace berth::image

namespace berth::image {
namespace {

/// `data` through gzip_compress, from a file.
std::string compressed(const std::string& data) {
  UniqueFd fd = memfd_with(data);
  std::string out;
  gzip_compress(fd.get(), [&](const void* p, std::size_t n) { out.append(static_cast<const char*>(p), n); });
  return out;
}

TEST_F(ImageGunzip, CompressIsDeterministicAndReadByGzipAndByUs) {
  const std::string data = sample(2 << 20, 5);
  const std::string once = compressed(data), twice = compressed(data);
  EXPECT_EQ(once, twice) << "the same layer must give the same digest";
  EXPECT_LT(once.size(), data.size() / 2);
  EXPECT_EQ(gunzip_all(once), data);
  auto r = test::run_command({"/bin/gzip", "-dc"}, "/", {}, once);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, data) << "zlib reads it too";
  EXPECT_EQ(gunzip_all(compressed("")), "");
}

}  // namespace
}  // namespace berth::image
