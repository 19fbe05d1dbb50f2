// ADD of a URL (see remote_source.hpp), through the registry client's HTTP (libcurl, proxies
// from the environment, redirects, certs.d).
#include "compose/build/remote_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>

#include "common/atomic_file.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "compose/image/digest.hpp"
#include "compose/registry/http.hpp"

namespace berth::build {

bool is_remote_source(const std::string& source) {
  return source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0;
}

Download download_source(const std::string& url, const std::string& dir, const std::string& checksum) {
  std::string path = url.substr(url.find("://") + 3);
  path = path.substr(0, path.find_first_of("?#"));
  auto slash = path.find('/');
  std::string name = slash == std::string::npos ? "" : path.substr(path.rfind('/') + 1);
  if (name.empty() || name == "." || name == "..") name = "download";

  const std::string file = dir + "/" + name;
  UniqueFd out(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out) throw_errno("create `" + file + "`");
  image::Sha256 hash;
  registry::HttpClient http;
  registry::HttpRequest req;
  req.url = url;
  req.on_data = [&](const char* data, std::size_t size) {
    hash.update(data, size);
    write_all(out.get(), std::string_view(data, size), file);  // rethrown by perform() after the transfer
    return true;
  };
  registry::HttpResponse res;
  try {
    res = http.perform(req);
  } catch (const std::exception& e) {
    throw std::runtime_error("ADD " + url + ": " + e.what());
  }
  if (res.status < 200 || res.status > 299)
    throw std::runtime_error("ADD " + url + ": invalid response status " + std::to_string(res.status));
  if (::fchmod(out.get(), 0600) != 0) throw_errno("chmod `" + file + "`");
  Download d{name, hash.finish().str()};
  if (!checksum.empty() && checksum != d.digest)
    throw std::runtime_error("ADD " + url + ": digest mismatch " + d.digest + ": expected " + checksum);
  return d;
}

}  // namespace berth::build
