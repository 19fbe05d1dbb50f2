// `berth login [SERVER]` / `berth logout [SERVER]`, as `docker login` / `docker logout`: the
// credentials are checked against the registry, then stored where docker keeps them
// ($DOCKER_CONFIG/config.json, mode 0600, or the configured credential helper). SERVER defaults
// to Docker Hub. When the token server answers the check with a refresh token, that is stored
// (`identitytoken`) instead of the password, and later token requests use it.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "compose/cli/commands.hpp"
#include "compose/registry/client.hpp"
#include "compose/registry/config.hpp"
#include "compose/registry/credentials.hpp"
#include "compose/registry/endpoint.hpp"

namespace berth::cli {

namespace {

struct LoginFlags {
  std::string server, username, password;
  bool password_stdin = false;
};

/// "https://ghcr.io/" -> "ghcr.io"; "" and Docker Hub's names -> "docker.io".
std::string registry_domain(std::string server) {
  if (auto p = server.find("://"); p != std::string::npos) server = server.substr(p + 3);
  server = server.substr(0, server.find('/'));
  if (server.empty() || server == "index.docker.io" || server == "registry-1.docker.io") return "docker.io";
  return server;
}

void run_login(const GlobalOptions& g, const LoginFlags& f) {
  registry::Credentials creds;
  creds.username = f.username;
  creds.password = f.password;
  if (f.password_stdin) {
    if (!f.password.empty()) throw std::runtime_error("--password and --password-stdin are mutually exclusive");
    if (f.username.empty()) throw std::runtime_error("Must provide --username with --password-stdin");
    std::getline(std::cin, creds.password);
    while (!creds.password.empty() && (creds.password.back() == '\r' || creds.password.back() == '\n'))
      creds.password.pop_back();
  } else if (!f.password.empty()) {
    std::cerr << "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n";
  }
  if (creds.username.empty() || creds.password.empty()) {
    if (::isatty(STDIN_FILENO) != 1)
      throw std::runtime_error("Cannot perform an interactive login from a non TTY device");
    throw std::runtime_error("interactive login is not supported: use -u USER --password-stdin");
  }
  const std::string domain = registry_domain(f.server);
  auto env = load_options(g).os_environment;
  registry::HttpClient http;
  const std::string identity_token =
      registry::check_login(http, registry::registry_endpoint(domain, registry::load_config(env)), creds);
  if (!identity_token.empty()) {  // kept instead of the password, as docker does
    creds.identity_token = identity_token;
    creds.password.clear();
  }
  registry::CredentialStore store(registry::docker_config_path(env));
  std::string where = store.store(registry::credential_key(domain), creds);
  if (where == store.path())
    std::cerr << "WARNING! Your password will be stored unencrypted in " << where << ".\n"
              << "Configure a credential helper to remove this warning. See\n"
              << "https://docs.docker.com/engine/reference/commandline/login/#credential-stores\n\n";
  std::cout << "Login Succeeded\n";
}

void run_logout(const GlobalOptions& g, const std::string& server) {
  const std::string domain = registry_domain(server);
  const std::string key = registry::credential_key(domain);
  registry::CredentialStore store(registry::docker_config_path(load_options(g).os_environment));
  if (!store.erase(key)) {
    std::cout << "Not logged in to " << key << "\n";
    return;
  }
  std::cout << "Removing login credentials for " << key << "\n";
}

}  // namespace

void register_login(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto f = std::make_shared<LoginFlags>();
  auto* login = app.add_subcommand("login", "Log in to a registry");
  login->add_option("-u,--username", f->username, "Username");
  login->add_option("-p,--password", f->password, "Password");
  login->add_flag("--password-stdin", f->password_stdin, "Take the password from stdin");
  login->add_option("server", f->server, "Registry (default: Docker Hub)");
  login->callback([f, &g] { run_login(g, *f); });

  auto server = std::make_shared<std::string>();
  auto* logout = app.add_subcommand("logout", "Log out from a registry");
  logout->add_option("server", *server, "Registry (default: Docker Hub)");
  logout->callback([server, &g] { run_logout(g, *server); });
}

}  // namespace berth::cli
