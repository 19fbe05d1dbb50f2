#include "common/sys_error.hpp"

#include <cerrno>
#include <cstring>

namespace berth {

SysError::SysError(const std::string& what, int err)
    : std::runtime_error(what + ": " + std::strerror(err)), m_errno(err) {}

void throw_errno(const std::string& what) { throw SysError(what, errno); }

}  // namespace berth
