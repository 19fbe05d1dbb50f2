// posix_spawn rather than fork+exec: the engine may be large, and the file actions (stdout onto
// the pipe's write end, stdin from /dev/null) are all the child needs. Both pipe ends are
// O_CLOEXEC, so the helper holds only the dup2'ed copy as its fd 1; our write end is closed
// right after the spawn, or the read below would never see end of file.
#include "common/spawn_ready.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"

extern char** environ;

namespace berth {

namespace {

/// posix_spawn_file_actions_t with its destroy.
class FileActions {
 public:
  FileActions() { ::posix_spawn_file_actions_init(&m_actions); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  ~FileActions() { ::posix_spawn_file_actions_destroy(&m_actions); }
  posix_spawn_file_actions_t* get() { return &m_actions; }

 private:
  posix_spawn_file_actions_t m_actions;
};

}  // namespace

std::string read_to_eof(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

SpawnedOutput spawn_ready(const std::string& name, const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe for " + name);
  UniqueFd rd(fds[0]), wr(fds[1]);
  FileActions actions;
  ::posix_spawn_file_actions_adddup2(actions.get(), wr.get(), 1);
  ::posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
  std::vector<std::string> args = argv;
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  pid_t pid = 0;
  int err = ::posix_spawn(&pid, args.at(0).c_str(), actions.get(), nullptr, cargs.data(), environ);
  if (err != 0) throw SysError("run `" + args[0] + "`", err);
  wr.reset();
  SpawnedOutput result;
  result.output = read_to_eof(rd.get());
  while (::waitpid(pid, &result.status, 0) < 0 && errno == EINTR) {
  }
  return result;
}

}  // namespace berth
