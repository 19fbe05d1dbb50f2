#include "compose/loader/diagnostics.hpp"

#include <algorithm>
#include <tuple>

namespace berth::loader {

std::string format(const Diagnostic& d) {
  std::string out;
  if (!d.where.file.empty()) {
    out += d.where.file;
    if (d.where.known()) out += ':' + std::to_string(d.where.line) + ':' + std::to_string(d.where.column);
    out += ": ";
  }
  if (!d.path.empty()) out += d.path + ": ";
  return out + d.message;
}

namespace {
std::string join(const std::vector<Diagnostic>& items) {
  std::string out;
  for (const auto& d : items) {
    if (!out.empty()) out += '\n';
    out += format(d);
  }
  return out;
}
}  // namespace

LoadError::LoadError(std::vector<Diagnostic> items) : std::runtime_error(join(items)), m_items(std::move(items)) {}

void Diagnostics::error(const Pointer& ptr, std::string message) {
  Location where = m_positions ? m_positions->find(ptr) : Location{};
  m_items.push_back({std::move(where), display_path(ptr), std::move(message)});
}

void Diagnostics::error_at(Location where, std::string path, std::string message) {
  m_items.push_back({std::move(where), std::move(path), std::move(message)});
}

void Diagnostics::throw_if_any() const {
  if (m_items.empty()) return;
  // Report in reading order: files in the order they were first named, then line and column.
  std::vector<std::string> files;
  for (const auto& d : m_items)
    if (std::find(files.begin(), files.end(), d.where.file) == files.end()) files.push_back(d.where.file);
  auto rank = [&](const Diagnostic& d) {
    return std::make_tuple(std::find(files.begin(), files.end(), d.where.file) - files.begin(), d.where.line,
                           d.where.column);
  };
  std::vector<Diagnostic> sorted = m_items;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return rank(a) < rank(b); });
  throw LoadError(std::move(sorted));
}

}  // namespace berth::loader
