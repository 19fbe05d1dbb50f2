// Sealed memfd copies (runtime-shim/self_clone.cpp) and close_fds_except
// (runtime-shim/container/fds.cpp): no root needed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>

#include "runtime-shim/container/fds.hpp"
#include "runtime-shim/self_clone.hpp"
#include "support/temp_dir.hpp"

using namespace berth::shim;

namespace {

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  off_t at = 0;
  while ((n = ::pread(fd, buf, sizeof buf, at)) > 0) {
    out.append(buf, static_cast<size_t>(n));
    at += n;
  }
  return out;
}

}  // namespace

TEST(ShimSelfClone, SealedCopyHasTheContentAndRefusesEveryChange) {
  berth::test::TempDir tmp("berth-self-clone");
  const std::string path = tmp / "binary";
  const std::string content(100000, 'x');
  std::ofstream(path) << content;
  berth::UniqueFd copy = sealed_copy(path, "berth-test");
  std::filesystem::remove(path);
  ASSERT_TRUE(copy);
  EXPECT_TRUE(is_sealed_copy(copy.get()));
  EXPECT_EQ(read_all(copy.get()), content);
  EXPECT_NE(::fcntl(copy.get(), F_GETFD) & FD_CLOEXEC, 0);

  EXPECT_LT(::pwrite(copy.get(), "y", 1, 0), 0);
  EXPECT_LT(::ftruncate(copy.get(), 10), 0);
  EXPECT_LT(::ftruncate(copy.get(), 200000), 0);
  EXPECT_LT(::fcntl(copy.get(), F_ADD_SEALS, F_SEAL_FUTURE_WRITE), 0);  // F_SEAL_SEAL: the set is final
  EXPECT_EQ(::mmap(nullptr, 4096, PROT_WRITE, MAP_SHARED, copy.get(), 0), MAP_FAILED);
  // Reopened through /proc (as /proc/PID/exe would be): still not writable.
  const std::string again = "/proc/self/fd/" + std::to_string(copy.get());
  berth::UniqueFd w(::open(again.c_str(), O_WRONLY | O_CLOEXEC));
  if (w) {
    EXPECT_LT(::write(w.get(), "y", 1), 0);
  }
  EXPECT_EQ(read_all(copy.get()), content);
}

TEST(ShimSelfClone, PlainFilesAndUnsealedMemfdsAreNotSealedCopies) {
  berth::UniqueFd file(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  EXPECT_FALSE(is_sealed_copy(file.get()));
  berth::UniqueFd mem(::memfd_create("x", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  EXPECT_FALSE(is_sealed_copy(mem.get()));
  EXPECT_THROW(sealed_copy("/nonexistent/berth", "x"), std::exception);
}

TEST(ShimFds, CloseFdsExceptKeepsOnlyTheListedOnes) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int a = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    int b = ::open("/dev/null", O_RDONLY);
    int c = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    int d = ::fcntl(a, F_DUPFD, 100);
    if (a < 0 || b < 0 || c < 0 || d < 0) ::_exit(10);
    if (close_fds_except({c, -1, 1, c, d}) != 0) ::_exit(11);
    // 1, c and d stay; 0, 2, a and b are gone.
    if (::fcntl(1, F_GETFD) < 0 || ::fcntl(c, F_GETFD) < 0 || ::fcntl(d, F_GETFD) < 0) ::_exit(12);
    for (int fd : {0, 2, a, b})
      if (::fcntl(fd, F_GETFD) >= 0 || errno != EBADF) ::_exit(13);
    if (close_fds_except({}) != 0 || ::fcntl(1, F_GETFD) >= 0) ::_exit(14);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}
