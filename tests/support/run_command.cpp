// See run_command.hpp. fork + execve with three pipes; both outputs are read with poll so a child
// that fills one pipe while we wait on the other cannot deadlock.
#include "support/run_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <system_error>

namespace berth::test {

CommandResult run_command(const std::vector<std::string>& argv, const std::string& cwd,
                          const std::map<std::string, std::string>& env, const std::string& input) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC))
    throw std::system_error(errno, std::generic_category(), "pipe2 for " + argv.at(0));
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (auto& e : env_strings) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork for " + argv.at(0));
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execve(cargv[0], cargv.data(), cenv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  // stdin is fed from the same poll loop that drains both outputs: a child that writes while it
  // reads (gzip -c) would fill its stdout pipe and stop reading while we still wrote to it.
  CommandResult r;
  std::size_t written = 0;
  int in_fd = in[1];
  if (input.empty()) {
    ::close(in_fd);
    in_fd = -1;
  } else {
    ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }
  pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in_fd, POLLOUT, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    if (::poll(fds, 3, 60000) <= 0) break;  // bounded: a hung child fails the test instead of the suite
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0)
        sinks[i]->append(buf, static_cast<size_t>(n));
      else {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
    if (fds[2].fd >= 0 && fds[2].revents) {
      // POLLERR: the child closed its stdin; writing would raise SIGPIPE.
      ssize_t n = (fds[2].revents & POLLOUT) && !(fds[2].revents & POLLERR)
                      ? ::write(fds[2].fd, input.data() + written, input.size() - written)
                      : -1;
      if (n > 0) written += static_cast<std::size_t>(n);
      if (written == input.size() || (n < 0 && errno != EAGAIN)) {  // all given, or the child closed its stdin
        ::close(fds[2].fd);
        fds[2].fd = -1;
      }
    }
  }
  if (fds[2].fd >= 0) ::close(fds[2].fd);
  for (auto& f : fds)
    if (f.fd >= 0) ::close(f.fd);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

CommandResult run_shell(const std::string& command) {
  return run_command({"/bin/sh", "-c", command}, ".", current_environment());
}

CommandResult run_berth(const std::vector<std::string>& args, const std::string& cwd,
                        std::map<std::string, std::string> env, const std::string& input) {
  std::vector<std::string> argv{BERTH_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  env.emplace("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
  return run_command(argv, cwd, env, input);
}

}  // namespace berth::test
