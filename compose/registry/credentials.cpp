#include "compose/registry/credentials.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "common/atomic_file.hpp"
#include "common/spawn_ready.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "compose/gocompat/base64.hpp"

extern char** environ;

namespace berth::registry {

namespace {

using Json = nlohmann::json;

/// "https://index.docker.io/v1/" -> "index.docker.io"; "host:5000" -> "host:5000".
std::string host_of(std::string key) {
  if (auto p = key.find("://"); p != std::string::npos) key = key.substr(p + 3);
  return key.substr(0, key.find('/'));
}

Json read_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Json::object();
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    Json j = Json::parse(ss.str());
    if (!j.is_object()) throw std::runtime_error("expected a JSON object");
    return j;
  } catch (const std::exception& e) {
    throw std::runtime_error("read credentials from " + path + ": " + e.what());
  }
}

/// The key of `auths` (or credHelpers) that serves `key`: itself, or one with the same host.
std::optional<std::string> matching_key(const Json& map, const std::string& key) {
  if (!map.is_object()) return std::nullopt;
  if (map.contains(key)) return key;
  const std::string host = host_of(key);
  for (const auto& [k, v] : map.items())
    if (host_of(k) == host) return k;
  return std::nullopt;
}

std::string helper_for(const Json& config, const std::string& key) {
  if (auto k = matching_key(config.value("credHelpers", Json::object()), key))
    return config["credHelpers"][*k].get<std::string>();
  return config.value("credsStore", std::string());
}

struct HelperResult {
  int status = 0;
  std::string out;
};

/// Runs docker-credential-<helper> <action> with `input` on stdin; stdout captured.
HelperResult run_helper(const std::string& helper, const std::string& action, const std::string& input) {
  const std::string bin = "docker-credential-" + helper;
  int in_fds[2], out_fds[2];
  if (::pipe2(in_fds, O_CLOEXEC) != 0) throw_errno("pipe for " + bin);
  UniqueFd in_r(in_fds[0]), in_w(in_fds[1]);
  if (::pipe2(out_fds, O_CLOEXEC) != 0) throw_errno("pipe for " + bin);
  UniqueFd out_r(out_fds[0]), out_w(out_fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_r.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out_w.get(), 1);
  std::vector<std::string> args = {bin, action};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int err = ::posix_spawnp(&pid, bin.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) throw SysError("run credential helper `" + bin + "`", err);
  in_r.reset();
  out_w.reset();
  for (std::string_view rest = input; !rest.empty();) {
    ssize_t n = ::write(in_w.get(), rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    rest.remove_prefix(static_cast<size_t>(n));
  }
  in_w.reset();
  HelperResult r;
  r.out = read_to_eof(out_r.get());
  while (::waitpid(pid, &r.status, 0) < 0 && errno == EINTR) {
  }
  return r;
}

std::string helper_failure(const std::string& helper, const std::string& action, const HelperResult& r) {
  std::string text = r.out;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return "credential helper docker-credential-" + helper + " " + action + " failed" +
         (WIFEXITED(r.status) ? " (exit " + std::to_string(WEXITSTATUS(r.status)) + ")" : "") +
         (text.empty() ? "" : ": " + text);
}

}  // namespace

std::string docker_config_path(const std::map<std::string, std::string>& env) {
  if (auto it = env.find("DOCKER_CONFIG"); it != env.end() && !it->second.empty()) return it->second + "/config.json";
  auto home = env.find("HOME");
  return (home == env.end() ? std::string("/root") : home->second) + "/.docker/config.json";
}

std::optional<Credentials> CredentialStore::get(const std::string& key) const {
  const Json config = read_config(m_path);
  if (std::string helper = helper_for(config, key); !helper.empty()) {
    HelperResult r = run_helper(helper, "get", key);
    if (r.status != 0) {
      if (r.out.find("credentials not found") != std::string::npos) return std::nullopt;
      throw std::runtime_error(helper_failure(helper, "get", r));
    }
    Json reply;
    try {
      reply = Json::parse(r.out);
    } catch (const Json::parse_error&) {
      throw std::runtime_error("credential helper docker-credential-" + helper + " get: not JSON: " + r.out);
    }
    Credentials c;
    c.username = reply.value("Username", std::string());
    if (c.username == "<token>") {
      c.username.clear();
      c.identity_token = reply.value("Secret", std::string());
    } else {
      c.password = reply.value("Secret", std::string());
    }
    if (c.empty()) return std::nullopt;
    return c;
  }
  auto k = matching_key(config.value("auths", Json::object()), key);
  if (!k) return std::nullopt;
  const Json& entry = config["auths"][*k];
  Credentials c;
  if (std::string auth = entry.value("auth", std::string()); !auth.empty()) {
    auto decoded = gocompat::base64_decode(auth);
    auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos)
      throw std::runtime_error(m_path + ": auths." + *k + ".auth: expected base64 of \"user:password\"");
    c.username = decoded->substr(0, colon);
    c.password = decoded->substr(colon + 1);
  } else {
    c.username = entry.value("username", std::string());
    c.password = entry.value("password", std::string());
  }
  c.identity_token = entry.value("identitytoken", std::string());
  if (c.empty()) return std::nullopt;
  return c;
}

std::string CredentialStore::store(const std::string& key, const Credentials& creds) const {
  Json config = read_config(m_path);
  if (std::string helper = helper_for(config, key); !helper.empty()) {
    Json msg = {{"ServerURL", key},
                {"Username", creds.identity_token.empty() ? creds.username : "<token>"},
                {"Secret", creds.identity_token.empty() ? creds.password : creds.identity_token}};
    HelperResult r = run_helper(helper, "store", msg.dump());
    if (r.status != 0) throw std::runtime_error(helper_failure(helper, "store", r));
    // docker keeps an empty entry in auths so `docker logout` and listings know the key.
    if (!config["auths"].contains(key)) {
      config["auths"][key] = Json::object();
      write_file_atomic(m_path, config.dump(1, '\t') + "\n", 0600);
    }
    return "docker-credential-" + helper;
  }
  // As docker writes it: `auth` is "user:password" ("user:" beside an identity token).
  Json entry = Json::object();
  if (!creds.username.empty() || !creds.password.empty())
    entry["auth"] = gocompat::base64_encode(creds.username + ":" + creds.password);
  if (!creds.identity_token.empty()) entry["identitytoken"] = creds.identity_token;
  if (auto old = matching_key(config.value("auths", Json::object()), key); old && *old != key)
    config["auths"].erase(*old);
  config["auths"][key] = entry;
  if (auto slash = m_path.rfind('/'); slash != std::string::npos && slash > 0) {
    std::string dir = m_path.substr(0, slash);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) throw_errno("mkdir `" + dir + "`");
  }
  write_file_atomic(m_path, config.dump(1, '\t') + "\n", 0600);
  return m_path;
}

SaveCredentials CredentialStore::saver(const std::string& key) const {
  return [store = *this, key](const Credentials& creds) {
    try {
      store.store(key, creds);
    } catch (const std::exception& e) {
      throw std::runtime_error("saving the new identity token the token server gave for " + key + ": " + e.what());
    }
  };
}

bool CredentialStore::erase(const std::string& key) const {
  Json config = read_config(m_path);
  bool found = false;
  if (std::string helper = helper_for(config, key); !helper.empty()) {
    HelperResult r = run_helper(helper, "erase", key);
    if (r.status == 0)
      found = true;
    else if (r.out.find("credentials not found") == std::string::npos)
      throw std::runtime_error(helper_failure(helper, "erase", r));
  }
  if (auto k = matching_key(config.value("auths", Json::object()), key)) {
    config["auths"].erase(*k);
    write_file_atomic(m_path, config.dump(1, '\t') + "\n", 0600);
    found = true;
  }
  return found;
}

}  // namespace berth::registry
