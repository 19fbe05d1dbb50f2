#pragma once
// User-facing problems found while loading a project. Loading collects every problem it can
// (mold's error-then-checkpoint) and reports them together:
//   compose.yaml:12:7: services.web.ports[1]: invalid port "80:x": ...
#include <stdexcept>
#include <string>
#include <vector>

#include "compose/loader/source_map.hpp"

namespace berth::loader {

struct Diagnostic {
  Location where;
  std::string path;  ///< display form, e.g. services.web.ports[1]; empty for file-level problems
  std::string message;
};

/// "file:line:col: path: message" (parts that are unknown are left out).
std::string format(const Diagnostic& d);

/// Thrown when loading fails; what() holds every diagnostic, one per line.
class LoadError : public std::runtime_error {
 public:
  explicit LoadError(std::vector<Diagnostic> items);
  const std::vector<Diagnostic>& items() const { return m_items; }

 private:
  std::vector<Diagnostic> m_items;
};

class Diagnostics {
 public:
  Diagnostics() = default;
  /// Positions for error() come from `positions` (which must outlive this object).
  explicit Diagnostics(const SourceMap* positions) : m_positions(positions) {}
  void set_positions(const SourceMap* positions) { m_positions = positions; }

  /// Records a problem at the value `ptr` points to.
  void error(const Pointer& ptr, std::string message);
  /// Records a problem with an explicit location.
  void error_at(Location where, std::string path, std::string message);
  void append(const std::vector<Diagnostic>& items) { m_items.insert(m_items.end(), items.begin(), items.end()); }

  bool empty() const { return m_items.empty(); }
  const std::vector<Diagnostic>& items() const { return m_items; }
  /// Checkpoint: throws LoadError with everything collected so far, if anything was.
  void throw_if_any() const;

 private:
  const SourceMap* m_positions = nullptr;
  std::vector<Diagnostic> m_items;
};

}  // namespace berth::loader
