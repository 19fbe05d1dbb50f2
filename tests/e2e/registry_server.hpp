#pragma once
// A real registry for the pull tests: Debian's docker-registry (distribution 2.8) serving
// 127.0.0.1 on a free port from a temporary directory, with its access log kept, optionally
// behind htpasswd Basic auth or a token server's Bearer tokens; images are put in it with skopeo
// from OCI layouts that registry/make_oci_layout.sh writes, multi-platform indexes with
// registry/push_multiarch.sh. Stopped (by its PID) when the object goes.
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/run_command.hpp"

namespace berth::test {

/// Why registry tests cannot run here ("" when they can): docker-registry, skopeo, htpasswd.
std::string registry_missing();

/// Runs skopeo with `args` (HOME=`home`), in a private mount namespace with a tmpfs on /var/lib,
/// where c/image would otherwise leave its blob-info cache (/var/lib/containers/cache) as root.
CommandResult run_skopeo(const std::vector<std::string>& args, const std::string& home);

class RegistryServer {
 public:
  struct Options {
    std::string user, password;  ///< non-empty: htpasswd (bcrypt) Basic auth with this account
    /// `auth: token:` instead of htpasswd (then user/password are only what pushes use).
    struct Token {
      std::string realm, service, issuer, rootcertbundle;
    };
    std::optional<Token> token;
  };
  /// Starts it with storage and config under `dir`; waits (≤ 10 s) until /v2/ answers.
  RegistryServer(const std::string& dir, Options options);
  explicit RegistryServer(const std::string& dir) : RegistryServer(dir, Options{}) {}
  ~RegistryServer();
  RegistryServer(const RegistryServer&) = delete;
  RegistryServer& operator=(const RegistryServer&) = delete;

  /// "127.0.0.1:PORT".
  const std::string& host() const { return m_host; }
  /// Writes an OCI layout (busybox; `extra_mib` > 0 adds a layer of that many random MiB) under
  /// the server's dir and pushes it as host()/`repo_tag`; returns the manifest digest.
  std::string push_image(const std::string& repo_tag, int extra_mib = 0);
  /// Pushes an index of one busybox image per platform ("linux/amd64", "linux/arm64/v8") plus an
  /// attestation manifest (unknown/unknown) as host()/`repo_tag` (anonymous registries only).
  /// Returns the digests by platform, with "index" and "attestation".
  std::map<std::string, std::string> push_multiarch(const std::string& repo_tag,
                                                    const std::vector<std::string>& platforms);
  /// The registry's stored bytes of a blob (to tamper with them).
  std::string blob_data_path(const std::string& digest) const;
  /// Everything the registry logged (access log lines included).
  std::string log() const;

 private:
  std::string m_dir, m_host, m_user, m_password;
  pid_t m_pid = -1;
  int m_layouts = 0;
};

}  // namespace berth::test
