// The COPY content hash of a large build context (issue 13: an unchanged 25k-file context in
// far under 150 ms). Makes N files (default 25000, 100 per directory, 1-4 KiB each) in a temp
// dir, then times, in one run:
//   walk   the stat walk alone (BuildContext::walk, nothing hashed)
//   cold   hash_sources with an empty stat cache (every file read and hashed; the page cache is
//          warm since the files were just written), then the cache saved
//   load   a new StatCache reading that file
//   warm   hash_sources with the loaded cache, nothing changed (stat walk + lookups, no reads),
//          and again with a five-rule .dockerignore (each entry matched against the rules)
// Files are aged 150 ms before the cold run: the stat cache leaves out files whose timestamps
// are too recent to trust (context_hash.cpp), which a real context rarely has.
//
//   build/bench/context_hash_bench [files] [runs]
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "compose/build/context_hash.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

void make_context(const std::string& dir, int files) {
  std::string content;
  for (int i = 0; i < files; ++i) {
    std::string sub = dir + "/d" + std::to_string(i / 100);
    if (i % 100 == 0) std::filesystem::create_directories(sub);
    content.assign(1024 + (i * 37) % 3072, static_cast<char>('a' + i % 26));
    content += std::to_string(i);
    std::FILE* f = std::fopen((sub + "/f" + std::to_string(i) + ".txt").c_str(), "wb");
    if (f == nullptr || std::fwrite(content.data(), 1, content.size(), f) != content.size() || std::fclose(f) != 0)
      throw std::runtime_error("write " + sub);
  }
}

struct Stats {
  double best, median;
};

Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v.front(), v[v.size() / 2]};
}

}  // namespace

int main(int argc, char** argv) {
  const int files = argc > 1 ? std::stoi(argv[1]) : 25000;
  const int runs = argc > 2 ? std::stoi(argv[2]) : 5;
  const char* tmp = std::getenv("TMPDIR");
  std::string root = std::string(tmp ? tmp : "/tmp") + "/berth-ctxbench-XXXXXX";
  if (::mkdtemp(root.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string context = root + "/context", cache_file = root + "/stat-cache";
  int status = 0;
  try {
    std::filesystem::create_directories(context);
    auto t0 = Clock::now();
    make_context(context, files);
    std::printf("made %d files in %.0f ms (%s)\n", files, ms_since(t0), context.c_str());
    std::this_thread::sleep_for(std::chrono::milliseconds(150));

    berth::build::BuildContext ctx(context, berth::build::IgnoreMatcher());
    const std::vector<std::string> sources = ctx.resolve(".");

    std::vector<double> walk_ms;
    for (int i = 0; i < runs; ++i) {
      std::size_t entries = 0;
      t0 = Clock::now();
      ctx.walk("", [&](const berth::build::ContextEntry&) { ++entries; });
      walk_ms.push_back(ms_since(t0));
    }

    std::string cold_hash;
    double cold_ms = 0;
    {
      berth::build::StatCache cache(cache_file);
      t0 = Clock::now();
      cold_hash = berth::build::hash_sources(ctx, sources, {}, cache);
      cold_ms = ms_since(t0);
      t0 = Clock::now();
      cache.save();
      std::printf("cold: %.1f ms (cache: %zu entries, saved in %.1f ms)\n", cold_ms, cache.size(), ms_since(t0));
    }

    std::vector<double> load_ms, warm_ms;
    for (int i = 0; i < runs; ++i) {
      t0 = Clock::now();
      berth::build::StatCache cache(cache_file);
      load_ms.push_back(ms_since(t0));
      t0 = Clock::now();
      std::string warm_hash = berth::build::hash_sources(ctx, sources, {}, cache);
      warm_ms.push_back(ms_since(t0));
      if (warm_hash != cold_hash || cache.hits() != static_cast<std::size_t>(files)) {
        std::fprintf(stderr, "warm run differs: hash %s vs %s, %zu cache hits of %d files\n", warm_hash.c_str(),
                     cold_hash.c_str(), cache.hits(), files);
        status = 1;
      }
    }
    // The same warm run with a typical .dockerignore (every entry matched against its rules).
    std::vector<double> ignore_ms;
    {
      berth::build::BuildContext ignoring(
          context,
          berth::build::IgnoreMatcher::parse(".git\n**/node_modules\n*.log\n**/*.tmp\n!keep.tmp\n", ".dockerignore"));
      berth::build::StatCache cache(cache_file);
      for (int i = 0; i < runs; ++i) {
        t0 = Clock::now();
        berth::build::hash_sources(ignoring, sources, {}, cache);
        ignore_ms.push_back(ms_since(t0));
      }
    }
    Stats w = stats(walk_ms), l = stats(load_ms), h = stats(warm_ms), ig = stats(ignore_ms);
    std::printf("%-34s %9s %9s\n", "(ms, best / median of runs)", "best", "median");
    std::printf("%-34s %9.1f %9.1f\n", "walk (stat only)", w.best, w.median);
    std::printf("%-34s %9.1f %9.1f\n", "load stat cache", l.best, l.median);
    std::printf("%-34s %9.1f %9.1f\n", "warm hash_sources (no change)", h.best, h.median);
    std::printf("%-34s %9.1f %9.1f\n", "warm load + hash", l.best + h.best, l.median + h.median);
    std::printf("%-34s %9.1f %9.1f\n", "warm hash, 5-rule .dockerignore", ig.best, ig.median);
    std::printf("%-34s %9.1f\n", "cold hash_sources (empty cache)", cold_ms);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "context_hash_bench: %s\n", e.what());
    status = 1;
  }
  std::filesystem::remove_all(root);
  return status;
}
