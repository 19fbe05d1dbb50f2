#pragma once
// Registry credentials where docker keeps them, read and written the same way so `docker login`
// and `berth login` share them: $DOCKER_CONFIG/config.json (default ~/.docker/config.json) with
//   "auths":       {"<key>": {"auth": base64("user:password"), "identitytoken": "..."}}
//   "credsStore":  "<helper>"                    every registry through docker-credential-<helper>
//   "credHelpers": {"<key>": "<helper>"}         one registry through its own helper
// A helper is run as `docker-credential-<name> get|store|erase` (found in PATH) with the
// server key on stdin, and answers {"ServerURL","Username","Secret"}; Username "<token>" means
// Secret is an identity token (for the OAuth2 token POST).
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace berth::registry {

struct Credentials {
  std::string username;
  std::string password;        ///< empty when identity_token is set
  std::string identity_token;  ///< refresh token for the OAuth2 POST

  bool empty() const { return username.empty() && password.empty() && identity_token.empty(); }
};

/// Keeps credentials whose identity token the token server replaced (a server that rotates refresh
/// tokens answers the refresh_token grant with a new one and may forget the old).
using SaveCredentials = std::function<void(const Credentials&)>;

/// The docker config file for `env` ($DOCKER_CONFIG/config.json, else $HOME/.docker/config.json).
std::string docker_config_path(const std::map<std::string, std::string>& env);

class CredentialStore {
 public:
  /// Reads nothing yet; `path` may not exist (no credentials).
  explicit CredentialStore(std::string path) : m_path(std::move(path)) {}

  /// Credentials for `key` (see credential_key()): a helper when one is configured for it, else
  /// `auths`. A key stored as a URL ("https://host/v1/") matches its host. Throws
  /// std::runtime_error naming the file or the helper when one of them is broken.
  std::optional<Credentials> get(const std::string& key) const;

  /// Saves `creds` for `key` (through the configured helper, else into `auths`; the file is
  /// written atomically with mode 0600). Returns where they went ("the file", "helper name").
  std::string store(const std::string& key, const Credentials& creds) const;

  /// store() for `key`, as a callback; its errors say what was being saved.
  SaveCredentials saver(const std::string& key) const;

  /// Removes `key`'s credentials; false when there were none.
  bool erase(const std::string& key) const;

  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

}  // namespace berth::registry
