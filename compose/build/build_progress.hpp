#pragma once
// Build output in BuildKit's plain format, which users and CI logs know:
//   #5 [build 2/4] RUN make
//   #5 0.412 cc -o app main.c
//   #5 DONE 1.3s
//   #6 [build 3/4] COPY . /src
//   #6 CACHED
// Each step is a vertex with a number; lines of a step's output carry the seconds since it
// started. Several services build in parallel, so every call writes whole lines under a lock.
// Quiet mode prints nothing (`build -q`, `up` without --build output).
#include <chrono>
#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

namespace berth::build {

class BuildProgress {
 public:
  explicit BuildProgress(std::ostream& out, bool quiet = false) : m_out(out), m_quiet(quiet) {}

  /// Starts a vertex and prints `#N name`; returns N.
  int begin(const std::string& name);
  /// `#N <seconds> text` for each line of `text` (a trailing partial line is kept for the next call
  /// unless `flush`).
  void output(int vertex, std::string_view text, bool flush = false);
  /// `#N text`, no time: details of internal steps ("transferring context: 2.1kB done").
  void note(int vertex, const std::string& text);
  void cached(int vertex);
  void done(int vertex);
  void error(int vertex, const std::string& message);

 private:
  struct Vertex {
    std::chrono::steady_clock::time_point start;
    std::string partial;
  };
  void line(int vertex, Vertex& v, std::string_view text);

  std::ostream& m_out;
  bool m_quiet;
  std::mutex m_mutex;
  int m_next = 1;
  std::map<int, Vertex> m_vertices;
};

}  // namespace berth::build
