#pragma once
// Gzip compression with ISA-L's igzip (level 1), for layers that are stored uncompressed and go
// to a registry compressed. The gzip header is ISA-L's fixed one (no name, mtime 0), so the same
// input always gives the same bytes, and so the same digest: a second push finds the layer there.
// Available when the build has ISA-L (gunzip_available()).
#include <cstddef>
#include <functional>

#include "compose/image/digest.hpp"

namespace berth::image {

/// Compresses everything read from `in_fd` (from its current offset to its end) and passes the
/// gzip stream to `out` in pieces; `input_hash`, when given, is fed what was read (to check the
/// input's digest on the way). Throws SysError when reading fails, std::runtime_error when ISA-L
/// refuses, std::logic_error in a build without ISA-L.
void gzip_compress(int in_fd, const std::function<void(const void* data, std::size_t size)>& out,
                   Sha256* input_hash = nullptr);

}  // namespace berth::image
