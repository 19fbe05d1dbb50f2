#pragma once
// The pure part of `berth cp`, as docker cp decides it (moby/go-archive's copy.go): which side of
// "SERVICE:PATH" names a container, what a trailing "/" or "/." asserts, and where the copied
// entry lands — in the destination directory under its own name, or as the destination itself.
#include <optional>
#include <string>
#include <string_view>

namespace berth::containerfs {

/// One argument of `cp`: "svc:/path" → {"svc", "/path"}; a local path → {"", path}. As docker
/// compose's splitCpArg: an absolute path is local, and so is one whose part before ':' starts
/// with '.' ("./file:name").
struct CpArg {
  std::string service;
  std::string path;
};
CpArg split_cp_arg(std::string_view arg);

/// The path names a directory's contents: it ends in "/." (or is ".").
bool specifies_current_dir(std::string_view path);
/// The path asserts a directory: it ends in '/' or names a directory's contents.
bool asserts_directory(std::string_view path);

/// A path split into the directory holding its entry and the entry's name: "/a/b/" →
/// {"/a", "b"}; "/a/b/." → {"/a/b", "."} (go-archive's SplitPathDirEntry); "/" → {"/", "/"}.
struct DirEntry {
  std::string dir;
  std::string base;
};
DirEntry split_dir_entry(std::string_view path);

/// Makes a local path absolute against `cwd` and cleans it, keeping a trailing "/." or '/'
/// (docker's resolveLocalPath + PreserveTrailingDotOrSeparator).
std::string absolute_local_path(std::string_view path, std::string_view cwd);

/// What is copied: a directory or not, its contents only ("dir/."), and the name it goes by
/// (its own base name, or the one it was reached by through a followed symlink).
struct CopySource {
  bool is_dir = false;
  bool contents_only = false;
  std::string name;
};

/// Where it lands: the archive is extracted into `extract_dir` with the source's top entry
/// named `top_name`; `top_name` "" means the directory's children go straight into it.
struct CopyTarget {
  std::string extract_dir;
  std::string top_name;
};

/// docker's PrepareArchiveCopy rules for destination `dst` (`dst_is_dir`: nullopt when it does
/// not exist). Throws std::runtime_error with docker's texts: "cannot copy directory" (a
/// directory onto a file), "no such directory" (a file onto a missing "dir/").
CopyTarget plan_copy(const CopySource& src, std::string_view dst, std::optional<bool> dst_is_dir);

}  // namespace berth::containerfs
