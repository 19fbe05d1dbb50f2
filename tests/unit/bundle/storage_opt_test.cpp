// storage_opt as Docker's overlay2 driver reads it: only `size` (any case), sized by go-units'
// RAMInBytes (binary multiples, optional b/ib, fractions, a space before the unit); another key
// or a size that is none is an error naming the service and the key, never a warning.
#include <gtest/gtest.h>

#include <stdexcept>

#include "compose/bundle/container_spec.hpp"

using namespace berth::bundle;

namespace berth::engine {
namespace {

std::uint64_t size_of(model::Mapping opts) {
  model::Service s;
  s.name = "web";
  s.storage_opt = std::move(opts);
  return storage_size(s);
}

std::string error_of(model::Mapping opts) {
  try {
    size_of(std::move(opts));
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(StorageOpt, SizeUnitsAsDockersRamInBytes) {
  EXPECT_EQ(size_of({}), 0u);
  EXPECT_EQ(size_of({{"size", "1G"}}), 1ull << 30);
  EXPECT_EQ(size_of({{"size", "512m"}}), 512ull << 20);
  EXPECT_EQ(size_of({{"size", "10GB"}}), 10ull << 30);
  EXPECT_EQ(size_of({{"size", "10GiB"}}), 10ull << 30);
  EXPECT_EQ(size_of({{"size", "20 MB"}}), 20ull << 20);
  EXPECT_EQ(size_of({{"size", "1.5g"}}), 3ull << 29);
  EXPECT_EQ(size_of({{"size", "4096"}}), 4096u);
  EXPECT_EQ(size_of({{"size", "100k"}}), 102400u);
  EXPECT_EQ(size_of({{"SIZE", "1t"}}), 1ull << 40);  // Docker lowercases the key
  EXPECT_EQ(size_of({{"size", "0"}}), 0u);           // 0: no limit, as Docker
}

TEST(StorageOpt, UnknownKeyAndBadSizeAreErrors) {
  EXPECT_EQ(error_of({{"dm.basesize", "10G"}}),
            "service \"web\": storage_opt.dm.basesize: unknown option (the only storage option is size)");
  EXPECT_EQ(error_of({{"size", "1G"}, {"quota", "x"}}),
            "service \"web\": storage_opt.quota: unknown option (the only storage option is size)");
  for (const char* bad : {"", "G", "big", "1X", "1GBB", "-1G", "1e400"})
    EXPECT_NE(error_of({{"size", bad}}).find("service \"web\": storage_opt.size: invalid size \""), std::string::npos)
        << bad;
}

}  // namespace
}  // namespace berth::engine
