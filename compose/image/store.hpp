#pragma once
// The local, content-addressed image store under the Berth root:
//   <root>/blobs/sha256/<hex>           manifests, configs, layer blobs as received
//   <root>/layers/<chain hex>/diff      unpacked layers (overlay lower dirs) + layer.json beside
//   <root>/images.json                  name -> {manifest, config, created, size, tagged}
//   <root>/store.lock                   flock held by writers
//   <root>/tmp/stage-<id>/              a writer process's staging for blobs and layers (same
//                                       filesystem: rename), flocked by its owner (StagingDir)
//   <root>/partial/<hex>                downloads in progress, resumed after a crash
//   <root>/claims/<id>, claims.lock     what live pulls rely on (StoreClaim), kept by removals
//   <root>/blob-sources/<hex>           hints compose/registry keeps about a stored blob (which
//   <root>/push-gzip/<hex>              repositories have it; the gzip form of an uncompressed
//                                       layer, "<digest> <size>", keyed by its diff id = blob hex)
// Readers take no lock: blobs and layers appear by rename and images.json is replaced
// atomically, so a reader sees either the old or the new state.
// The store does not read the hints (compose/registry does) but owns their lifetime: when it
// deletes a blob it deletes the hints named by its hex, and the sources of its gzip form unless
// that form is itself a stored blob, so no hint outlives its blob.
#include <cstdint>
#include <istream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.hpp"
#include "compose/image/digest.hpp"
#include "compose/image/image_config.hpp"
#include "compose/image/reference.hpp"
#include "compose/image/unpack.hpp"

namespace berth::image {

/// The hint directories under the store's root (see the top of this file).
inline constexpr std::string_view kBlobSourcesDir = "blob-sources";
inline constexpr std::string_view kPushGzipDir = "push-gzip";

/// Proof of holding the store's writer lock (an exclusive flock on <root>/store.lock).
/// Methods that change names or delete data take it as a parameter, so the lock is always
/// held by the caller for the whole multi-step change and is never taken twice by accident.
class StoreLock {
 public:
  StoreLock(StoreLock&&) noexcept = default;
  StoreLock& operator=(StoreLock&&) noexcept = default;

 private:
  friend class ImageStore;
  StoreLock(UniqueFd fd, std::string root) : m_fd(std::move(fd)), m_root(std::move(root)) {}
  UniqueFd m_fd;
  std::string m_root;
};

/// One process's staging directory, <root>/tmp/stage-XXXXXX: blobs being written and layers
/// being unpacked stay in there until committed by rename. Its owner.lock is flocked for its whole
/// life, so ImageStore::lock() removes the staging of a process that died (kill -9) and never a
/// live one's. Removed, with whatever was not committed, when its last user (a BlobWriter, a
/// StagedLayer, a layer being unpacked) goes.
class StagingDir {
 public:
  /// Makes a new staging directory under `tmp` (created if missing) and locks it.
  explicit StagingDir(const std::string& tmp);
  StagingDir(const StagingDir&) = delete;
  StagingDir& operator=(const StagingDir&) = delete;
  ~StagingDir();
  const std::string& path() const noexcept { return m_path; }

 private:
  std::string m_path;
  UniqueFd m_lock;
};

/// Removes what crashed writers left in `tmp` (<root>/tmp): staging dirs whose owner lock is
/// free, trees being deleted (trash-*: layers discarded under the store lock, which the caller
/// holds, and staging dirs their owner is removing, which nobody uses any more), and other files
/// once they are a day old. Build step dirs (build-*) are left to
/// compose/build, which also undoes their containers.
void sweep_staging(const std::string& tmp);

/// Streams one blob into the store: written to a temporary file and hashed on the way, then
/// renamed to blobs/sha256/<hex> by commit(). Dropping an uncommitted writer removes the file.
class BlobWriter {
 public:
  BlobWriter(BlobWriter&&) noexcept;
  BlobWriter& operator=(BlobWriter&&) noexcept;
  ~BlobWriter();

  void write(const void* data, std::size_t size);
  void write(std::string_view data) { write(data.data(), data.size()); }
  /// Ends writing (fsync, close) and returns the content's digest; may be called again.
  const Digest& finish();
  /// Bytes written so far.
  std::uint64_t size() const noexcept { return m_size; }
  /// Where the content is now, for reading it back: the temporary file, or the blob once
  /// committed.
  const std::string& path() const noexcept { return m_tmp.empty() ? m_final : m_tmp; }
  /// finish(), check `expected` (throws std::runtime_error on a mismatch and discards the
  /// content), then move the content into the store. Returns the digest.
  Digest commit(const std::optional<Digest>& expected = std::nullopt);

 private:
  friend class ImageStore;
  BlobWriter(std::shared_ptr<StagingDir> staging, std::string blobs_dir, std::string tmp, UniqueFd fd);
  std::shared_ptr<StagingDir> m_staging;  ///< where m_tmp is; kept while the file is there
  std::string m_blobs_dir;
  std::string m_tmp;
  std::string m_final;
  UniqueFd m_fd;
  Sha256 m_hash;
  std::optional<Digest> m_digest;
  std::uint64_t m_size = 0;
};

/// What a live writer (a pull) relies on: blobs and layers it found in the store or is adding
/// before an image names them. Removals by other writers (a failed pull's cleanup, `image rm`,
/// `builder prune`) keep whatever a live claim names. A claim is the file <root>/claims/<id>, one
/// digest per line, flocked for its whole life: the claim of a process that died is seen unlocked
/// and swept. Claims change, and removals read them, under <root>/claims.lock.
class StoreClaim {
 public:
  StoreClaim(StoreClaim&&) noexcept = default;
  StoreClaim& operator=(StoreClaim&&) noexcept = default;
  StoreClaim(const StoreClaim&) = delete;
  StoreClaim& operator=(const StoreClaim&) = delete;
  /// Ends the claim (its file is removed).
  ~StoreClaim();

  /// Claims `digests` (blobs or layer chain ids). Add them before looking whether they are
  /// stored: a removal then either sees the claim, or ran before and the look finds them gone.
  void add(const std::vector<Digest>& digests);

 private:
  friend class ImageStore;
  StoreClaim(std::string root, std::string path, UniqueFd fd)
      : m_root(std::move(root)), m_path(std::move(path)), m_fd(std::move(fd)) {}
  std::string m_root;
  std::string m_path;
  UniqueFd m_fd;  ///< holds the flock that says the claim is live
};

/// A layer unpacked into the staging area and verified, not yet in layers/: a load commits every
/// layer of an archive only once all of them are good. Dropping it uninstalled removes it.
class StagedLayer {
 public:
  StagedLayer(StagedLayer&& o) noexcept;
  StagedLayer& operator=(StagedLayer&&) = delete;
  StagedLayer(const StagedLayer&) = delete;
  ~StagedLayer();
  const LayerInfo& info() const noexcept { return m_info; }

 private:
  friend class ImageStore;
  StagedLayer(std::shared_ptr<StagingDir> staging, std::string dir, LayerInfo info)
      : m_staging(std::move(staging)), m_dir(std::move(dir)), m_info(std::move(info)) {}
  std::shared_ptr<StagingDir> m_staging;
  std::string m_dir;  ///< holds diff/; empty once installed
  LayerInfo m_info;
};

/// A layer of an image: the blob the manifest names and the unpacked tree it became.
struct ImageLayer {
  Digest blob;
  std::string media_type;
  std::int64_t blob_size = 0;
  Digest diff_id;
  Digest chain_id;
};

/// Everything about one stored image (one manifest).
struct ImageRecord {
  std::vector<Reference> names;  ///< references pointing at it, sorted; empty when dangling
  Digest manifest_digest;
  Digest config_digest;  ///< the image id, as docker defines it
  nlohmann::json manifest;
  nlohmann::json config;
  std::vector<ImageLayer> layers;  ///< base layer first
  std::uint64_t size = 0;          ///< unpacked size of all layers
  std::string tagged;              ///< when a name was last set (RFC 3339)

  /// The image's runtime defaults (Env, Cmd, Entrypoint, WorkingDir, User, ...).
  ImageConfig runtime_config() const { return parse_image_config(config); }
};

/// One row of images.json: a name (or none, for a dangling image) and what it points at.
struct ImageSummary {
  std::optional<Reference> name;
  Digest manifest_digest;
  Digest config_digest;
  std::string created;  ///< the config's `created` (RFC 3339), may be empty
  std::uint64_t size = 0;
};

/// What remove() did: the names it untagged (familiar form) and the ids it deleted (the image
/// id, then the chain ids of the layers no other image uses).
struct RemoveResult {
  std::vector<std::string> untagged;
  std::vector<Digest> deleted;
};

class ImageStore {
 public:
  /// A store rooted at `root` (created by the first writer, not by readers).
  explicit ImageStore(std::string root);

  const std::string& root() const noexcept { return m_root; }

  /// Takes the writer lock, creating the store's directories first, then sweeps what crashed
  /// writers left in <root>/tmp. Blocks while another process or thread holds it.
  [[nodiscard]] StoreLock lock();

  /// Starts an empty claim (see StoreClaim); no writer lock needed.
  StoreClaim claim();

  // ---- blobs (no lock needed: content-addressed and renamed into place) ----
  /// Starts writing a blob.
  BlobWriter begin_blob();
  /// Stores the stream's content, verified against `expected` when given.
  Digest put_blob(std::istream& in, const std::optional<Digest>& expected = std::nullopt);
  Digest put_blob(std::string_view data, const std::optional<Digest>& expected = std::nullopt);
  bool has_blob(const Digest& d) const;
  /// Reads a (small) blob whole and checks its digest; throws naming the blob if absent.
  std::string read_blob(const Digest& d) const;
  /// Opens a blob for streaming (layers); throws naming the blob if absent.
  UniqueFd open_blob(const Digest& d) const;
  std::string blob_path(const Digest& d) const;
  /// <root>/partial/<hex>: where a download of `d` accumulates; it survives crashes (the sweep
  /// of tmp/ leaves it alone) so the next download resumes it. The directory is created.
  std::string partial_blob_path(const Digest& d) const;
  /// Moves a verified partial download into blobs/ (rename: same filesystem). The caller has
  /// checked its digest.
  void adopt_blob(const std::string& partial_path, const Digest& d) const;
  /// syncfs() on the store's filesystem: once per pull, before images.json names the result.
  void sync() const;

  // ---- layers ----
  bool has_layer(const Digest& chain_id) const;
  std::optional<LayerInfo> layer_info(const Digest& chain_id) const;
  /// <root>/layers/<chain hex>/diff.
  std::string layer_dir(const Digest& chain_id) const;
  /// Unpacks the layer read from `fd` on top of `parent` (see unpack_layer). Returns at once,
  /// reading nothing (the sink sees nothing), when the expected layer is already unpacked.
  LayerInfo add_layer(const StoreLock& lock, int fd, const std::optional<Digest>& parent,
                      const std::optional<Digest>& expected_diff_id, const std::string& label,
                      const StreamSink& sink = {});
  /// Unpacks and verifies a layer as add_layer does, but leaves it in the staging area until
  /// install() (always reads the stream: the caller asks has_layer first).
  StagedLayer stage_layer(int fd, const std::optional<Digest>& parent, const std::optional<Digest>& expected_diff_id,
                          const std::string& label, const StreamSink& sink = {});
  /// Moves a staged layer into layers/ (when another writer put that layer there meanwhile, that
  /// one is kept and the staged one dropped).
  void install(const StoreLock& lock, StagedLayer& layer);

  // ---- names ----
  /// Points `ref` at the image manifest `manifest`, whose config and layers must be in the store.
  /// An image that loses its last name this way stays, dangling, as docker keeps it.
  void tag(const StoreLock& lock, const Reference& ref, const Digest& manifest);
  /// Records an image that has no name (docker load of an untagged image).
  void add_untagged(const StoreLock& lock, const Digest& manifest);
  /// The image `ref` names, or std::nullopt.
  std::optional<ImageRecord> resolve(const Reference& ref) const;
  /// The image named by a reference, a full id (sha256:<hex>) or an unambiguous id prefix, as
  /// docker accepts them. Throws std::runtime_error for an ambiguous prefix.
  std::optional<ImageRecord> find(std::string_view name_or_id) const;
  /// Loads the record of a stored manifest; throws if it is not in the store.
  ImageRecord record(const Digest& manifest) const;
  /// Every row of images.json.
  std::vector<ImageSummary> list() const;
  /// Untags `ref`; when that was the image's last name, deletes its blobs and layers that no
  /// other image uses. Returns std::nullopt when `ref` names nothing.
  std::optional<RemoveResult> remove(const StoreLock& lock, const Reference& ref);
  /// Removes every name of the image `manifest` and then the image itself (as remove()).
  RemoveResult remove_image(const StoreLock& lock, const Digest& manifest);

  /// Makes the directory `dir` (an overlay upper dir of a build step, in overlayfs form, on the
  /// store's file system) the layer `diff_id` on top of `parent`, by renaming it: no copy. When
  /// that layer exists already, `dir` is removed and the existing one kept.
  LayerInfo adopt_layer(const StoreLock& lock, const std::string& dir, const std::optional<Digest>& parent,
                        const Digest& diff_id, std::uint64_t size);

  /// Removes those of `chains` (layers) and `blobs` that no image uses (a build's intermediate
  /// layers, for `builder prune`). Nothing when an image cannot be read. Returns bytes freed.
  std::uint64_t remove_unused(const StoreLock& lock, const std::set<Digest>& chains, const std::set<Digest>& blobs);

  /// The overlay lower dirs of an image, topmost layer first (the order lowerdir= wants).
  std::vector<std::string> lower_dirs(const ImageRecord& image) const;

 private:
  nlohmann::json read_index() const;
  ImageRecord build_record(const Digest& manifest, const nlohmann::json& index) const;
  void write_index(const nlohmann::json& index) const;
  void check_lock(const StoreLock& lock) const;
  RemoveResult collect(nlohmann::json& index, const Digest& manifest);
  bool discard_layer(const Digest& chain);
  /// Deletes blob `d` and then the hints about it; false when there was no such blob.
  bool discard_blob(const Digest& d);
  /// Takes <root>/claims.lock (held until the returned fd is closed) and adds what every live
  /// claim names to both sets (a claim does not say blob or layer); dead processes' claims go.
  UniqueFd lock_claims_and_read(std::set<Digest>& blobs, std::set<Digest>& chains) const;
  /// Deletes every hint whose blob is gone (hints of blobs deleted by older versions, or by a
  /// crash between a blob and its hints).
  void sweep_hints() const;
  /// This process's staging dir: made when needed, shared by the writers of this store (and its
  /// copies) that overlap, removed when the last of them goes.
  std::shared_ptr<StagingDir> staging();
  std::string m_root;
  struct Staging {
    std::mutex mu;
    std::weak_ptr<StagingDir> dir;
  };
  std::shared_ptr<Staging> m_staging = std::make_shared<Staging>();
};

/// Parses an image manifest (OCI or Docker schema 2) and its config into the layer list of a
/// record: blobs, media types, diff ids and chain ids. Throws std::runtime_error when the
/// manifest is an index, or the layer count differs from the config's diff_ids.
std::vector<ImageLayer> image_layers(const nlohmann::json& manifest, const nlohmann::json& config);

/// The config descriptor's digest of an image manifest; throws when absent or malformed.
Digest manifest_config_digest(const nlohmann::json& manifest);

}  // namespace berth::image
