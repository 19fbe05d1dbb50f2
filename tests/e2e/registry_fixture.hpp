#pragma once
// The fixture of the registry tests (pull, push, login): the engine fixture, skipped where a
// registry cannot run, with registries started under the test's temp dir and a docker config
// dir of its own for credentials.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "engine_fixture.hpp"
#include "registry_server.hpp"

namespace berth::test {

class RegistryFixture : public EngineFixture {
 protected:
  void SetUp() override {
    if (auto why = registry_missing(); !why.empty()) GTEST_SKIP() << why;
    EngineFixture::SetUp();
  }
  /// A server under this test's temp dir.
  std::unique_ptr<RegistryServer> start(RegistryServer::Options o = {}) {
    return std::make_unique<RegistryServer>(*m_tmp / ("registry" + std::to_string(++m_servers)), o);
  }
  /// berth with DOCKER_CONFIG pointing at this test's docker config dir.
  CommandResult berth_auth(std::vector<std::string> args) {
    return berth(std::move(args), {{"DOCKER_CONFIG", *m_tmp / "docker"}});
  }
  /// Writes that dir's config.json.
  void write_docker_config(const std::string& json) {
    std::filesystem::create_directories(*m_tmp / "docker");
    std::ofstream(*m_tmp / "docker/config.json") << json;
  }
  /// Flips one byte of `path` at `offset` (same size, other content: a tampered blob).
  static void flip_byte(const std::string& path, std::streamoff offset) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(offset);
    char c = 0;
    f.read(&c, 1);
    f.seekp(offset);
    c = static_cast<char>(c ^ 0x5a);
    f.write(&c, 1);
  }
  int m_servers = 0;
};

}  // namespace berth::test
