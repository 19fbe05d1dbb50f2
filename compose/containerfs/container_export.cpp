// export (see container_export.hpp): a read-only overlay of the container's upper dir over its
// image layers, attached nowhere, walked as a plain tree: whiteouts are already applied by
// overlayfs, so what the container sees is what the tar holds.
#include "compose/containerfs/container_export.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "common/scope_exit.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "compose/containerfs/container_root.hpp"
#include "compose/containerfs/copy_plan.hpp"
#include "compose/containerfs/tar_stream.hpp"
#include "compose/image/layer_tar.hpp"

namespace berth::containerfs {

void export_container(const state::Paths& paths, const std::string& id, int fd) {
  UniqueFd root = open_container_files(paths, id);
  image::TreeTarOptions o;
  o.overlay_form = false;
  image::write_tree_tar(root.get(), fd_sink(fd), o);
}

void export_container_to_file(const state::Paths& paths, const std::string& id, const std::string& path) {
  const DirEntry d = split_dir_entry(path);
  struct stat st {};
  if (::stat(d.dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw std::runtime_error("failed to export container: invalid output path: directory \"" + d.dir +
                             "\" does not exist");
  std::string tmp = d.dir + "/." + d.base + ".XXXXXX";
  UniqueFd out(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!out) throw_errno("create `" + tmp + "`");
  ScopeExit discard([&] { ::unlink(tmp.c_str()); });
  if (::fchmod(out.get(), 0600) != 0) throw_errno("chmod `" + tmp + "`");
  export_container(paths, id, out.get());
  if (::fsync(out.get()) != 0) throw_errno("fsync `" + tmp + "`");
  if (::rename(tmp.c_str(), path.c_str()) != 0) throw_errno("rename `" + tmp + "` to `" + path + "`");
  discard.dismiss();
}

}  // namespace berth::containerfs
