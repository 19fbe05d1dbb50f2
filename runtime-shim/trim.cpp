// release_startup_memory(): after the container has started, most of the shim's resident set is
// clean file-backed pages of its own (static) executable that only setup used: config.json
// parsing, seccomp compilation, namespace and mount code, faulted in 64 KiB at a time by the
// kernel's fault-around. MADV_DONTNEED on a private file mapping unmaps those pages; as long as
// a mapping holds no copied-on-write page ("Anonymous: 0 kB" in smaps: never written, e.g. code,
// .rodata) nothing is lost, and the event loop faults back only what it runs. Writable mappings
// and mappings with anonymous pages (.data, relocated RELRO) are never touched.
#include "runtime-shim/trim.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace berth::shim {

namespace {

struct Mapping {
  unsigned long start = 0, end = 0;
  bool candidate = false;  ///< read-only mapping of our executable
};

void drop_if_clean(const Mapping& m, long anonymous_kb) {
  if (m.candidate && anonymous_kb == 0 && m.end > m.start)
    ::madvise(reinterpret_cast<void*>(m.start), m.end - m.start, MADV_DONTNEED);
}

}  // namespace

void release_startup_memory() {
  ::malloc_trim(0);
  char exe_buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", exe_buf, sizeof exe_buf - 1);
  if (n <= 0) return;
  const std::string exe(exe_buf, static_cast<size_t>(n));
  FILE* smaps = std::fopen("/proc/self/smaps", "re");
  if (!smaps) return;
  Mapping current;
  long anonymous_kb = -1;
  char line[4096 + 256];
  while (std::fgets(line, sizeof line, smaps)) {
    unsigned long start, end;
    char perms[8];
    int path_at = 0;
    if (std::sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &start, &end, perms, &path_at) == 3 && path_at > 0) {
      drop_if_clean(current, anonymous_kb);
      std::string path(line + path_at);
      while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.pop_back();
      current = Mapping{start, end, path == exe && std::strchr(perms, 'w') == nullptr};
      anonymous_kb = -1;
    } else if (std::strncmp(line, "Anonymous:", 10) == 0) {
      anonymous_kb = std::strtol(line + 10, nullptr, 10);
    }
  }
  std::fclose(smaps);
  drop_if_clean(current, anonymous_kb);
}

}  // namespace berth::shim
