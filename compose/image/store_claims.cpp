// Image store, part 3: claims (see StoreClaim in store.hpp). A claim file is created, extended and
// read only under <root>/claims.lock, so a removal sees each claim either whole or not yet made;
// its owner flocks it from the moment it exists, so an unlocked claim file is a dead process's.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "common/atomic_file.hpp"
#include "common/dir_list.hpp"
#include "common/file_lock.hpp"
#include "common/sys_error.hpp"
#include "compose/image/store.hpp"

namespace berth::image {

namespace {

std::string claims_dir(const std::string& root) { return root + "/claims"; }
UniqueFd lock_claims(const std::string& root) { return lock_file(root + "/claims.lock"); }

}  // namespace

StoreClaim ImageStore::claim() {
  const std::string dir = claims_dir(m_root);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw SysError("mkdir `" + dir + "`", ec.value());
  const UniqueFd held = lock_claims(m_root);
  std::string path = dir + "/" + std::to_string(::getpid()) + "-XXXXXX";
  UniqueFd fd(::mkostemp(path.data(), O_CLOEXEC | O_APPEND));
  if (!fd) throw_errno("create claim `" + path + "`");
  if (!try_lock_fd(fd.get(), LOCK_EX, path)) throw SysError("flock `" + path + "`", EWOULDBLOCK);
  return StoreClaim(m_root, std::move(path), std::move(fd));
}

void StoreClaim::add(const std::vector<Digest>& digests) {
  std::string lines;
  for (const auto& d : digests) lines += d.str() + "\n";
  const UniqueFd held = lock_claims(m_root);
  write_all(m_fd.get(), lines, m_path);
}

StoreClaim::~StoreClaim() {
  if (!m_fd) return;
  ::unlink(m_path.c_str());  // before the flock goes with the fd: never seen unlocked while listed
}

UniqueFd ImageStore::lock_claims_and_read(std::set<Digest>& blobs, std::set<Digest>& chains) const {
  UniqueFd held = lock_claims(m_root);
  const std::string dir = claims_dir(m_root);
  std::vector<std::string> names;
  try {
    names = list_dir(dir);
  } catch (const SysError& e) {
    if (e.code() != ENOENT) throw;
  }
  for (const auto& name : names) {
    const std::string path = dir + "/" + name;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) continue;  // its owner just ended it
    if (try_lock_fd(fd.get(), LOCK_SH, path)) {
      ::unlink(path.c_str());  // its process died: nothing relies on it
      continue;
    }
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
      if (auto d = Digest::parse(line)) {
        blobs.insert(*d);
        chains.insert(*d);
      }
  }
  return held;
}

}  // namespace berth::image
