// tar streams between threads and onto descriptors (see tar_stream.hpp).
#include "compose/containerfs/tar_stream.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <thread>

#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"

namespace berth::containerfs {

image::TarSink fd_sink(int fd) {
  return [fd](const void* data, std::size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      ssize_t n = ::send(fd, p, size, MSG_NOSIGNAL);
      if (n < 0 && errno == ENOTSOCK) n = ::write(fd, p, size);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_errno("write the tar stream");
      }
      p += n;
      size -= static_cast<std::size_t>(n);
    }
  };
}

void tar_pipe(const std::function<void(const image::TarSink&)>& produce, const std::function<void(int)>& consume) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) throw_errno("socketpair for a tar stream");
  UniqueFd reader(fds[0]);
  auto writer = std::make_shared<UniqueFd>(fds[1]);
  std::exception_ptr produce_error;
  std::thread producer([&produce, &produce_error, writer] {
    try {
      produce(fd_sink(writer->get()));
    } catch (...) {
      produce_error = std::current_exception();
    }
    writer->reset();  // EOF for the consumer
  });
  std::exception_ptr consume_error;
  try {
    consume(reader.get());
  } catch (...) {
    consume_error = std::current_exception();
  }
  reader.reset();  // a producer still writing gets EPIPE and stops
  producer.join();
  if (consume_error) std::rethrow_exception(consume_error);
  if (produce_error) std::rethrow_exception(produce_error);
}

}  // namespace berth::containerfs
