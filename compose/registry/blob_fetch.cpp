#include "compose/registry/blob_fetch.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "common/atomic_file.hpp"
#include "common/file_lock.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"

namespace berth::registry {

namespace {

constexpr int kAttempts = 3;

/// Hashes the first `size` bytes of `fd` (the part downloaded before).
void hash_prefix(int fd, std::uint64_t size, image::Sha256& hash, const std::string& path) {
  std::string buf(1 << 20, '\0');
  std::uint64_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, buf.data(), std::min<std::uint64_t>(buf.size(), size - done), static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_errno("read `" + path + "`");
    hash.update(buf.data(), static_cast<std::size_t>(n));
    done += static_cast<std::uint64_t>(n);
  }
}

/// Opens and locks the partial file, making sure the locked inode is still the one at `path`
/// (another download may have finished and renamed it away meanwhile).
UniqueFd lock_partial(const std::string& path) {
  while (true) {
    UniqueFd fd = lock_file(path, 0644);
    struct stat locked {
    }, now{};
    if (::fstat(fd.get(), &locked) != 0) throw_errno("stat `" + path + "`");
    if (::stat(path.c_str(), &now) == 0 && now.st_ino == locked.st_ino && now.st_dev == locked.st_dev) return fd;
  }
}

/// One transfer attempt from `have` bytes on. Returns normally when the transfer ended (complete
/// or not: the caller checks); throws RegistryError for an error answer, HttpError for a failed
/// transfer.
void transfer(RepositoryClient& client, const image::Digest& digest, std::uint64_t size, int fd,
              const std::string& path, image::Sha256& hash, std::uint64_t have, const BlobProgress& progress,
              const std::string& what) {
  std::uint64_t offset = have;
  HttpRequest req;
  req.url = client.url("/blobs/" + digest.str());
  if (have > 0) req.headers.push_back("Range: bytes=" + std::to_string(have) + "-");
  req.on_start = [&](long status) {
    if (status == 206) {
      if (progress.on_resume) progress.on_resume(have);
      return;
    }
    if (have > 0) {  // the registry ignored Range: this is the whole blob again
      if (::ftruncate(fd, 0) != 0) throw_errno("truncate `" + path + "`");
      if (::lseek(fd, 0, SEEK_SET) < 0) throw_errno("seek `" + path + "`");
      hash = image::Sha256();
      offset = 0;
    }
  };
  req.on_data = [&](const char* data, std::size_t n) {
    if (offset + n > size) return false;  // more than the descriptor says: refuse
    write_all(fd, std::string_view(data, n), path);
    hash.update(data, n);
    offset += n;
    if (progress.on_bytes) progress.on_bytes(offset, size);
    return true;
  };
  HttpResponse r = client.send(req);
  if (r.status == 416 && have == size) return;
  if (r.status < 200 || r.status >= 300) throw_registry_error(r, "GET " + what);
}

}  // namespace

bool fetch_blob(RepositoryClient& client, image::ImageStore& store, const image::Digest& digest, std::uint64_t size,
                const BlobProgress& progress) {
  if (store.has_blob(digest)) return false;
  const std::string path = store.partial_blob_path(digest);
  UniqueFd fd = lock_partial(path);
  if (store.has_blob(digest)) {  // another download finished while we waited for the lock
    ::unlink(path.c_str());
    return false;
  }
  const std::string what = "blob " + digest.str() + " of " + client.endpoint().host + "/" + client.repository();
  auto file_size = [&] {
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw_errno("stat `" + path + "`");
    return static_cast<std::uint64_t>(st.st_size);
  };
  image::Sha256 hash;
  std::uint64_t before_last_attempt = UINT64_MAX;
  for (int attempt = 1;; ++attempt) {
    std::uint64_t have = file_size();
    // A transfer that ends early again at the same offset: the registry's copy is short.
    if (have == before_last_attempt && have < size) {
      ::unlink(path.c_str());
      throw std::runtime_error(what + ": truncated: the registry sends " + std::to_string(have) + " of " +
                               std::to_string(size) + " bytes (nothing was stored)");
    }
    before_last_attempt = have;
    if (have > size) {  // longer than the blob can be: start again
      if (::ftruncate(fd.get(), 0) != 0) throw_errno("truncate `" + path + "`");
      have = 0;
    }
    hash = image::Sha256();
    hash_prefix(fd.get(), have, hash, path);
    if (::lseek(fd.get(), static_cast<off_t>(have), SEEK_SET) < 0) throw_errno("seek `" + path + "`");
    if (have < size) {
      try {
        transfer(client, digest, size, fd.get(), path, hash, have, progress, what);
      } catch (const HttpError& e) {
        if (attempt < kAttempts) continue;  // resume from what arrived
        throw std::runtime_error(what + ": " + e.what() + " (" + std::to_string(file_size()) + " of " +
                                 std::to_string(size) + " bytes kept: the next pull resumes from there)");
      } catch (const SysError& e) {  // writing the partial file: a full disk, most likely
        throw std::runtime_error(what + ": " + e.what() + " (" + std::to_string(file_size()) + " of " +
                                 std::to_string(size) + " bytes kept in `" + path +
                                 "`: the next pull resumes from there)");
      }
    }
    if (file_size() < size) {
      if (attempt < kAttempts) continue;
      ::unlink(path.c_str());  // the registry itself serves it short: nothing to resume
      throw std::runtime_error(what + ": truncated: " + std::to_string(file_size()) + " of " + std::to_string(size) +
                               " bytes arrived");
    }
    break;
  }
  image::Digest got = hash.finish();
  if (got != digest) {
    ::unlink(path.c_str());
    throw std::runtime_error(what + ": digest mismatch: the content is " + got.str() +
                             " (tampered with or corrupted; nothing was stored)");
  }
  store.adopt_blob(path, digest);
  return true;
}

}  // namespace berth::registry
