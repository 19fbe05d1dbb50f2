#pragma once
// flock(2) on a lock file: whole-file, tied to the open file description, released when the fd
// is closed (or the process dies), so a crashed holder never leaves a lock behind.
#include <sys/types.h>

#include <string>

#include "common/unique_fd.hpp"

namespace berth {

/// Opens `path` (created with `mode` if missing) and takes an exclusive flock on it, waiting for
/// the holder. Closing the returned fd releases the lock. Throws SysError naming `what` (the
/// operation, "open `path`" / "flock `path`") with errno.
UniqueFd lock_file(const std::string& path, mode_t mode = 0600);

/// Tries a flock `operation` (LOCK_EX or LOCK_SH) on `fd` without waiting: false when another open
/// file holds a conflicting lock. Throws SysError("flock `shown`") for any other failure.
bool try_lock_fd(int fd, int operation, const std::string& shown);

/// Takes an exclusive open-file-description record lock (fcntl F_OFD_SETLK, whole file) on `path`
/// (created with `mode` if missing) without waiting: an empty fd when another open file holds it.
/// Like a flock it dies with its holder; unlike one, others can see it without taking it
/// (file_claimed). Throws SysError("open `path`" / "lock `path`") for other failures.
UniqueFd try_claim_file(const std::string& path, mode_t mode = 0600);

/// Whether some open file description holds a try_claim_file() lock on `path` (F_OFD_GETLK: it
/// only looks). A missing file is not claimed.
bool file_claimed(const std::string& path);

}  // namespace berth
