#pragma once
// <state-dir>/state.json: the container's state as the engine sees it, rewritten atomically
// (temp file + rename) on every change, so a reader never sees half a file and a shim killed
// at any point leaves the last complete state behind.
#include <string>

#include "common/shim_protocol.hpp"

namespace berth::shim {

/// Now, RFC3339Nano UTC (for started_at, finished_at, healthcheck times).
std::string rfc3339_now();

/// The state and the file it is saved to.
class StateFile {
 public:
  /// `state_dir` must exist; nothing is written until save().
  explicit StateFile(std::string state_dir) : m_path(std::move(state_dir) + "/state.json") {}

  shim_protocol::State& state() { return m_state; }
  const shim_protocol::State& state() const { return m_state; }

  /// Writes state.json atomically; throws SysError naming the file.
  void save() const;
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
  shim_protocol::State m_state;
};

}  // namespace berth::shim
