#pragma once
// COPY and ADD into a step's merged view (an overlay whose upper is the step dir's upper/), as
// the Dockerfile reference says:
//  - a directory source copies its contents, not itself (with --parents: its path too);
//  - a file goes to `dest` itself, or into it when `dest` ends in `/`, is an existing
//    directory, or there are several sources (which requires the `/`);
//  - missing parents of the destination are created 0755 root:root; paths resolve inside the
//    destination root (openat2 RESOLVE_IN_ROOT), so an image's symlink cannot lead out;
//  - owners: --chown, else 0:0 for files from the context and the source's own for files from
//    a stage or image; --chmod sets the mode of everything copied; mtimes are kept;
//  - ADD of a local tar archive (plain, gzip, bzip2, xz, zstd) extracts it into `dest`.
// The source is either the build context (exclusions applied) or another root directory (a
// stage or image mounted read-only).
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "compose/build/build_context.hpp"

namespace berth::build {

/// Where a COPY reads from.
struct CopySource {
  const BuildContext* context = nullptr;  ///< the build context, or
  int root_fd = -1;                       ///< the root of a stage/image (O_PATH dir fd)
  std::string shown;                      ///< names the source in errors ("stage build")
};

struct CopyOptions {
  std::vector<std::string> sources;  ///< resolved paths relative to the source root
  std::string dest;                  ///< absolute, in the destination root
  bool dest_is_dir = false;          ///< dest ended in '/' or there are several sources
  std::optional<uid_t> uid;          ///< --chown
  std::optional<gid_t> gid;
  std::optional<mode_t> mode;  ///< --chmod
  bool parents = false;
  bool extract_archives = false;      ///< ADD
  std::vector<std::string> excludes;  ///< --exclude
};

/// Copies into the root `dst_root` (an O_PATH or O_DIRECTORY fd). Throws std::runtime_error /
/// SysError naming the path.
void copy_into(int dst_root, const CopySource& src, const CopyOptions& options);

/// Writes one file (a COPY heredoc) at `path` in `dst_root`: mode 0644 unless `mode`.
void write_file_into(int dst_root, const std::string& path, const std::string& content, std::optional<uid_t> uid,
                     std::optional<gid_t> gid, std::optional<mode_t> mode);

/// Parses --chmod: octal ("755", "0644"). Throws std::invalid_argument otherwise.
mode_t parse_chmod(const std::string& text);

}  // namespace berth::build
