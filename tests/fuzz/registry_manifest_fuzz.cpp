// libFuzzer target for the manifest and index reader (compose/registry/manifest.cpp) and the
// platform choice a pull makes from an index (compose/image/platform.cpp). Input: the first line
// is the Content-Type, the rest the body. parse_manifest may refuse with std::runtime_error (its
// contract: the message names the manifest); anything else escaping (a JSON type_error from a
// field of the wrong type, say) is a bug and aborts, as does select_platform throwing at all.
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "compose/image/platform.hpp"
#include "compose/registry/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  const std::string content_type = nl == std::string::npos ? "" : input.substr(0, nl);
  std::string body = nl == std::string::npos ? input : input.substr(nl + 1);
  std::optional<berth::registry::ManifestDocument> doc;
  try {
    doc = berth::registry::parse_manifest(std::move(body), content_type, "manifest fuzz:1");
  } catch (const std::runtime_error& e) {
    if (std::string(e.what()).rfind("manifest fuzz:1: ", 0) != 0) {
      std::cerr << "error without the manifest's name: " << e.what() << "\n";
      std::abort();
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "parse_manifest threw a non-runtime_error: " << e.what() << "\n";
    std::abort();
  }
  if (!doc->is_index()) return 0;
  try {
    for (const char* p : {"linux/amd64", "linux/arm64", "linux/arm64/v8", "linux/arm/v7", "unknown/unknown"})
      if (auto pick = berth::image::select_platform(doc->json, berth::image::parse_platform(p)))
        if (!pick->is_object()) std::abort();
  } catch (const std::exception& e) {
    std::cerr << "select_platform threw: " << e.what() << "\n";
    std::abort();
  }
  return 0;
}
