// `berth image load`: the archive is read once, front to back (it may be a pipe), and every
// regular file is staged as a blob writer in <root>/tmp, hashed on the way. Only then is the
// table of contents known (docker save writes manifest.json last), so only then are the layers
// the manifests name unpacked, each into the store's staging area. Nothing reaches blobs/,
// layers/ or images.json until every image of the archive is verified and unpacked: then the
// blobs and layers are renamed into place and the names set (Pending::commit). An archive
// refused anywhere (a hostile entry in its last layer, a full disk) leaves the store as it was.
//
// Layers named by docker-save manifests are tars, possibly compressed. Their blob is kept as
// received when it is plain, gzip or zstd (OCI has media types for those); an xz or bzip2 layer
// is stored decompressed instead. Docker-save images get a synthesised OCI manifest; OCI-layout
// images keep their own manifest (and so its digest).
#include "compose/image/archive_load.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include "common/atomic_file.hpp"
#include "common/sys_error.hpp"
#include "compose/image/archive_reader.hpp"
#include "compose/image/platform.hpp"
#include "compose/image/safe_path.hpp"

namespace berth::image {

namespace {

using nlohmann::json;

constexpr std::uint64_t kMaxJsonSize = 32u << 20;
constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kOciConfig = "application/vnd.oci.image.config.v1+json";

/// The archive's regular files (as staged blobs) and links, by normalised path.
struct Staged {
  std::map<std::string, BlobWriter> files;
  std::map<std::string, std::string> links;

  BlobWriter& at(std::string path) {
    for (int hops = 0; hops < 16; ++hops) {
      if (auto f = files.find(path); f != files.end()) return f->second;
      auto l = links.find(path);
      if (l == links.end()) break;
      path = l->second;
    }
    throw std::runtime_error("`" + path + "` is not in the archive");
  }
  bool has(const std::string& path) { return files.count(path) || links.count(path); }

  /// The blob blobs/sha256/<hex> of an OCI layout, checked against its name.
  BlobWriter& blob(const Digest& d) {
    std::string path = "blobs/sha256/" + std::string(d.hex());
    BlobWriter& w = at(path);
    if (w.finish() != d)
      throw std::runtime_error("`" + path + "` has the wrong content (digest " + w.finish().str() + ")");
    return w;
  }

  json parse(BlobWriter& w, const std::string& what) {
    if (w.size() > kMaxJsonSize) throw std::runtime_error(what + " is too large for a JSON document");
    try {
      return json::parse(read_file(w.path()));
    } catch (const json::exception& e) {
      throw std::runtime_error(what + ": " + e.what());
    }
  }
};

/// Lexically resolves a symlink target inside the archive (links only redirect lookups).
std::string link_target(const std::string& name, const std::string& target) {
  if (target.empty()) return name;
  std::string joined = target.front() == '/' ? target : name.substr(0, name.rfind('/') + 1) + target;
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= joined.size()) {
    size_t slash = joined.find('/', start);
    if (slash == std::string::npos) slash = joined.size();
    std::string comp = joined.substr(start, slash - start);
    if (comp == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!comp.empty() && comp != ".") {
      out.push_back(comp);
    }
    start = slash + 1;
  }
  return join_path(out, out.size());
}

Staged stage(ImageStore& store, int fd) {
  Staged staged;
  ArchiveReader a(archive_read_new());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_bzip2(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_fd(a.get(), fd, 128 * 1024) != ARCHIVE_OK)
    throw std::runtime_error(std::string("read archive: ") + archive_error_string(a.get()));
  std::vector<char> buf(128 * 1024);
  for (;;) {
    archive_entry* e = nullptr;
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) throw std::runtime_error(std::string("read archive: ") + archive_error_string(a.get()));
    const char* raw = archive_entry_pathname(e) ? archive_entry_pathname(e) : archive_entry_pathname_utf8(e);
    std::vector<std::string> parts = split_entry_path(raw ? raw : "");
    std::string name = join_path(parts, parts.size());
    if (const char* hl = archive_entry_hardlink(e)) {
      staged.links[name] = link_target("", hl);
    } else if (archive_entry_filetype(e) == AE_IFLNK && archive_entry_symlink(e)) {
      staged.links[name] = link_target(name, archive_entry_symlink(e));
    } else if (archive_entry_filetype(e) == AE_IFREG) {
      BlobWriter w = store.begin_blob();
      for (la_ssize_t n; (n = archive_read_data(a.get(), buf.data(), buf.size())) != 0;) {
        if (n < 0) throw std::runtime_error("read `" + name + "` from the archive: " + archive_error_string(a.get()));
        w.write(buf.data(), static_cast<std::size_t>(n));
      }
      w.finish();
      staged.files.insert_or_assign(name, std::move(w));
    }
  }
  return staged;
}

enum class Compression { None, Gzip, Zstd, Other };

Compression sniff(const std::string& path) {
  unsigned char m[6] = {};
  berth::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open `" + path + "`");
  ssize_t n = ::read(fd.get(), m, sizeof m);
  if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b) return Compression::Gzip;
  if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) return Compression::Zstd;
  if (n >= 6 && m[0] == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z') return Compression::Other;
  if (n >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') return Compression::Other;
  return Compression::None;
}

/// What a load commits once the whole archive is good: archive files (staged blobs, pointing
/// into Staged), blobs made here (manifests, decompressed layers), layers unpacked in staging.
struct Pending {
  std::vector<BlobWriter*> files;
  std::vector<BlobWriter> made;
  std::map<Digest, StagedLayer> layers;  ///< by chain id
  std::vector<LoadedImage> images;

  Digest make_blob(ImageStore& store, std::string_view data) {
    BlobWriter w = store.begin_blob();
    w.write(data);
    Digest d = w.finish();
    made.push_back(std::move(w));
    return d;
  }

  /// Blobs, then layers, by rename; one syncfs; then the names. Should a step fail, what it
  /// committed goes again unless an image uses it.
  void commit(ImageStore& store, const StoreLock& lock) {
    std::set<Digest> blobs, chains;
    try {
      for (BlobWriter* f : files) blobs.insert(f->commit());
      for (BlobWriter& w : made) blobs.insert(w.commit());
      for (auto& [chain, layer] : layers) {
        chains.insert(chain);
        store.install(lock, layer);
      }
      store.sync();
      for (const LoadedImage& image : images) {
        for (const auto& ref : image.names) store.tag(lock, ref, image.manifest);
        if (image.names.empty()) store.add_untagged(lock, image.manifest);
      }
    } catch (...) {
      try {
        store.remove_unused(lock, chains, blobs);
      } catch (const std::exception&) {  // the load's own error is the one to report
      }
      throw;
    }
  }
};

/// Unpacks a layer into staging (unless the store or this load has it) and stages its blob.
/// Returns the blob's descriptor. `media_type` comes from an OCI manifest, or is empty for
/// docker save (then told by content).
json stage_layer(ImageStore& store, Pending& pending, BlobWriter& file, const std::string& path,
                 const std::optional<Digest>& parent, const Digest& diff_id, std::string media_type) {
  const std::string label = "`" + path + "`";
  const Digest chain = chain_id(parent, diff_id);
  const bool needed = !store.has_layer(chain) && !pending.layers.count(chain);
  auto unpack = [&](const std::string& from) {
    berth::UniqueFd fd(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw_errno("open `" + from + "`");
    pending.layers.emplace(chain, store.stage_layer(fd.get(), parent, diff_id, label));
  };
  Compression c = sniff(file.path());
  if (media_type.empty() && c == Compression::Other) {
    BlobWriter plain = store.begin_blob();
    berth::UniqueFd in(::open(file.path().c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) throw_errno("open `" + file.path() + "`");
    decompress(in.get(), [&](const void* d, std::size_t n) { plain.write(d, n); });
    const Digest digest = plain.finish();
    if (digest != diff_id)
      throw std::runtime_error("unpack layer " + label + ": its content has diff id " + digest.str() +
                               " but the image config says " + diff_id.str());
    if (needed) unpack(plain.path());
    const std::uint64_t size = plain.size();
    pending.made.push_back(std::move(plain));
    return {{"mediaType", "application/vnd.oci.image.layer.v1.tar"}, {"digest", digest.str()}, {"size", size}};
  }
  if (media_type.empty())
    media_type = c == Compression::Gzip   ? "application/vnd.oci.image.layer.v1.tar+gzip"
                 : c == Compression::Zstd ? "application/vnd.oci.image.layer.v1.tar+zstd"
                                          : "application/vnd.oci.image.layer.v1.tar";
  if (needed) unpack(file.path());
  pending.files.push_back(&file);
  return {{"mediaType", media_type}, {"digest", file.finish().str()}, {"size", file.size()}};
}

std::vector<Digest> diff_ids_of(const json& config) {
  std::vector<Digest> out;
  if (!config.contains("rootfs") || !config["rootfs"].contains("diff_ids") || !config["rootfs"]["diff_ids"].is_array())
    throw std::runtime_error("the image config has no rootfs.diff_ids");
  for (const auto& d : config["rootfs"]["diff_ids"]) out.push_back(Digest::from_string(d.get<std::string>()));
  return out;
}

void stage_docker(ImageStore& store, Staged& staged, Pending& pending) {
  json items = staged.parse(staged.at("manifest.json"), "manifest.json");
  if (!items.is_array()) throw std::runtime_error("manifest.json: expected an array");
  for (const auto& item : items) {
    std::string config_path = item.value("Config", "");
    BlobWriter& config_file = staged.at(config_path);
    json config = staged.parse(config_file, "`" + config_path + "`");
    std::vector<Digest> diff_ids = diff_ids_of(config);
    const json& layer_paths = item.value("Layers", json::array());
    if (!layer_paths.is_array() || layer_paths.size() != diff_ids.size())
      throw std::runtime_error("manifest.json lists " + std::to_string(layer_paths.size()) + " layers for `" +
                               config_path + "` but its config has " + std::to_string(diff_ids.size()) + " diff ids");
    json layers = json::array();
    std::optional<Digest> parent;
    for (size_t i = 0; i < diff_ids.size(); ++i) {
      std::string path = layer_paths[i].get<std::string>();
      layers.push_back(stage_layer(store, pending, staged.at(path), path, parent, diff_ids[i], ""));
      parent = chain_id(parent, diff_ids[i]);
    }
    std::uint64_t config_size = config_file.size();
    Digest config_digest = config_file.finish();
    pending.files.push_back(&config_file);
    json manifest = {{"schemaVersion", 2},
                     {"mediaType", kOciManifest},
                     {"config", {{"mediaType", kOciConfig}, {"digest", config_digest.str()}, {"size", config_size}}},
                     {"layers", layers}};
    LoadedImage image{{}, pending.make_blob(store, manifest.dump()), config_digest};
    if (item.contains("RepoTags") && item["RepoTags"].is_array())
      for (const auto& tag : item["RepoTags"]) image.names.push_back(parse_reference(tag.get<std::string>()));
    pending.images.push_back(std::move(image));
  }
}

bool is_index(const json& desc) { return is_index_media_type(desc.value("mediaType", "")); }

/// Follows nested indexes down to the host platform's image manifest.
json select_manifest(Staged& staged, Pending& pending, json desc) {
  for (int depth = 0; is_index(desc); ++depth) {
    if (depth > 4) throw std::runtime_error("image indexes nested too deeply");
    Digest d = Digest::from_string(desc.value("digest", ""));
    BlobWriter& w = staged.blob(d);
    json index = staged.parse(w, "index " + d.str());
    pending.files.push_back(&w);
    std::optional<json> pick = select_platform(index, host_platform());
    if (!pick) throw std::runtime_error("index " + d.str() + " has no " + host_platform().str() + " image");
    desc = std::move(*pick);
  }
  return desc;
}

std::optional<Reference> oci_name(const json& desc) {
  const json ann = desc.value("annotations", json::object());
  std::string name = ann.value("io.containerd.image.name", "");
  if (name.empty()) {
    name = ann.value("org.opencontainers.image.ref.name", "");
    if (name.find_first_of("/:") == std::string::npos) return std::nullopt;  // a bare tag: no repository
  }
  if (name.empty()) return std::nullopt;
  return parse_reference(name);
}

void stage_oci(ImageStore& store, Staged& staged, Pending& pending) {
  json index = staged.parse(staged.at("index.json"), "index.json");
  json descs = index.value("manifests", json::array());
  const Platform host = host_platform();
  auto for_host = [&](const json& d) { return platform_matches(d, host); };
  bool any_host = std::any_of(descs.begin(), descs.end(), for_host);
  for (const auto& top : descs) {
    if (any_host && top.contains("platform") && !for_host(top)) continue;
    json desc = select_manifest(staged, pending, top);
    Digest manifest_digest = Digest::from_string(desc.value("digest", ""));
    BlobWriter& manifest_file = staged.blob(manifest_digest);
    json manifest = staged.parse(manifest_file, "manifest " + manifest_digest.str());
    Digest config_digest = manifest_config_digest(manifest);
    BlobWriter& config_file = staged.blob(config_digest);
    json config = staged.parse(config_file, "config " + config_digest.str());
    std::vector<ImageLayer> layers = image_layers(manifest, config);
    std::optional<Digest> parent;
    for (const auto& l : layers) {
      std::string path = "blobs/sha256/" + std::string(l.blob.hex());
      stage_layer(store, pending, staged.blob(l.blob), path, parent, l.diff_id,
                  l.media_type.empty() ? std::string("application/vnd.oci.image.layer.v1.tar") : l.media_type);
      parent = l.chain_id;
    }
    pending.files.push_back(&config_file);
    pending.files.push_back(&manifest_file);
    LoadedImage image{{}, manifest_digest, config_digest};
    if (auto name = oci_name(top)) image.names.push_back(*name);
    pending.images.push_back(std::move(image));
  }
}

}  // namespace

std::string host_architecture() { return host_platform().architecture; }

std::vector<LoadedImage> load_archive(ImageStore& store, int fd, const std::string& label) {
  try {
    StoreLock lock = store.lock();
    Staged staged = stage(store, fd);
    Pending pending;
    if (staged.has("manifest.json"))
      stage_docker(store, staged, pending);
    else if (staged.has("index.json"))
      stage_oci(store, staged, pending);
    else
      throw std::runtime_error("neither manifest.json (docker save) nor index.json (OCI image layout) found");
    pending.commit(store, lock);
    return std::move(pending.images);
  } catch (const std::exception& e) {
    throw std::runtime_error("load " + label + ": " + e.what());
  }
}

}  // namespace berth::image
