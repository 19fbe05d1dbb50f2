// A spec built by build_container_spec runs under the real berth-shim: a busybox image imported
// into a temporary store (`berth image import` path), a compose service with environment, a named
// volume over an image directory (copy-up), a read-only bind, a secret, and the etc files. The
// container writes what it sees into a bind-mounted directory and exits; the test reads it.
// Everything lives under the RootfsFixture's temp dir; ShimTest's teardown stops and reaps the
// shim and checks that no mount, cgroup or process is left.
#include "compose/bundle/container_spec.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/atomic_file.hpp"
#include "common/unique_fd.hpp"
#include "compose/image/archive_load.hpp"
#include "compose/image/digest.hpp"
#include "compose/loader/load.hpp"
#include "compose/model/json_io.hpp"
#include "compose/storage/volumes.hpp"
#include "shim_harness.hpp"
#include "support/files.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ContainerSpecShim : public ShimTest {};

TEST_F(ContainerSpecShim, BusyboxServiceSeesEnvEtcFilesVolumeCopyUpAndReadOnlyBind) {
  // The image: the fixture's busybox rootfs with content at /seed, imported as one layer.
  fx->write_rootfs_file("/seed/hello", "from-image");
  RunResult tar = run_program({"/bin/tar", "-C", fx->rootfs(), "-cf", fx->path("rootfs.tar"), "."});
  ASSERT_EQ(tar.exit_code, 0) << tar.err;
  const std::string root = fx->make_dir("root");
  image::ImageStore store(root);
  image::ImportOptions opts;
  opts.name = image::parse_reference("spec-busybox:latest");
  opts.changes = {"ENV IMGVAR=img", "VOLUME /seed", "CMD [\"sh\"]"};
  opts.label = "rootfs.tar";
  UniqueFd fd(::open(fx->path("rootfs.tar").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(fd);
  image::LoadedImage loaded = image::import_rootfs(store, fd.get(), opts);
  image::ImageRecord img = store.record(loaded.manifest);

  // The project.
  const std::string proj = fx->make_dir("proj");
  fx->make_dir("proj/ro");
  std::ofstream(proj + "/ro/file") << "host-ro";
  std::ofstream(proj + "/pw.txt") << "s3cret";
  std::ofstream(proj + "/compose.yaml")
      << "services:\n"
         "  app:\n"
         "    image: spec-busybox:latest\n"
         "    command: [sh, -c, 'env > /out/env; cat /etc/hosts > /out/hosts; cat /etc/resolv.conf > /out/resolv;"
         " cat /etc/hostname > /out/hostname; cat /seed/hello > /out/seed; cat /ro/file > /out/ro;"
         " (echo x > /ro/new) 2>/dev/null; echo $$? > /out/ro_rc; cat /run/secrets/pw > /out/secret;"
         " echo data > /seed/written']\n"
         "    environment: {FOO: bar}\n"
         "    volumes: ['data:/seed', './ro:/ro:ro', './out:/out']\n"
         "    secrets: [pw]\n"
         "    extra_hosts: ['db.local=192.0.2.9']\n"
         "volumes:\n  data: {}\n"
         "secrets:\n  pw:\n    file: ./pw.txt\n";
  loader::LoadOptions lo;
  lo.working_directory = proj;
  lo.files = {proj + "/compose.yaml"};
  lo.project_name = "spec" + std::to_string(::getpid());
  loader::Project loaded_project = loader::load_project(lo);
  model::Project project = loaded_project.model;

  image::Sha256 h;
  h.update("spec-test-" + std::to_string(::getpid()) + "-" + std::to_string(::time(nullptr)));
  const std::string id(h.finish().hex());
  ids.push_back(id);
  bundle::ContainerIdentity identity{project.name, "app", project.name + "-app-1", id, 1, false, "hash"};
  bundle::SpecInput in{project, project.services.at("app"), identity, img, store.lower_dirs(img)};
  in.root = root;
  in.run = fx->path("run");
  in.project_dir = loaded_project.working_dir;
  in.config_files = loaded_project.config_files;
  in.bundle_dir = root + "/containers/" + id;
  in.networks = {{"default", project.name + "_default", "10.89.0.2", "10.89.0.1", "eth0", {}, false}};
  in.dns_server = "10.89.0.1";  // written into resolv.conf; the container's netns is empty (no traffic)

  bundle::ContainerSpec spec = bundle::build_container_spec(in);
  EXPECT_TRUE(spec.warnings.empty()) << spec.warnings.front();
  bundle::prepare_container_files(in, spec);
  write_file_atomic(in.bundle_dir + "/config.json", spec.config.dump(2), 0600);

  auto c = std::make_unique<ShimContainer>();
  c->id = id;
  c->bundle_dir = in.bundle_dir;
  // Short: the control socket path must fit sun_path (108 bytes).
  c->state_dir = fx->path("s-" + id.substr(0, 12));
  RunResult r =
      run_program({BERTH_SHIM, "run", "--bundle", c->bundle_dir, "--id", id, "--state-dir", c->state_dir, "--detach"});
  c->ready = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(c->ready.is_object() && c->ready.value("ok", false)) << r.out << r.err;
  c->shim_pid = c->ready["shim_pid"].get<pid_t>();
  ShimContainer& ctr = *c;
  shims.push_back(std::move(c));
  ASSERT_TRUE(eventually([&] { return ctr.state().status == "exited"; })) << ctr.state().status;
  EXPECT_EQ(ctr.state().exit_code, 0) << test::read_bytes(ctr.log_path());

  const std::string out = proj + "/out";
  const std::string env = test::read_bytes(out + "/env");
  EXPECT_NE(env.find("FOO=bar\n"), std::string::npos) << env;
  EXPECT_NE(env.find("IMGVAR=img\n"), std::string::npos) << env;
  EXPECT_NE(env.find("HOSTNAME=" + id.substr(0, 12) + "\n"), std::string::npos) << env;
  const std::string hosts = test::read_bytes(out + "/hosts");
  EXPECT_NE(hosts.find("127.0.0.1\tlocalhost\n"), std::string::npos) << hosts;
  EXPECT_NE(hosts.find("192.0.2.9\tdb.local\n"), std::string::npos) << hosts;
  EXPECT_NE(hosts.find("10.89.0.2\t" + id.substr(0, 12) + " " + project.name + "-app-1\n"), std::string::npos) << hosts;
  EXPECT_NE(test::read_bytes(out + "/resolv").find("nameserver 10.89.0.1\n"), std::string::npos);
  EXPECT_EQ(test::read_bytes(out + "/hostname"), id.substr(0, 12) + "\n");
  EXPECT_EQ(test::read_bytes(out + "/seed"), "from-image");  // copied up into the new volume
  EXPECT_EQ(test::read_bytes(out + "/ro"), "host-ro");
  EXPECT_NE(test::read_bytes(out + "/ro_rc"), "0\n");  // the bind is read-only
  EXPECT_FALSE(fs::exists(proj + "/ro/new"));
  EXPECT_EQ(test::read_bytes(out + "/secret"), "s3cret");

  // The container wrote into the named volume on the host side, next to the copied-up file.
  storage::VolumeStore volumes(root);
  const std::string vol = project.name + "_data";
  ASSERT_TRUE(volumes.exists(vol));
  EXPECT_EQ(test::read_bytes(volumes.path(vol) + "/hello"), "from-image");
  EXPECT_EQ(test::read_bytes(volumes.path(vol) + "/written"), "data\n");
  EXPECT_EQ(volumes.inspect(vol)->labels.at("com.docker.compose.project"), project.name);
  EXPECT_TRUE(volumes.remove(vol));
  EXPECT_FALSE(fs::exists(root + "/volumes/" + vol));
}

}  // namespace
}  // namespace berth::testing
