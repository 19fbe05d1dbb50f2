// Networks, namespaces and volumes as docker compose has them (issue 14): `links` aliases (and
// legacy links on the default bridge of network_mode: bridge),
// MAC addresses and interface names, networks recreated when their config changed, ipc/pid
// namespaces shared with another service, volumes_from with anonymous volumes, network_mode
// service:x with x gone, and the local volume driver's mount options.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "e2e/engine_fixture.hpp"
#include "support/files.hpp"
#include "support/text.hpp"

namespace berth::test {
namespace {

class ParityNetwork : public EngineFixture {};

constexpr const char* kSleeper = "    command: [\"sleep\", \"1000\"]\n";

TEST_F(ParityNetwork, LinkAliasesResolveForTheLinkingContainer) {
  write_compose(std::string("services:\n  db:\n    image: ") + image + "\n" + kSleeper + "  web:\n    image: " + image +
                "\n" + kSleeper + "    links: [\"db:database\"]\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::string db = eth0_address("db");
  // docker compose's getLinks: the alias, <service>-<n> and <project>-<service>-<n>.
  for (const std::string name : {std::string("database"), std::string("db-1"), project() + "-db-1"}) {
    auto r = berth({"exec", "-T", "web", "nslookup", name});
    EXPECT_EQ(nslookup_answer(r.out), db) << name << ": " << r.out << r.err;
  }
}

TEST_F(ParityNetwork, LinksOnTheDefaultBridgeGoToEtcHostsWithDockersVariables) {
  // network_mode: bridge is Docker's default bridge: no service-name DNS there, legacy links
  // instead (/etc/hosts lines and <ALIAS>_PORT... variables).
  write_compose(std::string("services:\n  db:\n    image: ") + image + "\n" + kSleeper +
                "    network_mode: bridge\n    expose: [\"5432\"]\n    environment: {DB_SECRET: s3}\n"
                "  web:\n    image: " +
                image + "\n" + kSleeper +
                "    network_mode: bridge\n    links: [\"db:database\"]\n    ports: [\"127.0.0.1::80\"]\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::string db = eth0_address("db");
  ASSERT_FALSE(db.empty());
  auto hosts = berth({"exec", "-T", "web", "cat", "/etc/hosts"});
  for (const std::string name : {std::string("database"), std::string("db-1"), project() + "-db-1"})
    EXPECT_TRUE(std::regex_search(hosts.out, std::regex("\n" + db + "\t" + name + " [0-9a-f]{12}( |\n)")))
        << name << ":\n"
        << hosts.out;
  auto ping = berth({"exec", "-T", "web", "ping", "-c", "1", "-W", "2", "database"});
  EXPECT_EQ(ping.exit_code, 0) << ping.out << ping.err;
  auto env = berth({"exec", "-T", "web", "env"});
  for (const std::string& line : std::vector<std::string>{
           "DATABASE_PORT=tcp://" + db + ":5432", "DATABASE_PORT_5432_TCP=tcp://" + db + ":5432",
           "DATABASE_PORT_5432_TCP_ADDR=" + db, std::string("DATABASE_PORT_5432_TCP_PORT=5432"),
           std::string("DATABASE_PORT_5432_TCP_PROTO=tcp"), "DATABASE_NAME=/" + project() + "-web-1/database",
           std::string("DATABASE_ENV_DB_SECRET=s3"), "DB_1_PORT=tcp://" + db + ":5432"})
    EXPECT_TRUE(contains(env.out, "\n" + line + "\n") || env.out.rfind(line + "\n", 0) == 0) << line << "\n" << env.out;
  // No embedded DNS on the default bridge: the host's resolvers (minus loopback ones).
  auto resolv = berth({"exec", "-T", "web", "cat", "/etc/resolv.conf"});
  EXPECT_FALSE(contains(resolv.out, "ndots:0")) << resolv.out;
  auto ps = berth({"ps", "--format", "json", "web"});
  EXPECT_TRUE(contains(ps.out, "\"Networks\":[\"bridge\"]")) << ps.out;

  // The default bridge goes with its last container.
  ASSERT_EQ(berth({"down"}).exit_code, 0);
  EXPECT_TRUE(std::filesystem::is_empty(root() + "/networks")) << "a network registry file is left";
}

TEST_F(ParityNetwork, ALinkFromTheDefaultBridgeToAProjectNetworkFailsInDockersWords) {
  write_compose(std::string("services:\n  db:\n    image: ") + image + "\n" + kSleeper + "  web:\n    image: " + image +
                "\n" + kSleeper + "    network_mode: bridge\n    links: [db]\n");
  auto up = berth({"up", "-d"});
  EXPECT_NE(up.exit_code, 0) << up.out;
  EXPECT_TRUE(contains(up.err, "not attached to default bridge network")) << up.err;
}

TEST_F(ParityNetwork, MacAddressesAndInterfaceNamesAreHonoured) {
  // The service's mac_address goes to its primary network (highest priority); a network's own
  // mac_address and interface_name to that network's interface.
  write_compose(std::string("services:\n  app:\n    image: ") + image + "\n" + kSleeper +
                "    mac_address: 02:42:0a:0b:0c:0d\n"
                "    networks:\n      front: {priority: 10}\n"
                "      back: {mac_address: '12:34:56:78:9a:bc', interface_name: backside}\n"
                "networks:\n  front:\n  back:\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto links = berth({"exec", "-T", "app", "ip", "-o", "link"});
  ASSERT_EQ(links.exit_code, 0) << links.err;
  EXPECT_TRUE(std::regex_search(links.out, std::regex(R"(: eth0(@\w+)?: [^\n]*link/ether 02:42:0a:0b:0c:0d )")))
      << links.out;
  EXPECT_TRUE(std::regex_search(links.out, std::regex(R"(: backside(@\w+)?: [^\n]*link/ether 12:34:56:78:9a:bc )")))
      << links.out;
  // The renamed interface carries the network's address.
  auto addr = berth({"exec", "-T", "app", "ip", "-4", "-o", "addr", "show", "backside"});
  EXPECT_TRUE(contains(addr.out, "inet ")) << addr.out << addr.err;

  // docker compose's prepareContainerMACAddress refuses two MACs for the primary network.
  write_compose(std::string("services:\n  app:\n    image: ") + image + "\n" + kSleeper +
                "    mac_address: 02:42:0a:0b:0c:0d\n    networks:\n      front: {mac_address: '02:42:0a:0b:0c:0e'}\n"
                "networks:\n  front:\n");
  auto clash = berth({"up", "-d"});
  EXPECT_NE(clash.exit_code, 0) << clash.err;
  EXPECT_TRUE(contains(clash.err, "the service-level mac_address should have the same value as network front"))
      << clash.err;
}

TEST_F(ParityNetwork, ANetworkWhoseConfigChangedIsRecreatedWithItsContainers) {
  const std::string svc = std::string("services:\n  app:\n    image: ") + image + "\n" + kSleeper;
  write_compose(svc + "networks:\n  default:\n    labels: {stage: one}\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto route = berth({"exec", "-T", "app", "ip", "route"});
  EXPECT_TRUE(contains(route.out, "default via")) << route.out;
  const std::string old_id = container_ids().at(project() + "-app-1");

  auto same = berth({"up", "-d"});  // unchanged: kept
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_FALSE(contains(same.err, "Removed")) << same.err;
  EXPECT_EQ(container_ids().at(project() + "-app-1"), old_id);

  write_compose(svc + "networks:\n  default:\n    labels: {stage: two}\n    internal: true\n");
  auto dry = berth({"--dry-run", "up", "-d"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_TRUE(contains(dry.err, "DRY-RUN MODE -  Network default Remove \n")) << dry.out << dry.err;
  up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  // docker compose's removeDivergedNetwork: stop, "Removed", then the network is created again
  // and the container recreated on it.
  const std::string net = " Network " + project() + "_default ";
  const std::string ctr = " Container " + project() + "-app-1 ";
  const auto stopped = up.err.find(ctr + "Stopped \n"), removed = up.err.find(net + "Removed \n"),
             created = up.err.find(net + "Created \n"), recreated = up.err.find(ctr + "Recreated \n");
  ASSERT_NE(stopped, std::string::npos) << up.err;
  ASSERT_NE(removed, std::string::npos) << up.err;
  ASSERT_NE(created, std::string::npos) << up.err;
  ASSERT_NE(recreated, std::string::npos) << up.err;
  EXPECT_LT(stopped, removed);
  EXPECT_LT(removed, created);
  EXPECT_LT(created, recreated);
  EXPECT_NE(container_ids().at(project() + "-app-1"), old_id);
  route = berth({"exec", "-T", "app", "ip", "route"});
  ASSERT_EQ(route.exit_code, 0) << route.err;
  EXPECT_FALSE(contains(route.out, "default via")) << "now internal: " << route.out;
}

TEST_F(ParityNetwork, IpcAndPidNamespacesAreSharedWithAnotherService) {
  write_compose(std::string("services:\n  donor:\n    image: ") + image + "\n" + kSleeper +
                "    ipc: shareable\n  joiner:\n    image: " + image + "\n" + kSleeper +
                "    ipc: service:donor\n    pid: service:donor\n  byname:\n    image: " + image + "\n" + kSleeper +
                "    ipc: container:" + project() + "-donor-1\n    depends_on: [donor]\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto ns = [&](const std::string& service, const std::string& type) {
    auto r = berth({"exec", "-T", service, "readlink", "/proc/self/ns/" + type});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  EXPECT_EQ(ns("joiner", "ipc"), ns("donor", "ipc"));
  EXPECT_EQ(ns("byname", "ipc"), ns("donor", "ipc"));
  EXPECT_EQ(ns("joiner", "pid"), ns("donor", "pid"));
  EXPECT_NE(ns("byname", "pid"), ns("donor", "pid"));
  // The joiner sees the donor's processes and shares its /dev/shm.
  auto ps = berth({"exec", "-T", "joiner", "ps"});
  EXPECT_GE(std::count(ps.out.begin(), ps.out.end(), '\n'), 4) << ps.out;  // header, 2 sleeps, ps
  ASSERT_EQ(berth({"exec", "-T", "donor", "touch", "/dev/shm/from-donor"}).exit_code, 0);
  EXPECT_EQ(berth({"exec", "-T", "joiner", "ls", "/dev/shm/from-donor"}).exit_code, 0);
}

TEST_F(ParityNetwork, JoiningTheIpcOfANonShareableContainerFailsInDockersWords) {
  write_compose(std::string("services:\n  donor:\n    image: ") + image + "\n" + kSleeper +
                "  joiner:\n    image: " + image + "\n" + kSleeper + "    ipc: service:donor\n");
  auto up = berth({"up", "-d"});
  EXPECT_NE(up.exit_code, 0) << up.err;
  EXPECT_TRUE(contains(up.err, "non-shareable IPC (hint: use IpcMode:shareable for the donor container)")) << up.err;
}

TEST_F(ParityNetwork, VolumesFromShareAnonymousVolumes) {
  write_compose(std::string("services:\n  data:\n    image: ") + image + "\n" + kSleeper +
                "    volumes: [\"/shared\", \"named:/named\"]\n  user:\n    image: " + image + "\n" + kSleeper +
                "    volumes_from: [data]\n  reader:\n    image: " + image + "\n" + kSleeper +
                "    volumes_from: [\"data:ro\"]\nvolumes:\n  named:\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  ASSERT_EQ(berth({"exec", "-T", "data", "sh", "-c", "echo hi > /shared/f && echo n > /named/g"}).exit_code, 0);
  auto f = berth({"exec", "-T", "user", "cat", "/shared/f", "/named/g"});
  EXPECT_EQ(f.out, "hi\nn\n") << f.err;
  EXPECT_EQ(berth({"exec", "-T", "user", "sh", "-c", "echo back > /shared/h"}).exit_code, 0);
  EXPECT_EQ(berth({"exec", "-T", "data", "cat", "/shared/h"}).out, "back\n");
  auto ro = berth({"exec", "-T", "reader", "sh", "-c", "echo x > /shared/ro"});
  EXPECT_NE(ro.exit_code, 0) << "read-only: " << ro.out;
  EXPECT_EQ(berth({"exec", "-T", "reader", "cat", "/shared/f"}).out, "hi\n");
}

TEST_F(ParityNetwork, NetworkModeServiceWithItsServiceGoneFailsLikeDockerCompose) {
  write_compose(std::string("services:\n  owner:\n    image: ") + image + "\n" + kSleeper +
                "  sidecar:\n    image: " + image + "\n" + kSleeper + "    network_mode: service:owner\n");
  // Never created: docker compose's resolveSharedNamespaces.
  auto missing = berth({"up", "-d", "--no-deps", "sidecar"});
  EXPECT_NE(missing.exit_code, 0) << missing.err;
  EXPECT_TRUE(contains(missing.err, "cannot share network namespace with service owner: container missing"))
      << missing.err;
  // Created but stopped: the daemon's refusal to join a container that does not run.
  ASSERT_EQ(berth({"up", "-d", "owner"}).exit_code, 0);
  ASSERT_EQ(berth({"stop", "-t", "1", "owner"}).exit_code, 0);
  const std::string owner_id = container_ids().at(project() + "-owner-1");
  auto stopped = berth({"up", "-d", "--no-deps", "sidecar"});
  EXPECT_NE(stopped.exit_code, 0) << stopped.err;
  EXPECT_TRUE(contains(stopped.err, "cannot join network of a non running container: " + owner_id)) << stopped.err;
}

TEST_F(ParityNetwork, LocalDriverOptionsMountADeviceOnTheVolume) {
  const std::string host = dir() + "/hostdir";
  std::filesystem::create_directories(host);
  write_bytes(host + "/from-host", "h\n");
  write_compose(std::string("services:\n  app:\n    image: ") + image + "\n" + kSleeper +
                "    volumes: [\"bound:/bound\", \"mem:/mem\"]\nvolumes:\n"
                "  bound:\n    driver_opts: {type: none, o: bind, device: " +
                host + "}\n  mem:\n    driver_opts: {type: tmpfs, device: tmpfs, o: \"size=1m,uid=1234\"}\n");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(berth({"exec", "-T", "app", "cat", "/bound/from-host"}).out, "h\n");
  ASSERT_EQ(berth({"exec", "-T", "app", "sh", "-c", "echo c > /bound/from-container"}).exit_code, 0);
  EXPECT_EQ(read_bytes(host + "/from-container"), "c\n");
  auto mounts = berth({"exec", "-T", "app", "cat", "/proc/mounts"});
  EXPECT_TRUE(std::regex_search(mounts.out, std::regex(R"(tmpfs /mem tmpfs [^\n]*size=1024k[^\n]*uid=1234)")))
      << mounts.out;

  auto down = berth({"down", "-v", "-t", "1"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  // Unmounted before removal: the bound directory keeps its files.
  EXPECT_EQ(read_bytes(host + "/from-host"), "h\n");
  EXPECT_EQ(read_bytes(host + "/from-container"), "c\n");
  EXPECT_FALSE(std::filesystem::exists(root() + "/volumes/" + project() + "_bound"));
}

TEST_F(ParityNetwork, ALocalDriverDeviceThatCannotBeMountedFailsInDockersWords) {
  write_compose(std::string("services:\n  app:\n    image: ") + image + "\n" + kSleeper +
                "    volumes: [\"gone:/gone\"]\nvolumes:\n  gone:\n    driver_opts: {type: none, o: bind, device: " +
                dir() + "/missing}\n");
  auto up = berth({"up", "-d"});
  EXPECT_NE(up.exit_code, 0) << up.err;
  const std::string data = root() + "/volumes/" + project() + "_gone/_data";
  EXPECT_TRUE(contains(up.err, "error while mounting volume '" + data + "': failed to mount local volume: mount " +
                                   dir() + "/missing:" + data + ", flags: 0x1000: no such file or directory"))
      << up.err;
}

}  // namespace
}  // namespace berth::test
