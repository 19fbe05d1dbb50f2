// berth-init: PID 1 of `init: true` containers (what tini is to Docker). It starts the
// container's process as its child, forwards the signals a user sends to it, reaps every
// zombie re-parented to PID 1, and exits with the child's exit code (128+N when the child was
// killed by signal N).
//
//   berth-init [--] program [args...]
//
// PID 1 of a pid namespace gets no default signal actions: an unhandled SIGTERM is simply
// dropped, which is why a shell or server that doesn't handle it never stops. Blocked signals
// are still queued, so we block them all and take them with sigtimedwait(). The child gets its
// own process group and, if stdin is a terminal, the foreground (as tini does), so a ^C reaches
// it once, from us. Static, libc only: it runs in any rootfs.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

namespace {

constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT, SIGWINCH};

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

[[noreturn]] void exec_child(char** argv, const sigset_t& original) {
  // Own process group, and the terminal's foreground if there is one. SIGTTOU is still blocked
  // here, so tcsetpgrp from a background group succeeds.
  ::setpgid(0, 0);
  if (::isatty(STDIN_FILENO)) ::tcsetpgrp(STDIN_FILENO, ::getpgrp());
  ::sigprocmask(SIG_SETMASK, &original, nullptr);
  ::execvp(argv[0], argv);
  int err = errno;
  ::dprintf(STDERR_FILENO, "berth-init: exec `%s`: %s\n", argv[0], ::strerror(err));
  ::_exit(err == ENOENT ? 127 : 126);
}

}  // namespace

int main(int argc, char** argv) {
  int first = 1;
  if (first < argc && ::strcmp(argv[first], "--") == 0) ++first;
  if (first >= argc) {
    ::dprintf(STDERR_FILENO, "usage: berth-init [--] program [args...]\n");
    return 2;
  }

  sigset_t all, original;
  ::sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, &original);
  // SIGTTIN/SIGTTOU: the child's tcsetpgrp would stop us otherwise when we read/write the tty.
  ::signal(SIGTTIN, SIG_IGN);
  ::signal(SIGTTOU, SIG_IGN);

  pid_t child = ::fork();
  if (child < 0) {
    ::dprintf(STDERR_FILENO, "berth-init: fork: %s\n", ::strerror(errno));
    return 1;
  }
  if (child == 0) {
    ::signal(SIGTTIN, SIG_DFL);
    ::signal(SIGTTOU, SIG_DFL);
    exec_child(argv + first, original);
  }

  for (;;) {
    // Reap everything that exited; our child's exit ends the container.
    for (;;) {
      int status = 0;
      pid_t pid = ::waitpid(-1, &status, WNOHANG);
      if (pid <= 0) break;
      if (pid == child) return exit_code(status);
    }
    siginfo_t info;
    timespec wake{1, 0};  // also reap periodically, in case a SIGCHLD was coalesced
    int sig = ::sigtimedwait(&all, &info, &wake);
    if (sig < 0 || sig == SIGCHLD) continue;
    for (int f : kForwarded)
      if (sig == f) ::kill(child, sig);
  }
}
