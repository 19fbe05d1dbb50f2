// Image store, part 3: staging. Every writer process stages in a directory of its own,
// <root>/tmp/stage-XXXXXX, flocked through its owner.lock for as long as the process uses it
// (from the first blob or layer it stages to the last one it commits or drops).
// Blobs are written and layers unpacked in there, and reach blobs/ and layers/ only by rename,
// once verified; what is never committed goes with the directory. A writer killed with -9
// leaves its staging dir unlocked: the next writer to take the store lock removes it, so a
// crash costs disk space only until the next write, and nothing staged is ever indexed.
//
// The owner's window between mkdtemp and flock: the directory is named after its maker
// (stage-<pid>-XXXXXX); a sweeper that finds no lock file removes it when that process is gone
// (killed inside the window) and otherwise leaves a young one alone; one that locks the file
// first removes the directory, and the owner, seeing its locked file gone from the path, starts
// over with a new one.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "common/dir_list.hpp"
#include "common/file_lock.hpp"
#include "common/sys_error.hpp"
#include "common/top_dir.hpp"
#include "compose/image/store.hpp"

namespace berth::image {

namespace {

constexpr std::string_view kStagePrefix = "stage-";
constexpr const char* kOwnerLock = "/owner.lock";

bool has_prefix(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

/// Whether `path` was modified less than `age` ago (false when it cannot be read).
bool younger_than(const std::string& path, std::chrono::seconds age) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto t = fs::last_write_time(path, ec);
  return !ec && t > fs::file_time_type::clock::now() - age;
}

/// Whether the process that made staging dir `name` (stage-<pid>-XXXXXX) is gone.
bool maker_gone(const std::string& name) {
  const long pid = std::strtol(name.c_str() + kStagePrefix.size(), nullptr, 10);
  return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

}  // namespace

StagingDir::StagingDir(const std::string& tmp) {
  std::error_code ec;
  std::filesystem::create_directories(tmp, ec);
  if (ec) throw SysError("mkdir `" + tmp + "`", ec.value());
  mark_top_dir(tmp);  // layers unpack in there
  for (;;) {
    m_path = tmp + "/" + std::string(kStagePrefix) + std::to_string(::getpid()) + "-XXXXXX";
    if (::mkdtemp(m_path.data()) == nullptr) throw_errno("create staging directory `" + m_path + "`");
    const std::string lock = m_path + kOwnerLock;
    try {
      m_lock = lock_file(lock);
    } catch (const SysError& e) {
      if (e.code() != ENOENT) throw;
      continue;  // swept before the lock file was made
    }
    struct stat locked {
    }, now{};
    if (::fstat(m_lock.get(), &locked) != 0) throw_errno("stat `" + lock + "`");
    if (::stat(lock.c_str(), &now) == 0 && now.st_ino == locked.st_ino && now.st_dev == locked.st_dev) return;
    m_lock.reset();  // a sweeper took the lock first and removed the directory
  }
}

StagingDir::~StagingDir() {
  // Renamed to a trash name first: a kill during the removal then leaves a trash dir (swept at
  // once), never a staging dir whose lock file is gone (a young one is taken as being made).
  std::string trash = m_path;
  trash.replace(trash.rfind('/') + 1, kStagePrefix.size(), "trash-");
  std::error_code ec;
  if (::rename(m_path.c_str(), trash.c_str()) != 0) trash = m_path;
  std::filesystem::remove_all(trash, ec);  // uncommitted blobs and layers; else the next sweep
}

void sweep_staging(const std::string& tmp) {
  namespace fs = std::filesystem;
  std::vector<std::string> names;
  try {
    names = list_dir(tmp);
  } catch (const SysError&) {
    return;  // nothing to sweep
  }
  for (const std::string& name : names) {
    const std::string path = tmp + "/" + name;
    std::error_code ignored;
    if (has_prefix(name, kStagePrefix)) {
      UniqueFd lock(::open((path + kOwnerLock).c_str(), O_RDWR | O_CLOEXEC));
      if (!lock) {
        if (maker_gone(name) || !younger_than(path, std::chrono::minutes(1))) fs::remove_all(path, ignored);
        continue;
      }
      if (try_lock_fd(lock.get(), LOCK_EX, path + kOwnerLock)) fs::remove_all(path, ignored);  // its owner died
      continue;
    }
    if (has_prefix(name, "build-")) continue;  // compose/build's sweep_stale_steps
    // Blob downloads and push's gzip files do not take the store lock: a young file may be in use.
    if (has_prefix(name, "trash-") || !younger_than(path, std::chrono::hours(24))) fs::remove_all(path, ignored);
  }
}

// ---- staged layers ----

StagedLayer::StagedLayer(StagedLayer&& o) noexcept
    : m_staging(std::move(o.m_staging)), m_dir(std::exchange(o.m_dir, {})), m_info(std::move(o.m_info)) {}

StagedLayer::~StagedLayer() {
  std::error_code ec;
  if (!m_dir.empty()) std::filesystem::remove_all(m_dir, ec);
}

std::shared_ptr<StagingDir> ImageStore::staging() {
  std::lock_guard lk(m_staging->mu);
  std::shared_ptr<StagingDir> dir = m_staging->dir.lock();
  if (!dir) {
    dir = std::make_shared<StagingDir>(m_root + "/tmp");
    m_staging->dir = dir;
  }
  return dir;
}

StagedLayer ImageStore::stage_layer(int fd, const std::optional<Digest>& parent,
                                    const std::optional<Digest>& expected_diff_id, const std::string& label,
                                    const StreamSink& sink) {
  std::shared_ptr<StagingDir> dir = staging();
  UnpackedLayer layer = unpack_staged(dir->path(), fd, parent, expected_diff_id, label, sink);
  return StagedLayer(std::move(dir), std::move(layer.dir), std::move(layer.info));
}

void ImageStore::install(const StoreLock& lock, StagedLayer& layer) {
  check_lock(lock);
  if (layer.m_dir.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(m_root + "/layers", ec);
  if (install_layer(layer.m_dir, m_root + "/layers", layer.m_info)) layer.m_dir.clear();
  // else: another writer installed it first; ours goes with `layer`
}

}  // namespace berth::image
