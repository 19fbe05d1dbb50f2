// state.json writer. Written after the change it describes has happened (the process exists,
// the exit was reaped); the first write, status "created", happens before create_container so
// a shim killed halfway still leaves its id, bundle and cgroup intent for cleanup.
#include "runtime-shim/state.hpp"

#include "common/atomic_file.hpp"
#include "runtime-shim/logs.hpp"

namespace berth::shim {

std::string rfc3339_now() { return format_rfc3339_nano(realtime_now()); }

void StateFile::save() const {
  nlohmann::json j = m_state;
  write_file_atomic(m_path, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", 0644);
}

}  // namespace berth::shim
