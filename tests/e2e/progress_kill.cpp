// See progress_kill.hpp.
#include "progress_kill.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>

#include "common/unique_fd.hpp"

namespace berth::test {

bool EventRun::clean() const { return !killed && WIFEXITED(status) && WEXITSTATUS(status) == 0; }

EventRun run_until_event(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                         const std::string& cwd, int kill_after, bool buildkit_lines, int seconds) {
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  std::vector<std::string> env_text;
  for (const auto& [k, v] : env) env_text.push_back(k + "=" + v);
  std::vector<char*> cenv;
  for (auto& e : env_text) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  EventRun run;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    run.status = -1;
    return run;
  }
  UniqueFd rd(fds[0]), wr(fds[1]);
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::dup2(wr.get(), 2);
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::execve(cargv[0], cargv.data(), cenv.data());
    ::_exit(127);
  }
  wr.reset();
  std::string pending;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!run.killed && std::chrono::steady_clock::now() < deadline) {
    pollfd p{rd.get(), POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(rd.get(), buf, sizeof buf);
    if (n <= 0) break;
    pending.append(buf, static_cast<size_t>(n));
    for (auto nl = pending.find('\n'); nl != std::string::npos && !run.killed; nl = pending.find('\n')) {
      const std::string text = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      const auto line = nlohmann::json::parse(text, nullptr, false);
      if (line.is_object() && line.contains("id") && line.contains("status"))
        ++run.events;
      else if (buildkit_lines && text.size() > 1 && text[0] == '#' && std::isdigit(static_cast<unsigned char>(text[1])))
        ++run.events;
      if (kill_after > 0 && run.events == kill_after) {
        ::kill(pid, SIGKILL);
        run.killed = true;
      }
    }
  }
  if (!run.killed) ::kill(pid, SIGKILL);  // bounded: a hung berth is the caller's failure, not a hung test
  ::waitpid(pid, &run.status, 0);
  return run;
}

}  // namespace berth::test
