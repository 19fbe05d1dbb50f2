#pragma once
// A system call failure that carries the operation, the path(s) involved and errno text,
// e.g. "rename `/a.tmp` to `/a`: Permission denied".
#include <stdexcept>
#include <string>

namespace berth {

class SysError : public std::runtime_error {
 public:
  /// `what` describes the operation with its paths; errno's text is appended.
  SysError(const std::string& what, int err);
  int code() const noexcept { return m_errno; }

 private:
  int m_errno;
};

/// Throws SysError with the current errno.
[[noreturn]] void throw_errno(const std::string& what);

}  // namespace berth
