#pragma once
// Writing the files a test sets up and reading back what the code under test wrote.
#include <string>

namespace berth::test {

/// Writes `data` to `path` (binary), creating the parent directories.
void write_bytes(const std::string& path, const std::string& data);

/// The whole content of `path`; empty when it cannot be opened (tests compare it, so a missing file
/// shows as a mismatch).
std::string read_bytes(const std::string& path);

}  // namespace berth::test
