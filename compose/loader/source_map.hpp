#pragma once
// Where each value of a loaded compose document came from. Keys are JSON pointers
// ("/services/web/ports/1"); a lookup falls back to the nearest ancestor that has a position,
// so values created by normalisation still point at the key they came from.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace berth::loader {

struct Location {
  std::string file;  ///< path as the user named it
  int line = 0;      ///< 1-based; 0 when unknown
  int column = 0;    ///< 1-based
  bool known() const { return line > 0; }
};

using Pointer = nlohmann::json::json_pointer;

class SourceMap {
 public:
  void set(const Pointer& ptr, const Location& loc) { set(ptr.to_string(), loc); }
  /// `key` is a JSON pointer in its string form (the parser builds those without Pointer objects).
  void set(std::string key, const Location& loc);
  /// Position of `ptr` or of its nearest ancestor; unknown (file only) if none is recorded.
  Location find(const Pointer& ptr) const;
  /// Copies the positions of `other` at and below `from` to the same places below `to`,
  /// replacing existing ones (merge: later wins; aliases: positions of the anchored value).
  void overlay(const SourceMap& other, const Pointer& from = Pointer(), const Pointer& to = Pointer()) {
    overlay(other, from.to_string(), to.to_string());
  }
  void overlay(const SourceMap& other, const std::string& from, const std::string& to);
  void set_default_file(std::string file) { m_default_file = std::move(file); }
  const std::string& default_file() const { return m_default_file; }
  size_t size() const { return m_positions.size(); }

 private:
  /// A position without its file name: a whole file's values share one name.
  struct Compact {
    uint32_t file;
    int line, column;
  };
  uint32_t file_id(const std::string& file);

  std::map<std::string, Compact> m_positions;  // ordered: a subtree is a contiguous range
  std::vector<std::string> m_files;
  std::string m_default_file;
};

/// Appends one escaped segment to a JSON pointer string ("~" -> "~0", "/" -> "~1").
void append_pointer_segment(std::string& pointer, std::string_view segment);

/// "/services/web/ports/1" -> "services.web.ports[1]" (the form users see in messages).
std::string display_path(const Pointer& ptr);

}  // namespace berth::loader
