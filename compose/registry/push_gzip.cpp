#include "compose/registry/push_gzip.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/atomic_file.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "compose/image/gunzip.hpp"
#include "compose/image/gzip_compress.hpp"

namespace berth::registry {

namespace {

constexpr const char* kOciTar = "application/vnd.oci.image.layer.v1.tar";
constexpr const char* kDockerTar = "application/vnd.docker.image.rootfs.diff.tar";

}  // namespace

bool compress_on_push(const std::string& media_type) {
  return image::gunzip_available() && (media_type == kOciTar || media_type == kDockerTar);
}

std::string gzip_media_type(const std::string& media_type) {
  return media_type == kDockerTar ? media_type + ".gzip" : media_type + "+gzip";
}

std::optional<GzipLayer> PushGzipCache::find(const image::Digest& diff_id) const {
  std::ifstream in(m_dir + "/" + std::string(diff_id.hex()));
  std::string digest;
  std::uint64_t size = 0;
  if (!(in >> digest >> size)) return std::nullopt;
  try {
    return GzipLayer{image::Digest::from_string(digest), size};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void PushGzipCache::remember(const image::Digest& diff_id, const GzipLayer& layer) const {
  try {
    std::filesystem::create_directories(m_dir);
    write_file_atomic(m_dir + "/" + std::string(diff_id.hex()),
                      layer.digest.str() + " " + std::to_string(layer.size) + "\n");
  } catch (const std::exception&) {  // a lost hint: the next push compresses again
  }
}

GzipTempFile::GzipTempFile(const image::ImageStore& store, const image::Digest& blob) {
  const std::string dir = store.root() + "/tmp";
  std::filesystem::create_directories(dir);
  m_path = dir + "/push-gzip-XXXXXX";
  UniqueFd out(::mkostemp(m_path.data(), O_CLOEXEC));
  if (!out) throw_errno("create `" + m_path + "`");
  try {
    UniqueFd in = store.open_blob(blob);
    image::Sha256 hash, input;
    std::uint64_t written = 0;
    image::gzip_compress(
        in.get(),
        [&](const void* data, std::size_t size) {
          hash.update(data, size);
          write_all(out.get(), std::string_view(static_cast<const char*>(data), size), m_path);
          written += size;
        },
        &input);
    if (const image::Digest got = input.finish(); got != blob)
      throw std::runtime_error("blob " + blob.str() + ": the local copy's content is " + got.str() +
                               " (tampered with or corrupted; pull or load the image again)");
    m_layer = GzipLayer{hash.finish(), written};
  } catch (...) {
    ::unlink(m_path.c_str());
    throw;
  }
}

GzipTempFile::~GzipTempFile() { ::unlink(m_path.c_str()); }

std::string manifest_with(const nlohmann::json& stored, const std::map<image::Digest, GzipLayer>& compressed) {
  nlohmann::json m = stored;
  for (auto& layer : m["layers"]) {
    auto it = compressed.find(image::Digest::from_string(layer.value("digest", "")));
    if (it == compressed.end()) continue;
    layer["mediaType"] = gzip_media_type(layer.value("mediaType", ""));
    layer["digest"] = it->second.digest.str();
    layer["size"] = it->second.size;
  }
  return m.dump();
}

}  // namespace berth::registry
