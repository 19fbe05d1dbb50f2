// Located Dockerfile errors: `Dockerfile:12: message` and the line as written beneath it, so a
// user sees what the builder saw.
#include "compose/build/dockerfile.hpp"

namespace berth::build {

namespace {
std::string located(const std::string& file, int line, const std::string& message, const std::string& source_line) {
  std::string text = file + ":" + std::to_string(line) + ": " + message;
  if (!source_line.empty()) text += "\n  " + std::to_string(line) + " | " + source_line;
  return text;
}
}  // namespace

DockerfileError::DockerfileError(const std::string& file, int line, const std::string& message,
                                 const std::string& source_line)
    : std::runtime_error(located(file, line, message, source_line)), m_line(line) {}

DockerfileError Dockerfile::error(int line, const std::string& message) const {
  std::string source_line = line >= 1 && static_cast<std::size_t>(line) <= lines.size() ? lines[line - 1] : "";
  return DockerfileError(file, line, message, source_line);
}

}  // namespace berth::build
