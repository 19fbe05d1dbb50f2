// Layer unpacking with libarchive, in two stacked readers: the outer one only decompresses
// (format "raw" + gzip/zstd/xz/bzip2 filters, chosen by libarchive's content sniffing; plain tar
// passes through; gzip goes to ISA-L instead when the build has it, see gunzip.hpp), and hands
// its output to the inner tar reader through a read callback that also hashes it. The hash therefore covers exactly the
// uncompressed stream — including the padding after the end-of-archive blocks, which is drained at the end — and is the
// diff id. Only in-process decompressors are enabled: filter_all would also run external programs (lrzip, lzop, ...) on
// untrusted input.
#include "compose/image/unpack.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <exception>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/atomic_file.hpp"
#include "common/scope_exit.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "compose/image/archive_reader.hpp"
#include "compose/image/gunzip.hpp"
#include "compose/image/layer_writer.hpp"

namespace berth::image {

namespace {

const char* or_else(const char* s, const char* fallback) { return s ? s : fallback; }

/// The decompressing outer reader (ISA-L for gzip where built in, else libarchive) and the hash
/// of what it produced.
struct Decompressed {
  ArchiveReader outer;
  std::unique_ptr<Gunzip> gunzip;
  std::string gunzip_error;
  Sha256 hash;
  const StreamSink* sink = nullptr;
  std::exception_ptr sink_error;  ///< exceptions must not unwind through libarchive's C frames
  char buf[128 * 1024];

  /// Why the last read() returned < 0 (a decompression error; sink errors are in sink_error).
  std::string error() const {
    if (gunzip) return gunzip_error;
    return or_else(archive_error_string(outer.get()), "read error");
  }

  la_ssize_t read_compressed() {
    if (!gunzip) return archive_read_data(outer.get(), buf, sizeof buf);
    try {
      return static_cast<la_ssize_t>(gunzip->read(buf, sizeof buf));
    } catch (const std::exception& e) {
      gunzip_error = e.what();
      return ARCHIVE_FATAL;
    }
  }

  la_ssize_t read(const void** out) {
    la_ssize_t n = read_compressed();
    if (n <= 0) return n;
    hash.update(buf, static_cast<size_t>(n));
    if (sink && *sink) {
      try {
        (*sink)(buf, static_cast<size_t>(n));
      } catch (...) {
        sink_error = std::current_exception();
        return ARCHIVE_FATAL;
      }
    }
    if (out) *out = buf;
    return n;
  }
};

la_ssize_t inner_read(archive* inner, void* ctx, const void** out) {
  auto* d = static_cast<Decompressed*>(ctx);
  la_ssize_t n = d->read(out);
  if (n < 0 && !d->sink_error) archive_set_error(inner, EIO, "decompress: %s", d->error().c_str());
  return n < 0 ? ARCHIVE_FATAL : n;
}

void open_outer(Decompressed& d, int fd) {
  if (gunzip_available() && starts_with_gzip(fd)) {
    d.gunzip = std::make_unique<Gunzip>(fd);
    return;
  }
  d.outer.reset(archive_read_new());
  archive* a = d.outer.get();
  if (!a) throw std::bad_alloc();
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_zstd(a);
  archive_read_support_filter_xz(a);
  archive_read_support_filter_bzip2(a);
  archive_read_support_format_raw(a);
  archive_entry* e = nullptr;
  if (archive_read_open_fd(a, fd, 128 * 1024) != ARCHIVE_OK || archive_read_next_header(a, &e) != ARCHIVE_OK)
    throw UnpackError(std::string("read the layer stream: ") + or_else(archive_error_string(a), "empty input"));
}

}  // namespace

Digest chain_id(const std::optional<Digest>& parent, const Digest& diff_id) {
  if (!parent) return diff_id;
  return sha256_of(parent->str() + " " + diff_id.str());
}

UnpackStats unpack_tar(int fd, int root_fd, const StreamSink& sink, const LayerWriterOptions& options) {
  auto d = std::make_unique<Decompressed>();
  d->sink = &sink;
  open_outer(*d, fd);
  ArchiveReader inner(archive_read_new());
  archive_read_support_format_tar(inner.get());
  if (archive_read_open(inner.get(), d.get(), nullptr, inner_read, nullptr) != ARCHIVE_OK)
    throw UnpackError(std::string("read tar: ") + archive_error_string(inner.get()));

  LayerWriter writer(root_fd, options);
  UnpackStats stats{sha256_of(""), 0, 0};
  for (;;) {
    archive_entry* e = nullptr;
    int r = archive_read_next_header(inner.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (d->sink_error) std::rethrow_exception(d->sink_error);
    if (r < ARCHIVE_WARN) {
      std::string where = stats.entries ? "after entry " + std::to_string(stats.entries) + ": " : "";
      throw UnpackError("read tar: " + where + or_else(archive_error_string(inner.get()), "malformed archive"));
    }
    const char* name = or_else(archive_entry_pathname(e), archive_entry_pathname_utf8(e));
    try {
      writer.write(inner.get(), e);
    } catch (const std::exception& ex) {
      if (d->sink_error) std::rethrow_exception(d->sink_error);
      throw UnpackError("entry `" + std::string(name ? name : "") + "`: " + ex.what());
    }
    ++stats.entries;
  }
  // Whatever follows the end-of-archive marker is part of the stream, and of the diff id.
  for (la_ssize_t n; (n = d->read(nullptr)) != 0;) {
    if (d->sink_error) std::rethrow_exception(d->sink_error);
    if (n < 0) throw UnpackError("decompress: " + d->error());
  }
  writer.finish();
  stats.size = writer.content_size();
  stats.diff_id = d->hash.finish();
  return stats;
}

Digest decompress(int fd, const StreamSink& sink) {
  auto d = std::make_unique<Decompressed>();
  d->sink = &sink;
  open_outer(*d, fd);
  for (la_ssize_t n; (n = d->read(nullptr)) != 0;) {
    if (d->sink_error) std::rethrow_exception(d->sink_error);
    if (n < 0) throw UnpackError("decompress: " + d->error());
  }
  return d->hash.finish();
}

UnpackedLayer unpack_staged(const std::string& tmp_dir, int fd, const std::optional<Digest>& parent,
                            const std::optional<Digest>& expected_diff_id, const std::string& label,
                            const StreamSink& sink) {
  namespace fs = std::filesystem;
  const std::string context = "unpack layer " + label + ": ";
  std::error_code ec;
  fs::create_directories(tmp_dir, ec);
  std::string staging = tmp_dir + "/layer-XXXXXX";
  if (::mkdtemp(staging.data()) == nullptr) throw_errno("create temporary directory `" + staging + "`");
  ScopeExit discard([&] { fs::remove_all(staging, ec); });

  std::string diff = staging + "/diff";
  if (::mkdir(diff.c_str(), 0755) != 0 || ::chmod(diff.c_str(), 0755) != 0) throw_errno("mkdir `" + diff + "`");
  UniqueFd root(::open(diff.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw_errno("open `" + diff + "`");
  UnpackStats stats{sha256_of(""), 0, 0};
  try {
    stats = unpack_tar(fd, root.get(), sink);
  } catch (const std::exception& ex) {
    throw UnpackError(context + ex.what());
  }
  if (expected_diff_id && stats.diff_id != *expected_diff_id)
    throw UnpackError(context + "its content has diff id " + stats.diff_id.str() + " but the image config says " +
                      expected_diff_id->str());
  LayerInfo info{stats.diff_id, chain_id(parent, stats.diff_id), parent, stats.size};
  if (::syncfs(root.get()) != 0) throw_errno("syncfs `" + diff + "`");
  discard.dismiss();
  return UnpackedLayer{info, staging};
}

LayerInfo unpack_layer(const std::string& layers_dir, const std::string& tmp_dir, int fd,
                       const std::optional<Digest>& parent, const std::optional<Digest>& expected_diff_id,
                       const std::string& label, const StreamSink& sink) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(layers_dir, ec);
  UnpackedLayer layer = unpack_staged(tmp_dir, fd, parent, expected_diff_id, label, sink);
  ScopeExit discard([&] { fs::remove_all(layer.dir, ec); });
  if (install_layer(layer.dir, layers_dir, layer.info)) discard.dismiss();  // else someone else's is kept, ours dropped
  return layer.info;
}

bool install_layer(const std::string& staging, const std::string& layers_dir, const LayerInfo& info) {
  nlohmann::json meta = {{"diff_id", info.diff_id.str()},
                         {"chain_id", info.chain_id.str()},
                         {"parent", info.parent ? nlohmann::json(info.parent->str()) : nlohmann::json(nullptr)},
                         {"size", info.size}};
  write_file_atomic(staging + "/layer.json", meta.dump(2) + "\n");
  std::string final_dir = layers_dir + "/" + std::string(info.chain_id.hex());
  if (::rename(staging.c_str(), final_dir.c_str()) != 0) {
    if (errno != EEXIST && errno != ENOTEMPTY) throw_errno("rename `" + staging + "` to `" + final_dir + "`");
    return false;
  }
  return true;
}

std::optional<LayerInfo> read_layer_info(const std::string& layer_dir) {
  std::string path = layer_dir + "/layer.json";
  if (::access(path.c_str(), F_OK) != 0) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(read_file(path));
  LayerInfo info{Digest::from_string(j.at("diff_id").get<std::string>()),
                 Digest::from_string(j.at("chain_id").get<std::string>()), std::nullopt,
                 j.value("size", std::uint64_t{0})};
  if (j.contains("parent") && j["parent"].is_string())
    info.parent = Digest::from_string(j["parent"].get<std::string>());
  return info;
}

}  // namespace berth::image
