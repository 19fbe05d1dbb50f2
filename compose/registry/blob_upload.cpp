#include "compose/registry/blob_upload.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "compose/registry/upload_url.hpp"

namespace berth::registry {

namespace {

using image::Digest;

/// Chunk size of a chunked upload when neither the caller nor the registry (OCI-Chunk-Min-Length)
/// says: small enough for a proxy's body limit, large enough to be few requests.
constexpr std::uint64_t kFallbackChunk = 8 << 20;
/// Mount candidates tried before uploading (docker tries as many).
constexpr std::size_t kMaxMountAttempts = 3;

const std::string& octet_stream_header() {
  static const std::string header = "Content-Type: application/octet-stream";
  return header;
}

bool answer_ok(const HttpResponse& r) { return r.status >= 200 && r.status < 300; }

/// The blob file's SHA-256, computed from what is sent: each byte once, in order, whatever the
/// requests (a resend after 401 or a redirect goes over bytes already hashed).
class SentHash {
 public:
  void take(std::uint64_t offset, const char* data, std::size_t n) {
    if (offset > m_done || offset + n <= m_done) return;
    const std::uint64_t skip = m_done - offset;
    m_hash.update(data + skip, n - skip);
    m_done = offset + n;
  }
  std::uint64_t done() const { return m_done; }
  /// The digest of the bytes taken; asked again (a chunked retry), the same answer.
  Digest digest() {
    if (!m_result) m_result = m_hash.finish();
    return *m_result;
  }

 private:
  image::Sha256 m_hash;
  std::uint64_t m_done = 0;
  std::optional<Digest> m_result;
};

/// An upload session: where to send the next request, and the registry's minimum chunk.
struct UploadSession {
  std::string url;
  std::uint64_t min_chunk = 0;
};

UploadSession session_from(const HttpResponse& r) {
  UploadSession s;
  s.url = resolve_location(r.url, r.header("location"));
  const std::string min = r.header("oci-chunk-min-length");
  std::from_chars(min.data(), min.data() + min.size(), s.min_chunk);
  return s;
}

UploadSession start_session(RepositoryClient& client, const std::string& what) {
  HttpRequest post;
  post.method = "POST";
  post.url = client.url("/blobs/uploads/");
  HttpResponse r = client.send(post);
  if (r.status != 202) throw_push_error(r, what);
  return session_from(r);
}

/// DELETE of a session given up; failures do not matter (the registry times sessions out).
void cancel_session(RepositoryClient& client, const UploadSession& s) {
  HttpRequest del;
  del.method = "DELETE";
  del.url = s.url;
  try {
    client.send(del);
  } catch (const std::exception&) {
  }
}

/// The registry's Docker-Content-Digest, when it sends one, must be the blob's.
void check_answer_digest(const HttpResponse& r, const Digest& digest, const std::string& what) {
  const std::string said = r.header("docker-content-digest");
  if (!said.empty() && said != digest.str()) throw std::runtime_error(what + ": the registry stored it as " + said);
}

/// Our own check of what went out, before the registry's answer is judged.
void check_sent(SentHash& hash, std::uint64_t size, const Digest& digest, const std::string& what) {
  if (hash.done() != size) return;  // not all sent: the registry's answer says why
  const Digest got = hash.digest();
  if (got != digest)
    throw std::runtime_error(what + ": the local copy's content is " + got.str() +
                             " (tampered with or corrupted; pull or load the image again)");
}

class BlobSender {
 public:
  BlobSender(RepositoryClient& client, int fd, const Digest& digest, std::uint64_t size,
             const BlobUploadOptions& options, std::string what)
      : m_client(client), m_fd(fd), m_digest(digest), m_size(size), m_options(options), m_what(std::move(what)) {}

  /// One PUT <session>?digest= with the whole blob. Returns false when the registry refuses it
  /// as too large (413): a chunked upload may still pass.
  bool monolithic(const UploadSession& s) {
    HttpRequest put = file_request("PUT", add_query(s.url, "digest=" + m_digest.str()), 0, m_size);
    HttpResponse r = m_client.send(put);
    check_sent(m_hash, m_size, m_digest, m_what);
    if (r.status == 413) return false;
    if (!answer_ok(r)) throw_push_error(r, m_what);
    check_answer_digest(r, m_digest, m_what);
    return true;
  }

  /// PATCH after PATCH (Content-Range), then the closing PUT.
  void chunked(UploadSession s) {
    std::uint64_t chunk = std::max(m_options.chunk_size > 0 ? m_options.chunk_size : kFallbackChunk, s.min_chunk);
    for (std::uint64_t offset = 0; offset < m_size;) {
      const std::uint64_t n = std::min(chunk, m_size - offset);
      HttpRequest patch = file_request("PATCH", s.url, offset, n);
      patch.headers.push_back("Content-Range: " + std::to_string(offset) + "-" + std::to_string(offset + n - 1));
      HttpResponse r = m_client.send(patch);
      if (r.status != 202) throw_push_error(r, m_what + " (the chunk from byte " + std::to_string(offset) + ")");
      if (!r.header("location").empty()) s.url = resolve_location(r.url, r.header("location"));
      const long long end = upload_range_end(r.header("range"));
      if (end >= 0 && static_cast<std::uint64_t>(end) != offset + n - 1)
        throw std::runtime_error(m_what + ": the registry holds bytes 0-" + std::to_string(end) +
                                 " after a chunk that ends at " + std::to_string(offset + n - 1));
      offset += n;
    }
    check_sent(m_hash, m_size, m_digest, m_what);
    HttpRequest put;
    put.method = "PUT";
    put.url = add_query(s.url, "digest=" + m_digest.str());
    put.headers.push_back(octet_stream_header());
    HttpResponse r = m_client.send(put);
    if (!answer_ok(r)) throw_push_error(r, m_what);
    check_answer_digest(r, m_digest, m_what);
  }

 private:
  HttpRequest file_request(const std::string& method, const std::string& url, std::uint64_t offset,
                           std::uint64_t length) {
    HttpRequest req;
    req.method = method;
    req.url = url;
    req.headers.push_back(octet_stream_header());
    req.body_fd = m_fd;
    req.body_offset = offset;
    req.body_length = length;
    req.on_send = [this](std::uint64_t at, const char* data, std::size_t n) { m_hash.take(at, data, n); };
    if (m_options.on_bytes)
      req.on_upload_progress = [this, offset](std::uint64_t sent, std::uint64_t) {
        m_options.on_bytes(offset + sent, m_size);
      };
    return req;
  }

  RepositoryClient& m_client;
  int m_fd;
  const Digest& m_digest;
  std::uint64_t m_size;
  const BlobUploadOptions& m_options;
  std::string m_what;
  SentHash m_hash;
};

}  // namespace

void throw_push_error(const HttpResponse& response, const std::string& what) {
  const bool said_nothing = registry_error_text(response).rfind("HTTP ", 0) == 0;
  if (said_nothing && response.status == 401)
    throw RegistryError(what, 401, "UNAUTHORIZED", "unauthorized: authentication required");
  if (said_nothing && response.status == 403)
    throw RegistryError(what, 403, "DENIED", "denied: requested access to the resource is denied");
  throw_registry_error(response, what);
}

bool blob_exists(RepositoryClient& client, const Digest& digest) {
  HttpRequest head;
  head.method = "HEAD";
  head.url = client.url("/blobs/" + digest.str());
  HttpResponse exists = client.send(head);
  if (answer_ok(exists)) return true;
  if (exists.status != 404) throw_push_error(exists, "blob " + digest.str());
  return false;
}

BlobUploadResult upload_blob(RepositoryClient& client, const image::ImageStore& store, const Digest& digest,
                             std::uint64_t size, const BlobUploadOptions& options) {
  // First: a blob missing here fails before any request.
  if (!store.has_blob(digest)) throw std::runtime_error("blob " + digest.str() + " is not in the image store");
  return upload_file(client, store.blob_path(digest), digest, size, options);
}

BlobUploadResult upload_file(RepositoryClient& client, const std::string& path, const Digest& digest,
                             std::uint64_t size, const BlobUploadOptions& options) {
  const std::string what = "blob " + digest.str();
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open `" + path + "`");
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno("stat `" + path + "`");
  if (static_cast<std::uint64_t>(st.st_size) != size)
    throw std::runtime_error(what + ": the local copy has " + std::to_string(st.st_size) +
                             " bytes, the manifest says " + std::to_string(size) +
                             " (tampered with or corrupted; pull or load the image again)");
  if (blob_exists(client, digest)) return {BlobUploadResult::Outcome::Exists, ""};

  std::optional<UploadSession> session;
  for (std::size_t i = 0; i < options.mount_from.size() && i < kMaxMountAttempts && !session; ++i) {
    const std::string& from = options.mount_from[i];
    HttpRequest mount;
    mount.method = "POST";
    mount.url = client.url("/blobs/uploads/?mount=" + digest.str() + "&from=" + from);
    HttpResponse r;
    try {
      r = client.send(mount);
    } catch (const RegistryError&) {  // no access to `from`: try the next one, or upload
      continue;
    }
    if (r.status == 201) {
      check_answer_digest(r, digest, what);
      return {BlobUploadResult::Outcome::Mounted, from};
    }
    if (r.status == 202) session = session_from(r);  // not mounted, but an upload session opened
  }

  if (options.on_upload) options.on_upload();
  if (!session) session = start_session(client, what);
  BlobSender sender(client, fd.get(), digest, size, options, what);
  if (options.chunk_size > 0) {
    sender.chunked(*session);
  } else if (!sender.monolithic(*session)) {
    cancel_session(client, *session);
    sender.chunked(start_session(client, what));
  }
  return {BlobUploadResult::Outcome::Pushed, ""};
}

}  // namespace berth::registry
