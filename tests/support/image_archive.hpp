#pragma once
// Tarballs built in memory with libarchive's writer, so every test of the image store (unit,
// integration and e2e) makes exactly the archive it needs, hostile ones included.
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "support/files.hpp"     // write_bytes, read_bytes: what image tests write and read back
#include "support/temp_dir.hpp"  // TempDir: the store roots

namespace berth::test {

/// One archive entry.
struct TarEntry {
  enum Type { File, Dir, Symlink, Hardlink, Char, Block, Fifo };
  std::string name;
  Type type = File;
  std::string data;  ///< file content
  std::string link;  ///< symlink or hardlink target
  unsigned mode = 0644;
  unsigned uid = 0, gid = 0;
  long mtime = 1700000000;
  unsigned major = 0, minor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
};

/// An entry with the given fields and defaults for the rest (no aggregate initialisation, which
/// -Wextra flags for the members left out).
inline TarEntry tar_entry(std::string name, TarEntry::Type type, std::string data, std::string link, unsigned mode) {
  TarEntry e;
  e.name = std::move(name);
  e.type = type;
  e.data = std::move(data);
  e.link = std::move(link);
  e.mode = mode;
  return e;
}
inline TarEntry tar_file(std::string name, std::string data, unsigned mode = 0644) {
  return tar_entry(std::move(name), TarEntry::File, std::move(data), {}, mode);
}
inline TarEntry tar_dir(std::string name, unsigned mode = 0755) {
  return tar_entry(std::move(name), TarEntry::Dir, {}, {}, mode);
}
inline TarEntry tar_symlink(std::string name, std::string target) {
  return tar_entry(std::move(name), TarEntry::Symlink, {}, std::move(target), 0777);
}
inline TarEntry tar_hardlink(std::string name, std::string target) {
  return tar_entry(std::move(name), TarEntry::Hardlink, {}, std::move(target), 0644);
}

enum class TarCompression { None, Gzip, Zstd, Xz, Bzip2 };

/// A pax tar of `entries`, optionally compressed.
inline std::string make_tar(const std::vector<TarEntry>& entries, TarCompression c = TarCompression::None) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_pax(a);
  // No padding to 10240-byte blocks: the uncompressed stream is then the same whether or not it
  // is compressed afterwards, and compressed streams carry no trailing zeros.
  archive_write_set_bytes_in_last_block(a, 1);
  if (c == TarCompression::Gzip) archive_write_add_filter_gzip(a);
  if (c == TarCompression::Zstd) archive_write_add_filter_zstd(a);
  if (c == TarCompression::Xz) archive_write_add_filter_xz(a);
  if (c == TarCompression::Bzip2) archive_write_add_filter_bzip2(a);
  auto writer = [](archive*, void* ctx, const void* buf, size_t n) -> la_ssize_t {
    static_cast<std::string*>(ctx)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  };
  if (archive_write_open(a, &out, nullptr, writer, nullptr) != ARCHIVE_OK)
    throw std::runtime_error(archive_error_string(a));
  for (const auto& t : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, t.name.c_str());
    archive_entry_set_uid(e, t.uid);
    archive_entry_set_gid(e, t.gid);
    archive_entry_set_mtime(e, t.mtime, 0);
    switch (t.type) {
      case TarEntry::File:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, static_cast<la_int64_t>(t.data.size()));
        break;
      case TarEntry::Dir:
        archive_entry_set_filetype(e, AE_IFDIR);
        break;
      case TarEntry::Symlink:
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, t.link.c_str());
        break;
      case TarEntry::Hardlink:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, t.link.c_str());
        break;
      case TarEntry::Char:
      case TarEntry::Block:
        archive_entry_set_filetype(e, t.type == TarEntry::Char ? AE_IFCHR : AE_IFBLK);
        archive_entry_set_rdevmajor(e, t.major);
        archive_entry_set_rdevminor(e, t.minor);
        break;
      case TarEntry::Fifo:
        archive_entry_set_filetype(e, AE_IFIFO);
        break;
    }
    archive_entry_set_perm(e, t.mode);
    for (const auto& [k, v] : t.xattrs) archive_entry_xattr_add_entry(e, k.c_str(), v.data(), v.size());
    if (archive_write_header(a, e) != ARCHIVE_OK) throw std::runtime_error(archive_error_string(a));
    if (t.type == TarEntry::File && !t.data.empty()) archive_write_data(a, t.data.data(), t.data.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

}  // namespace berth::test
