// BuildKit-style plain progress (see build_progress.hpp).
#include "compose/build/build_progress.hpp"

#include <cstdio>

namespace berth::build {

namespace {
std::string seconds(std::chrono::steady_clock::duration d, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::chrono::duration<double>(d).count());
  return buf;
}
}  // namespace

int BuildProgress::begin(const std::string& name) {
  std::lock_guard lock(m_mutex);
  int n = m_next++;
  m_vertices[n] = Vertex{std::chrono::steady_clock::now(), {}};
  if (!m_quiet) m_out << "#" << n << " " << name << "\n" << std::flush;
  return n;
}

void BuildProgress::line(int vertex, Vertex& v, std::string_view text) {
  if (m_quiet) return;
  m_out << "#" << vertex << " " << seconds(std::chrono::steady_clock::now() - v.start, 3) << " " << text << "\n";
}

void BuildProgress::output(int vertex, std::string_view text, bool flush) {
  std::lock_guard lock(m_mutex);
  Vertex& v = m_vertices[vertex];
  v.partial.append(text);
  std::size_t start = 0;
  for (std::size_t nl; (nl = v.partial.find('\n', start)) != std::string::npos; start = nl + 1)
    line(vertex, v, std::string_view(v.partial).substr(start, nl - start));
  v.partial.erase(0, start);
  if (flush && !v.partial.empty()) {
    line(vertex, v, v.partial);
    v.partial.clear();
  }
  if (!m_quiet) m_out << std::flush;
}

void BuildProgress::note(int vertex, const std::string& text) {
  std::lock_guard lock(m_mutex);
  if (!m_quiet) m_out << "#" << vertex << " " << text << "\n" << std::flush;
}

void BuildProgress::cached(int vertex) {
  std::lock_guard lock(m_mutex);
  if (!m_quiet) m_out << "#" << vertex << " CACHED\n\n" << std::flush;
}

void BuildProgress::done(int vertex) {
  std::lock_guard lock(m_mutex);
  Vertex& v = m_vertices[vertex];
  if (!m_quiet)
    m_out << "#" << vertex << " DONE " << seconds(std::chrono::steady_clock::now() - v.start, 1) << "s\n\n"
          << std::flush;
}

void BuildProgress::error(int vertex, const std::string& message) {
  std::lock_guard lock(m_mutex);
  if (!m_quiet) m_out << "#" << vertex << " ERROR: " << message << "\n" << std::flush;
}

}  // namespace berth::build
