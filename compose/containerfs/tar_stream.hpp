#pragma once
// Moving a tar stream between a producer and a consumer in one process (cp: a tree written as
// a tar on one side, extracted on the other), and writing one to a descriptor (cp -, export).
#include <functional>

#include "compose/image/layer_tar.hpp"

namespace berth::containerfs {

/// Runs `produce` (writing a tar to the sink it is given) on a thread and `consume` (reading
/// the stream from the fd it is given) here, over a socket pair. The consumer's error wins;
/// a producer that failed after the consumer finished still fails the whole.
void tar_pipe(const std::function<void(const image::TarSink&)>& produce, const std::function<void(int)>& consume);

/// A sink writing everything to `fd` (EINTR retried; SysError on failure, EPIPE without SIGPIPE
/// for sockets).
image::TarSink fd_sink(int fd);

}  // namespace berth::containerfs
