#pragma once
// `services.<name>.build` (see shared/compose-spec/build.md); field order is compose-go's BuildConfig.
#include <map>
#include <string>
#include <vector>

#include "compose/model/service_parts.hpp"
#include "compose/model/values.hpp"

namespace berth::model {

/// One `build.ssh` entry: `default` or `id=path`.
struct SshKey {
  std::string id;
  std::string path;  ///< empty: the agent socket (`default`)
  friend bool operator==(const SshKey&, const SshKey&) = default;
};

/// `build`.
struct BuildConfig {
  std::string context;  ///< absolute path or URL, made absolute by the loader
  std::string dockerfile;
  std::string dockerfile_inline;
  std::vector<std::string> entitlements;
  MappingWithEquals args;
  std::string provenance;
  std::string sbom;
  std::vector<SshKey> ssh;
  Mapping labels;
  std::vector<std::string> cache_from;
  std::vector<std::string> cache_to;
  bool no_cache = false;
  std::vector<std::string> no_cache_filter;
  Mapping additional_contexts;
  bool pull = false;
  std::vector<std::string> extra_hosts;  ///< "host=ip"
  std::string isolation;
  std::string network;
  std::string target;
  std::vector<FileReference> secrets;
  Bytes shm_size;
  std::vector<std::string> tags;
  std::map<std::string, Ulimit> ulimits;
  std::vector<std::string> platforms;
  bool privileged = false;
  Extensions extensions;
};

template <Is<BuildConfig> S, class V>
void fields(S& s, V&& v) {
  v("context", s.context);
  v("dockerfile", s.dockerfile);
  v("dockerfile_inline", s.dockerfile_inline);
  v("entitlements", s.entitlements);
  v("args", s.args);
  v("provenance", s.provenance);
  v("sbom", s.sbom);
  v("ssh", s.ssh);
  v("labels", s.labels);
  v("cache_from", s.cache_from);
  v("cache_to", s.cache_to);
  v("no_cache", s.no_cache);
  v("no_cache_filter", s.no_cache_filter);
  v("additional_contexts", s.additional_contexts);
  v("pull", s.pull);
  v("extra_hosts", s.extra_hosts, Field{.sorted = true});
  v("isolation", s.isolation);
  v("network", s.network);
  v("target", s.target);
  v("secrets", s.secrets);
  v("shm_size", s.shm_size);
  v("tags", s.tags);
  v("ulimits", s.ulimits);
  v("platforms", s.platforms);
  v("privileged", s.privileged);
}

}  // namespace berth::model
