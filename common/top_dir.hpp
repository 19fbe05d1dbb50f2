#pragma once
// ext4's Orlov hint, FS_TOPDIR_FL (`chattr +T`): a directory made inside a directory with the flag
// starts in a block group chosen afresh (one with fewer directories and more free inodes) instead
// of its parent's. Staging directories of the image store and of builds get it because a file
// system without a journal makes the inode allocator skip, one buffer lookup each, every inode
// deleted in the last minute: unpacking a layer where the previous one was just removed crawls
// (docs/BENCHMARKS.md, "Registry pulls"), while a fresh group does not.
#include <string>

namespace berth {

/// Sets FS_TOPDIR_FL on `dir`. A file system without the flag (or without the ioctl) is left as
/// it is: the flag is only a placement hint. Throws SysError when `dir` cannot be opened.
void mark_top_dir(const std::string& dir);

}  // namespace berth
