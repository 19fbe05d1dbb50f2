#pragma once
// libarchive read handles owned by a unique_ptr (archive_read_free when it goes).
#include <archive.h>

#include <memory>

namespace berth::image {

struct ArchiveReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchiveReader = std::unique_ptr<archive, ArchiveReadFree>;

}  // namespace berth::image
