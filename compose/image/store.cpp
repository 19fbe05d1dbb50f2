// Image store, part 1: the writer lock, blobs and unpacked layers. Names (images.json) and
// garbage collection are in store_index.cpp.
//
// Blobs are written to this process's staging dir under <root>/tmp (store_staging.cpp), fsynced,
// and renamed to blobs/sha256/<hex>, so a blob file exists only when complete and verified.
// Renaming over an existing blob is harmless (same content). Small blobs (manifests, configs) are
// re-hashed when read: a corrupt file is caught before its JSON is believed.
#include "compose/image/store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <stdexcept>

#include "common/atomic_file.hpp"
#include "common/file_lock.hpp"
#include "common/scope_exit.hpp"
#include "common/sys_error.hpp"
#include "common/top_dir.hpp"

namespace berth::image {

namespace {

void make_dirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) throw SysError("mkdir `" + path + "`", ec.value());
}

}  // namespace

// ---- BlobWriter ----

BlobWriter::BlobWriter(std::shared_ptr<StagingDir> staging, std::string blobs_dir, std::string tmp, UniqueFd fd)
    : m_staging(std::move(staging)), m_blobs_dir(std::move(blobs_dir)), m_tmp(std::move(tmp)), m_fd(std::move(fd)) {}

BlobWriter::BlobWriter(BlobWriter&& o) noexcept
    : m_staging(std::move(o.m_staging)),
      m_blobs_dir(std::move(o.m_blobs_dir)),
      m_tmp(std::exchange(o.m_tmp, {})),
      m_final(std::move(o.m_final)),
      m_fd(std::move(o.m_fd)),
      m_hash(std::move(o.m_hash)),
      m_digest(std::move(o.m_digest)),
      m_size(o.m_size) {}

BlobWriter& BlobWriter::operator=(BlobWriter&& o) noexcept {
  if (this != &o) {
    if (!m_tmp.empty()) ::unlink(m_tmp.c_str());
    m_staging = std::move(o.m_staging);
    m_blobs_dir = std::move(o.m_blobs_dir);
    m_tmp = std::exchange(o.m_tmp, {});
    m_final = std::move(o.m_final);
    m_fd = std::move(o.m_fd);
    m_hash = std::move(o.m_hash);
    m_digest = std::move(o.m_digest);
    m_size = o.m_size;
  }
  return *this;
}

BlobWriter::~BlobWriter() {
  if (!m_tmp.empty()) ::unlink(m_tmp.c_str());
}

void BlobWriter::write(const void* data, std::size_t size) {
  if (!m_fd) throw std::logic_error("BlobWriter::write after finish");
  m_hash.update(data, size);
  write_all(m_fd.get(), std::string_view(static_cast<const char*>(data), size), m_tmp);
  m_size += size;
}

const Digest& BlobWriter::finish() {
  if (!m_digest) {
    if (::fsync(m_fd.get()) != 0) throw_errno("fsync `" + m_tmp + "`");
    m_fd.reset();
    m_digest = m_hash.finish();
  }
  return *m_digest;
}

Digest BlobWriter::commit(const std::optional<Digest>& expected) {
  Digest got = finish();
  if (m_tmp.empty()) return got;  // committed already
  if (expected && got != *expected) {
    ::unlink(m_tmp.c_str());
    m_tmp.clear();
    throw std::runtime_error("blob digest mismatch: expected " + expected->str() + ", got " + got.str());
  }
  std::string final_path = m_blobs_dir + "/" + std::string(got.hex());
  if (::rename(m_tmp.c_str(), final_path.c_str()) != 0) throw_errno("rename `" + m_tmp + "` to `" + final_path + "`");
  m_tmp.clear();
  m_final = std::move(final_path);
  return got;
}

// ---- ImageStore: lock, blobs, layers ----

ImageStore::ImageStore(std::string root) : m_root(std::move(root)) {
  while (m_root.size() > 1 && m_root.back() == '/') m_root.pop_back();
}

StoreLock ImageStore::lock() {
  for (const char* sub : {"/blobs/sha256", "/layers", "/tmp"}) make_dirs(m_root + sub);
  mark_top_dir(m_root + "/tmp");  // layers unpack in there
  UniqueFd fd = lock_file(m_root + "/store.lock");
  sweep_staging(m_root + "/tmp");
  return StoreLock(std::move(fd), m_root);
}

void ImageStore::check_lock(const StoreLock& lock) const {
  if (!lock.m_fd || lock.m_root != m_root) throw std::logic_error("image store: writer lock of another store");
}

BlobWriter ImageStore::begin_blob() {
  make_dirs(m_root + "/blobs/sha256");
  std::shared_ptr<StagingDir> dir = staging();
  std::string tmp = dir->path() + "/blob-XXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd) throw_errno("create temporary file `" + tmp + "`");
  if (::fchmod(fd.get(), 0644) != 0) throw_errno("chmod `" + tmp + "`");
  return BlobWriter(std::move(dir), m_root + "/blobs/sha256", tmp, std::move(fd));
}

Digest ImageStore::put_blob(std::istream& in, const std::optional<Digest>& expected) {
  BlobWriter w = begin_blob();
  char buf[65536];
  while (in) {
    in.read(buf, sizeof buf);
    if (in.gcount() > 0) w.write(buf, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw std::runtime_error("put blob: read error on the input stream");
  return w.commit(expected);
}

Digest ImageStore::put_blob(std::string_view data, const std::optional<Digest>& expected) {
  if (!expected || !has_blob(*expected)) {
    BlobWriter w = begin_blob();
    w.write(data);
    return w.commit(expected);
  }
  Digest got = sha256_of(data);  // already stored: still refuse content that does not match
  if (got != *expected)
    throw std::runtime_error("blob digest mismatch: expected " + expected->str() + ", got " + got.str());
  return got;
}

std::string ImageStore::blob_path(const Digest& d) const { return m_root + "/blobs/sha256/" + std::string(d.hex()); }

std::string ImageStore::partial_blob_path(const Digest& d) const {
  make_dirs(m_root + "/partial");
  return m_root + "/partial/" + std::string(d.hex());
}

void ImageStore::adopt_blob(const std::string& partial_path, const Digest& d) const {
  make_dirs(m_root + "/blobs/sha256");
  const std::string dest = blob_path(d);
  if (::rename(partial_path.c_str(), dest.c_str()) != 0) throw_errno("rename `" + partial_path + "` to `" + dest + "`");
}

void ImageStore::sync() const {
  UniqueFd fd(::open(m_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw_errno("open `" + m_root + "`");
  if (::syncfs(fd.get()) != 0) throw_errno("syncfs `" + m_root + "`");
}

bool ImageStore::has_blob(const Digest& d) const { return ::access(blob_path(d).c_str(), F_OK) == 0; }

std::string ImageStore::read_blob(const Digest& d) const {
  if (!has_blob(d)) throw std::runtime_error("blob " + d.str() + " is not in the image store");
  std::string data = read_file(blob_path(d));
  if (sha256_of(data) != d)
    throw std::runtime_error("blob " + d.str() + " is corrupt (its content has another digest)");
  return data;
}

UniqueFd ImageStore::open_blob(const Digest& d) const {
  std::string path = blob_path(d);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) throw std::runtime_error("blob " + d.str() + " is not in the image store");
    throw_errno("open `" + path + "`");
  }
  return fd;
}

std::string ImageStore::layer_dir(const Digest& chain_id) const {
  return m_root + "/layers/" + std::string(chain_id.hex()) + "/diff";
}

bool ImageStore::has_layer(const Digest& chain_id) const {
  return ::access((m_root + "/layers/" + std::string(chain_id.hex()) + "/layer.json").c_str(), F_OK) == 0;
}

std::optional<LayerInfo> ImageStore::layer_info(const Digest& chain_id) const {
  return read_layer_info(m_root + "/layers/" + std::string(chain_id.hex()));
}

LayerInfo ImageStore::add_layer(const StoreLock& lock, int fd, const std::optional<Digest>& parent,
                                const std::optional<Digest>& expected_diff_id, const std::string& label,
                                const StreamSink& sink) {
  check_lock(lock);
  if (expected_diff_id)
    if (auto have = layer_info(chain_id(parent, *expected_diff_id))) return *have;
  std::shared_ptr<StagingDir> dir = staging();
  return unpack_layer(m_root + "/layers", dir->path(), fd, parent, expected_diff_id, label, sink);
}

LayerInfo ImageStore::adopt_layer(const StoreLock& lock, const std::string& dir, const std::optional<Digest>& parent,
                                  const Digest& diff_id, std::uint64_t size) {
  namespace fs = std::filesystem;
  check_lock(lock);
  LayerInfo info{diff_id, chain_id(parent, diff_id), parent, size};
  std::error_code ec;
  if (auto have = layer_info(info.chain_id)) {
    fs::remove_all(dir, ec);
    return *have;
  }
  std::shared_ptr<StagingDir> keep = this->staging();
  std::string staging = keep->path() + "/layer-XXXXXX";
  if (::mkdtemp(staging.data()) == nullptr) throw_errno("create temporary directory `" + staging + "`");
  ScopeExit discard([&] { fs::remove_all(staging, ec); });
  if (::rename(dir.c_str(), (staging + "/diff").c_str()) != 0)
    throw_errno("rename `" + dir + "` to `" + staging + "/diff`");
  if (install_layer(staging, m_root + "/layers", info)) discard.dismiss();
  return info;
}

std::vector<std::string> ImageStore::lower_dirs(const ImageRecord& image) const {
  std::vector<std::string> dirs;
  for (auto it = image.layers.rbegin(); it != image.layers.rend(); ++it) dirs.push_back(layer_dir(it->chain_id));
  return dirs;
}

}  // namespace berth::image
