// Paths of the state trees and lookup of the helper binaries. Helpers are looked for next to
// the running `berth` first, then where `cmake --install` puts them (BERTH_HELPER_RELDIR from
// berth's directory: ../libexec/berth), then as build-tree siblings, so tests and
// developers run the freshly built shim without installing anything.
#include "compose/state/paths.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace berth::state {

namespace fs = std::filesystem;

Paths Paths::for_root(const std::string& root) {
  Paths p;
  p.root = root.empty() ? kDefaultRoot : root;
  while (p.root.size() > 1 && p.root.back() == '/') p.root.pop_back();
  if (const char* run = std::getenv("BERTH_RUN"); run && *run)
    p.run = run;
  else if (p.root == kDefaultRoot)
    p.run = "/run/berth";
  else
    p.run = p.root + "/run";
  return p;
}

std::string find_helper(const std::string& name, const std::string& env_var, const std::string& subdir) {
  if (const char* env = std::getenv(env_var.c_str()); env && *env) {
    if (::access(env, X_OK) != 0) throw std::runtime_error(env_var + "=" + env + ": not an executable file");
    return env;
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::string looked;
  if (!ec) {
    fs::path dir = exe.parent_path();
    for (const fs::path& candidate : {dir / name, dir / BERTH_HELPER_RELDIR / name, dir / ".." / subdir / name}) {
      if (::access(candidate.c_str(), X_OK) == 0) return fs::weakly_canonical(candidate).string();
      looked += ", " + candidate.string();
    }
  }
  throw std::runtime_error("cannot find " + name + " (set " + env_var + "; looked at $" + env_var + looked + ")");
}

std::string shim_binary() { return find_helper("berth-shim", "BERTH_SHIM", "runtime-shim"); }
std::string dns_binary() { return find_helper("berth-dns", "BERTH_DNS", "dns"); }

}  // namespace berth::state
