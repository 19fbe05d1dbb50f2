#pragma once
// Mounts of a service (`services.<name>.volumes`, long syntax) and the top-level `volumes`.
// Field order is compose-go's (ServiceVolumeConfig, ServiceVolumeBind, ..., VolumeConfig).
#include <cstdint>
#include <optional>
#include <string>

#include "compose/model/values.hpp"

namespace berth::model {

/// `bind:` options of a bind mount.
struct ServiceVolumeBind {
  std::string selinux;      ///< "z" or "Z"
  std::string propagation;  ///< rprivate, private, rshared, shared, rslave, slave
  bool create_host_path = true;
  std::string recursive;  ///< enabled, disabled, writable, readonly
  Extensions extensions;
};

/// `volume:` options of a named or anonymous volume mount.
struct ServiceVolumeVolume {
  Mapping labels;
  bool nocopy = false;
  std::string subpath;
  Extensions extensions;
};

/// `tmpfs:` options of a tmpfs mount.
struct ServiceVolumeTmpfs {
  Bytes size;
  std::uint32_t mode = 0;
  Extensions extensions;
};

/// `image:` options of an image mount.
struct ServiceVolumeImage {
  std::string subpath;
  Extensions extensions;
};

/// One entry of `services.<name>.volumes`.
struct ServiceVolume {
  std::string type;    ///< bind, volume, tmpfs, image, npipe, cluster
  std::string source;  ///< host path (bind), volume name (volume; empty = anonymous), image (image)
  std::string target;  ///< path in the container
  bool read_only = false;
  std::string consistency;
  std::optional<ServiceVolumeBind> bind;
  std::optional<ServiceVolumeVolume> volume;
  std::optional<ServiceVolumeTmpfs> tmpfs;
  std::optional<ServiceVolumeImage> image;
  Extensions extensions;
};

/// One entry of the top-level `volumes`.
struct Volume {
  std::string name;  ///< the real name; the loader fills it in (`<project>_<key>` by default)
  std::string driver;
  Mapping driver_opts;
  bool external = false;
  Mapping labels;
  Extensions extensions;
};

template <Is<ServiceVolumeBind> S, class V>
void fields(S& s, V&& v) {
  v("selinux", s.selinux);
  v("propagation", s.propagation);
  v("create_host_path", s.create_host_path, Field{.omit = Omit::WhenTrue});
  v("recursive", s.recursive);
}

template <Is<ServiceVolumeVolume> S, class V>
void fields(S& s, V&& v) {
  v("labels", s.labels);
  v("nocopy", s.nocopy);
  v("subpath", s.subpath);
}

template <Is<ServiceVolumeTmpfs> S, class V>
void fields(S& s, V&& v) {
  v("size", s.size);
  v("mode", s.mode);
}

template <Is<ServiceVolumeImage> S, class V>
void fields(S& s, V&& v) {
  v("subpath", s.subpath);
}

template <Is<ServiceVolume> S, class V>
void fields(S& s, V&& v) {
  v("type", s.type);
  v("source", s.source);
  v("target", s.target);
  v("read_only", s.read_only);
  v("consistency", s.consistency);
  v("bind", s.bind);
  v("volume", s.volume);
  v("tmpfs", s.tmpfs);
  v("image", s.image);
}

template <Is<Volume> S, class V>
void fields(S& s, V&& v) {
  v("name", s.name);
  v("driver", s.driver);
  v("driver_opts", s.driver_opts);
  v("external", s.external);
  v("labels", s.labels);
}

}  // namespace berth::model
