// Issue 16, "Keep what holds today": attacks Berth already withstands, end to end, so that a
// regression shows. Each test arranges the attack the way a hostile image or container would:
//  - no host fd reaches a container or an exec: a directory fd the caller of `berth` leaks (not
//    close-on-exec) and every fd the shim holds are absent from the container's first process and
//    from an exec, and `exec -w /proc/self/fd/N` (the CVE-2024-21626 class) fails for each;
//  - mount targets that are symlinks in the image (`/data -> /etc`, `../..`, `/proc/self/root/...`,
//    an absolute host path) land inside the container's rootfs, and copy-up from an image whose
//    volume directory holds links pointing out copies the links, never what they point at;
//  - hostile layer tars are refused whole by `image import` and `image load`: nothing new in the
//    store (byte for byte, even when the hostile layer comes after a good one), nothing written
//    through a link;
//  - malformed, oversized and flooding UDP queries from a container leave berth-dns (the same
//    process) answering another container;
//  - a fork bomb stays within `pids_limit`, an allocation beyond `mem_limit` is OOM-killed, and the
//    project's other container carries on.
// The host side of every escape is a canary directory of the test's own (never the host's /etc).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/dns_process.hpp"
#include "common/unique_fd.hpp"
#include "compose/image/digest.hpp"
#include "engine_fixture.hpp"
#include "support/text.hpp"

using berth::test::CommandResult;
using berth::test::EngineFixture;
using berth::test::TarEntry;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace bt = berth::test;

namespace {

constexpr const char* kSecretText = "host-secret\n";

/// The names in a `ls` output (one per line or space-separated), as a set.
std::set<std::string> words_of(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.insert(w);
  return out;
}

/// Every path under `dir` (not following links) with its type, size, link count and, for a
/// regular file, the sha256 of its content: what a refused import or load must leave exactly as
/// it was, byte for byte.
std::set<std::string> tree_of(const std::string& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) continue;
    out.insert(it->path().string() + " mode=" + std::to_string(st.st_mode) +
               (S_ISDIR(st.st_mode) ? "" : " size=" + std::to_string(st.st_size)) +
               " links=" + std::to_string(st.st_nlink) +
               (S_ISREG(st.st_mode) ? " " + berth::image::sha256_of(bt::read_bytes(it->path())).str() : ""));
  }
  return out;
}

/// What is in one tree and not in the other ("+ path" added, "- path" gone).
std::vector<std::string> tree_changes(const std::set<std::string>& before, const std::set<std::string>& after) {
  std::vector<std::string> out;
  for (const auto& p : after)
    if (!before.count(p)) out.push_back("+ " + p);
  for (const auto& p : before)
    if (!after.count(p)) out.push_back("- " + p);
  return out;
}

/// A legacy docker-save archive of `layers` (bottom first) tagged `tag`.
std::string docker_save_of(const std::vector<std::string>& layers, const std::string& tag) {
  nlohmann::json diff_ids = nlohmann::json::array(), paths = nlohmann::json::array();
  std::vector<TarEntry> files;
  for (size_t i = 0; i < layers.size(); ++i) {
    diff_ids.push_back(berth::image::sha256_of(layers[i]).str());
    paths.push_back("l" + std::to_string(i) + "/layer.tar");
    files.push_back(bt::tar_file("l" + std::to_string(i) + "/layer.tar", layers[i]));
  }
  nlohmann::json config = {{"architecture", "amd64"},
                           {"os", "linux"},
                           {"config", {{"Cmd", {"sh"}}}},
                           {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
  nlohmann::json manifest =
      nlohmann::json::array({{{"Config", "config.json"}, {"RepoTags", {tag}}, {"Layers", paths}}});
  files.push_back(bt::tar_file("config.json", config.dump()));
  files.push_back(bt::tar_file("manifest.json", manifest.dump()));
  return bt::make_tar(files);
}

/// Sends `packets` (then `flood` copies of `query`, `per_second` a second) over UDP to
/// `ipv4`:53 from the network namespace file `netns`, on a thread that entered it; replies are
/// read and counted as they come. Returns the replies seen, or -1 with `error` set.
long udp_attack_from(const std::string& netns, const std::string& ipv4, const std::vector<std::string>& packets,
                     const std::string& query, int flood, int per_second, std::string& error) {
  long replies = 0;
  std::thread([&] {
    berth::UniqueFd ns(::open(netns.c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns || ::setns(ns.get(), CLONE_NEWNET) != 0) {
      error = "enter netns `" + netns + "`: " + std::strerror(errno);
      replies = -1;
      return;
    }
    berth::UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(53);
    int big = 1 << 20;
    if (!fd || ::inet_pton(AF_INET, ipv4.c_str(), &to.sin_addr) != 1 ||
        ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUF, &big, sizeof big) != 0 ||
        ::connect(fd.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
      error = std::string("udp socket to ") + ipv4 + ":53: " + std::strerror(errno);
      replies = -1;
      return;
    }
    char buf[65536];
    auto drain = [&] {
      while (::recv(fd.get(), buf, sizeof buf, 0) >= 0) ++replies;
    };
    for (const std::string& p : packets) {
      if (::send(fd.get(), p.data(), p.size(), 0) < 0 && errno != ECONNREFUSED && errno != EAGAIN) {
        error = "send a packet of " + std::to_string(p.size()) + " bytes: " + std::strerror(errno);
        replies = -1;
        return;
      }
      drain();
    }
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < flood; ++i) {
      std::string q = query;
      q[0] = static_cast<char>(i >> 8);  // a fresh id per query
      q[1] = static_cast<char>(i & 0xff);
      (void)::send(fd.get(), q.data(), q.size(), 0);
      drain();
      if ((i + 1) % (per_second / 10) == 0)  // 10 bursts a second
        std::this_thread::sleep_until(start + std::chrono::milliseconds(100L * (i + 1) / (per_second / 10)));
    }
    std::this_thread::sleep_for(300ms);
    drain();
  }).join();
  return replies;
}

/// A DNS query (RD set) for `name` type A, id 0x1234.
std::string dns_query(const std::string& name, uint16_t qdcount = 1) {
  std::string q = {
      '\x12', '\x34', '\x01', '\x00', static_cast<char>(qdcount >> 8), static_cast<char>(qdcount & 0xff), 0, 0,
      0,      0,      0,      0};
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    q.push_back(static_cast<char>(dot - start));
    q += name.substr(start, dot - start);
    start = dot + 1;
  }
  q += std::string("\0\0\x01\0\x01", 5);
  return q;
}

/// What a hostile client sends before its flood: runts, lies in the header, bad names, pointer
/// loops, responses, garbage, and datagrams up to the largest UDP payload.
std::vector<std::string> malformed_dns_packets() {
  std::vector<std::string> out = {"", "\x12", std::string(11, '\0'), std::string(12, '\xff')};
  std::string header_only = dns_query("web").substr(0, 12);
  header_only[4] = header_only[5] = '\xff';  // 65535 questions, none present
  out.push_back(header_only);
  std::string overrun = header_only.substr(0, 4) + std::string("\0\x01\0\0\0\0\0\0", 8) + "\x3f" + "abc";
  out.push_back(overrun);  // a 63-byte label with 3 bytes
  std::string loop = header_only.substr(0, 4) + std::string("\0\x01\0\0\0\0\0\0", 8) + "\xc0\x0c" +
                     std::string("\0\x01\0\x01", 4);  // a name pointing at itself
  out.push_back(loop);
  std::string forward = loop;
  forward[12] = '\xff';
  forward[13] = '\xff';  // a pointer past the end
  out.push_back(forward);
  std::string response = dns_query("web");
  response[2] = '\x81';  // QR: a response, as a reflection would send
  out.push_back(response);
  std::string many = dns_query("web", 200);
  for (int i = 1; i < 200; ++i) many += dns_query("web").substr(12);
  out.push_back(many);
  std::string long_name;
  for (int i = 0; i < 200; ++i) long_name += "a.";  // a name of 400 bytes
  out.push_back(dns_query(long_name + "web"));
  std::mt19937 random(16);
  for (size_t size : {13, 100, 512, 1232, 4096, 9000, 65507}) {
    for (int n = 0; n < 20; ++n) {
      std::string junk(size, '\0');
      for (char& c : junk) c = static_cast<char>(random());
      if (n % 2) junk.replace(0, 12, dns_query("web").substr(0, 12));  // a plausible header, then junk
      out.push_back(junk);
    }
  }
  std::string oversized = dns_query("web");
  oversized.resize(65507, 'x');  // a valid query followed by 64 KiB of trailing bytes
  out.push_back(oversized);
  return out;
}

}  // namespace

class SecurityRegression : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    m_canary = *m_tmp / "canary";
    fs::create_directories(m_canary);
    bt::write_bytes(m_canary + "/secret", kSecretText);
  }

  /// The canary is as the test made it: only `secret`, with its text, not hard-linked.
  void expect_canary_untouched() {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(m_canary)) names.insert(e.path().filename().string());
    EXPECT_EQ(names, std::set<std::string>{"secret"});
    EXPECT_EQ(bt::read_bytes(m_canary + "/secret"), kSecretText);
    struct stat st {};
    EXPECT_EQ(::lstat((m_canary + "/secret").c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 1u);
  }

  /// Imports the busybox rootfs plus `extra` as `name`.
  void import_image(const std::string& name, const std::vector<TarEntry>& extra) {
    std::vector<TarEntry> entries = bt::busybox_rootfs_entries();
    entries.insert(entries.end(), extra.begin(), extra.end());
    bt::write_bytes(*m_tmp / "hostile.tar", bt::make_tar(entries));
    auto imp = berth({"image", "import", *m_tmp / "hostile.tar", name, "-c", "ENV PATH=/bin"});
    ASSERT_EQ(imp.exit_code, 0) << imp.err;
  }

  std::string id_of(const std::string& service) { return container_ids()[project() + "-" + service + "-1"]; }

  /// The container's cgroup directory for `controller` (v1 hierarchy, or the v2 one).
  std::string cgroup_dir(const std::string& controller, const std::string& id) {
    for (const std::string& d : {"/sys/fs/cgroup/" + controller + "/berth/" + id, "/sys/fs/cgroup/berth/" + id})
      if (fs::exists(d + "/cgroup.procs")) return d;
    return "";
  }

  std::string m_canary;
};

// ---- 1. no host fd in a container or an exec ----

TEST_F(SecurityRegression, NoHostFdReachesTheContainerOrAnExec) {
  // The caller of `berth` holds a directory fd it forgot to mark close-on-exec.
  berth::UniqueFd leak(::open(m_canary.c_str(), O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(leak);
  write_compose(R"(services:
  box:
    image: busybox:e2e
    network_mode: none
    command: ["sh", "-c", "ls /proc/$$$$/fd; exec sleep 300"]
    stop_grace_period: 1s
)");
  // Bounded: a shim that kept the caller's fds would also keep `up`'s readiness pipe open.
  auto up = berth_bounded(120, {"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::string id = id_of("box");
  ASSERT_FALSE(id.empty());

  // The first process: only its stdio (read from its log once it has written it).
  CommandResult logs;
  for (int i = 0; i < 50 && logs.out.empty(); ++i) {
    if (i) std::this_thread::sleep_for(100ms);
    logs = berth({"logs", "--no-log-prefix", "box"});
  }
  EXPECT_EQ(words_of(logs.out), (std::set<std::string>{"0", "1", "2"})) << logs.out << logs.err;

  // An exec: only its stdio, though `berth exec` inherits the leaked fd too.
  // (Not `sh -c 'ls /proc/$$/fd'` alone: ash would exec ls, which lists its own directory fd.)
  auto exec_fds = berth({"exec", "-T", "box", "sh", "-c", "ls /proc/$$/fd; true"});
  EXPECT_EQ(exec_fds.exit_code, 0) << exec_fds.err;
  EXPECT_EQ(words_of(exec_fds.out), (std::set<std::string>{"0", "1", "2"})) << exec_fds.out;

  // `exec -w /proc/self/fd/N` for every fd the exec child could start with: the shim's (it forks
  // the child), the caller's leaked one, and the low numbers in any case.
  std::set<int> candidates;
  for (int n = 3; n <= 12; ++n) candidates.insert(n);
  candidates.insert(leak.get());
  int shim_pid = 0;
  std::ifstream(run() + "/containers/" + id + "/shim.pid") >> shim_pid;
  ASSERT_GT(shim_pid, 0);
  for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(shim_pid) + "/fd"))
    candidates.insert(std::stoi(e.path().filename().string()));
  ASSERT_LT(candidates.size(), 64u) << "the shim holds unexpectedly many fds";
  for (int n : candidates) {
    const std::string cwd = "/proc/self/fd/" + std::to_string(n);
    auto r = berth_bounded(30, {"exec", "-T", "-w", cwd, "box", "sh", "-c", "pwd; ls -a"});
    EXPECT_NE(r.exit_code, 0) << cwd << " worked: " << r.out;
    EXPECT_EQ(r.out.find("secret"), std::string::npos) << cwd << ": " << r.out;
  }
  expect_canary_untouched();
}

// ---- 2. mount targets behind symlinks, copy-up from a hostile image ----

TEST_F(SecurityRegression, MountTargetsBehindImageSymlinksStayInsideTheRootfs) {
  import_image("hostile:links", {bt::tar_symlink("data", "/etc"), bt::tar_symlink("abs", m_canary),
                                 bt::tar_symlink("up", "../../../../../../../../.." + m_canary + "/climbed"),
                                 bt::tar_symlink("pself", "/proc/self/root" + m_canary)});
  const std::string src = dir() + "/src";
  fs::create_directories(src);
  bt::write_bytes(src + "/from-bind", "bound\n");
  write_compose(R"(services:
  box:
    image: hostile:links
    network_mode: none
    command: ["sleep", "300"]
    stop_grace_period: 1s
    volumes:
      - etcvol:/data
      - ./src:/abs/sub
      - upvol:/up/sub
  pself:
    image: hostile:links
    network_mode: none
    command: ["sleep", "300"]
    stop_grace_period: 1s
    volumes:
      - ./src:/pself/sub
volumes:
  etcvol: {}
  upvol: {}
)");
  auto up = berth({"up", "-d", "box"});
  expect_canary_untouched();  // nothing made, mounted or written on the host's side of the links
  ASSERT_EQ(up.exit_code, 0) << up.err;

  // /pself -> /proc/self/root<canary>: while the shim mounts, /proc/self/root is the host's root;
  // the magic link is not followed, so the container does not start.
  auto pself = berth({"up", "-d", "pself"});
  EXPECT_EQ(pself.exit_code, 1) << pself.out;
  EXPECT_TRUE(bt::contains(pself.err, "resolve `/pself/sub` in rootfs: Too many levels of symbolic links"))
      << pself.err;
  expect_canary_untouched();

  // /data -> /etc: the volume covers the image's /etc, and its first use copied the image's /etc.
  const std::string etcvol = root() + "/volumes/" + project() + "_etcvol/_data";
  EXPECT_EQ(bt::read_bytes(etcvol + "/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
  std::set<std::string> copied;
  for (const auto& e : fs::directory_iterator(etcvol)) copied.insert(e.path().filename().string());
  // The image's two files, and the mount points of the files Berth binds over /etc.
  EXPECT_EQ(copied, (std::set<std::string>{"group", "passwd", "hostname", "hosts", "resolv.conf"}))
      << "not the image's /etc";
  auto marker = berth({"exec", "-T", "box", "sh", "-c", "echo mine > /data/marker && cat /etc/marker"});
  EXPECT_EQ(marker.out, "mine\n") << marker.err;
  EXPECT_EQ(bt::read_bytes(etcvol + "/marker"), "mine\n");

  // The binds and the volume sit at the link targets inside the rootfs.
  auto seen = berth(
      {"exec", "-T", "box", "sh", "-c",
       "cat /abs/sub/from-bind " + m_canary + "/sub/from-bind && touch /up/sub/x && ls " + m_canary + "/climbed/sub"});
  EXPECT_EQ(seen.out, "bound\nbound\nx\n") << seen.err;
  EXPECT_EQ(seen.exit_code, 0) << seen.err;
  EXPECT_TRUE(fs::exists(root() + "/volumes/" + project() + "_upvol/_data/x"));
  expect_canary_untouched();
}

TEST_F(SecurityRegression, CopyUpFromAHostileImageCopiesLinksNotWhatTheyPointAt) {
  const std::string climb = "../../../../../../../../.." + m_canary;
  import_image("hostile:copyup",
               {bt::tar_dir("vol"), bt::tar_file("vol/ok", "image\n"), bt::tar_symlink("vol/abs", m_canary),
                bt::tar_symlink("vol/up", climb), bt::tar_symlink("vol/pself", "/proc/self/root" + m_canary),
                bt::tar_symlink("vol/secret", m_canary + "/secret"), bt::tar_dir("vol/sub"),
                bt::tar_symlink("vol/sub/deep", "../../../../../../../../../.." + m_canary)});
  write_compose(R"(services:
  box:
    image: hostile:copyup
    network_mode: none
    command: ["sleep", "300"]
    stop_grace_period: 1s
    volumes:
      - hv:/vol
volumes:
  hv: {}
)");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::string data = root() + "/volumes/" + project() + "_hv/_data";
  EXPECT_EQ(bt::read_bytes(data + "/ok"), "image\n");
  const std::map<std::string, std::string> links = {{"abs", m_canary},
                                                    {"up", climb},
                                                    {"pself", "/proc/self/root" + m_canary},
                                                    {"secret", m_canary + "/secret"},
                                                    {"sub/deep", "../../../../../../../../../.." + m_canary}};
  for (const auto& [name, target] : links) {
    EXPECT_TRUE(fs::is_symlink(data + "/" + name)) << name << " was not copied as a link";
    std::error_code ec;
    EXPECT_EQ(fs::read_symlink(data + "/" + name, ec).string(), target) << name;
  }
  // Nothing of the host's canary came in.
  for (const auto& e : fs::recursive_directory_iterator(data)) {
    if (!e.is_symlink() && e.is_regular_file()) EXPECT_NE(bt::read_bytes(e.path().string()), kSecretText) << e.path();
  }

  // The container following them stays in its rootfs: the host's canary is not there.
  auto r = berth({"exec", "-T", "box", "sh", "-c",
                  "cat /vol/secret /vol/abs/secret /vol/up/secret /vol/pself/secret /vol/sub/deep/secret; "
                  "for l in abs up pself sub/deep; do echo x > /vol/$l/planted; done; true"});
  EXPECT_EQ(r.out.find("host-secret"), std::string::npos) << r.out;
  expect_canary_untouched();
}

// ---- 3. hostile layer tars are refused whole ----

TEST_F(SecurityRegression, HostileLayerTarsAreRefusedWholeByImportAndLoad) {
  struct Case {
    std::string what;
    std::vector<TarEntry> entries;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"dotdot",
       {bt::tar_file("ok", "1"), bt::tar_file("a/../../escape", "x")},
       "entry `a/../../escape`: path escapes"},
      {"absolute", {bt::tar_file("ok", "1"), bt::tar_file(m_canary + "/planted", "x")}, ": absolute path"},
      {"through-symlink",
       {bt::tar_file("ok", "1"), bt::tar_symlink("a", m_canary), bt::tar_file("a/planted", "x")},
       "entry `a/planted`: path goes through the symbolic link `a`"},
      {"hardlink-absolute",
       {bt::tar_file("ok", "1"), bt::tar_hardlink("h", m_canary + "/secret")},
       "entry `h`: hardlink target `" + m_canary + "/secret`: absolute path"},
      {"hardlink-through-symlink",
       {bt::tar_file("ok", "1"), bt::tar_symlink("l", m_canary), bt::tar_hardlink("h", "l/secret")},
       "hardlink target `l/secret`: path goes through the symbolic link `l`"},
      {"duplicate", {bt::tar_file("ok", "1"), bt::tar_file("ok", "2")}, "entry `ok`: duplicate entry"},
      {"dir-then-symlink",
       {bt::tar_dir("etc"), bt::tar_file("etc/x", "1"), bt::tar_symlink("etc", m_canary), bt::tar_file("etc/y", "2")},
       "entry `etc`: duplicate entry"},
  };
  const std::string good = bt::make_tar({bt::tar_dir("bin"), bt::tar_file("bin/good", "good\n", 0755)});
  for (const Case& c : cases) {
    const std::set<std::string> before = tree_of(root());
    const std::string layer = bt::make_tar(c.entries);
    bt::write_bytes(*m_tmp / (c.what + ".tar"), layer);
    auto imp = berth({"image", "import", *m_tmp / (c.what + ".tar"), "evil:" + c.what});
    EXPECT_EQ(imp.exit_code, 1) << c.what << ": " << imp.out;
    EXPECT_TRUE(bt::contains(imp.err, c.error)) << c.what << ": " << imp.err;
    EXPECT_EQ(tree_changes(before, tree_of(root())), std::vector<std::string>{}) << c.what << ": import";

    // The same layer in a docker-save archive.
    bt::write_bytes(*m_tmp / (c.what + "-save.tar"), docker_save_of({layer}, "evil:" + c.what));
    auto load = berth({"image", "load", "-i", *m_tmp / (c.what + "-save.tar")});
    EXPECT_EQ(load.exit_code, 1) << c.what << ": " << load.out;
    EXPECT_TRUE(bt::contains(load.err, c.error)) << c.what << ": " << load.err;
    EXPECT_EQ(tree_changes(before, tree_of(root())), std::vector<std::string>{}) << c.what << ": load";

    // After a good layer (new to the store): the archive is refused whole, so neither layer,
    // blob nor image is stored, and nothing of its staging is left: the store is byte for byte
    // what it was.
    bt::write_bytes(*m_tmp / (c.what + "-save2.tar"), docker_save_of({good, layer}, "evil:" + c.what));
    auto load2 = berth({"image", "load", "-i", *m_tmp / (c.what + "-save2.tar")});
    EXPECT_EQ(load2.exit_code, 1) << c.what << ": " << load2.out;
    EXPECT_TRUE(bt::contains(load2.err, c.error)) << c.what << ": " << load2.err;
    EXPECT_EQ(tree_changes(before, tree_of(root())), std::vector<std::string>{}) << c.what << ": load of two layers";
    const std::string good_id(berth::image::sha256_of(good).hex());
    EXPECT_FALSE(fs::exists(root() + "/layers/" + good_id)) << c.what;
    EXPECT_FALSE(fs::exists(root() + "/blobs/sha256/" + good_id)) << c.what;
    EXPECT_TRUE(fs::is_empty(root() + "/tmp")) << c.what;
    expect_canary_untouched();
  }
  auto images = berth({"image", "ls"});
  EXPECT_EQ(images.exit_code, 0) << images.err;
  EXPECT_EQ(images.out.find("evil"), std::string::npos) << images.out;
}

// ---- 4. berth-dns survives malformed, oversized and flooding queries ----

TEST_F(SecurityRegression, MalformedOversizedAndFloodedUdpLeaveBerthDnsAnswering) {
  const std::string sleeper = R"(    image: busybox:e2e
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
)";
  write_compose("services:\n  attacker:\n" + sleeper + "  client:\n" + sleeper + "  web:\n" + sleeper);
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto resolv = berth({"exec", "-T", "client", "cat", "/etc/resolv.conf"});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(resolv.out, m, std::regex(R"(nameserver ([0-9.]+))"))) << resolv.out;
  const std::string gateway = m[1].str();
  const std::string web = eth0_address("web");
  auto before = berth({"exec", "-T", "client", "nslookup", "web"});
  ASSERT_EQ(bt::nslookup_answer(before.out), web) << before.out << before.err;
  const std::string dns_dir = run() + "/projects/" + project();
  const int dns_pid = berth::live_dns_pid(dns_dir);
  ASSERT_GT(dns_pid, 0);

  // The attacker: malformed and oversized datagrams, then 3,000 queries over 3 s.
  std::string error;
  const long replies = udp_attack_from(run() + "/netns/" + id_of("attacker"), gateway, malformed_dns_packets(),
                                       dns_query("web"), 3000, 1000, error);
  ASSERT_GE(replies, 0) << error;
  EXPECT_GT(replies, 0) << "berth-dns answered none of the attacker's valid queries";

  // The same berth-dns (not one a shim restarted after a crash) answers another container.
  EXPECT_EQ(berth::live_dns_pid(dns_dir), dns_pid) << "berth-dns died: " << bt::read_bytes(dns_dir + "/dns.log");
  auto after = berth({"exec", "-T", "client", "nslookup", "web"});
  EXPECT_EQ(bt::nslookup_answer(after.out), web) << after.out << after.err;
}

// ---- 5. pids and memory limits hold ----

TEST_F(SecurityRegression, AForkBombStaysWithinPidsLimit) {
  // Each process starts two more, 8 levels deep: 511 processes at most, so the host survives
  // this test even where the limit is not applied. The container's first process forks once and
  // then execs sleep: a shell whose fork fails exits, and it must outlive the bomb.
  write_compose(R"(services:
  bomb:
    image: busybox:e2e
    network_mode: none
    pids_limit: 50
    command: ["sh", "-c", "b() { if [ $$1 -gt 0 ]; then b $$(($$1 - 1)) & b $$(($$1 - 1)) & fi; sleep 60; }; b 8 & exec sleep 300"]
    stop_grace_period: 1s
  other:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
    stop_grace_period: 1s
)");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::string cg = cgroup_dir("pids", id_of("bomb"));
  ASSERT_FALSE(cg.empty()) << "no pids cgroup for the bomb";
  EXPECT_EQ(bt::read_bytes(cg + "/pids.max"), "50\n");
  // Wait (bounded) until the bomb hit the limit, then watch it stay there for 2 s.
  auto hits = [&] {
    std::string events = bt::read_bytes(cg + "/pids.events");
    std::smatch m;
    return std::regex_search(events, m, std::regex(R"(max (\d+))")) ? std::stol(m[1].str()) : 0L;
  };
  for (int i = 0; i < 200 && hits() == 0; ++i) std::this_thread::sleep_for(100ms);
  EXPECT_GT(hits(), 0) << "the bomb never reached the limit";
  long most = 0;
  for (int i = 0; i < 20; ++i) {
    most = std::max(most, std::stol(bt::read_bytes(cg + "/pids.current")));
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_LE(most, 50);
  EXPECT_GE(most, 40) << "the bomb did not fill its allowance";
  // The host and the project's other container carry on.
  EXPECT_EQ(bt::run_command({"/bin/true"}, "/", {}).exit_code, 0);
  auto other = berth_bounded(30, {"exec", "-T", "other", "echo", "fine"});
  EXPECT_EQ(other.out, "fine\n") << other.err;
  auto kill = berth_bounded(60, {"kill", "bomb"});
  EXPECT_EQ(kill.exit_code, 0) << kill.err;
}

TEST_F(SecurityRegression, AllocationBeyondMemLimitIsOomKilledAlone) {
  write_compose(R"(services:
  hog:
    image: busybox:e2e
    network_mode: none
    mem_limit: 32m
    command: ["dd", "if=/dev/zero", "of=/dev/null", "bs=200M", "count=1"]
  other:
    image: busybox:e2e
    network_mode: none
    command: ["sleep", "300"]
    stop_grace_period: 1s
)");
  auto up = berth({"up", "-d"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const std::string id = id_of("hog");
  std::string exit_line;
  for (int i = 0; i < 150 && exit_line.empty(); ++i) {
    if (i) std::this_thread::sleep_for(200ms);
    auto ps = berth({"ps", "-a", "--format", "json", "hog"});
    std::istringstream lines(ps.out);
    for (std::string line; std::getline(lines, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object() && j.value("State", "") == "exited") exit_line = line;
    }
  }
  ASSERT_FALSE(exit_line.empty()) << "hog did not exit";
  EXPECT_EQ(nlohmann::json::parse(exit_line).value("ExitCode", -1), 137) << exit_line;
  auto state = nlohmann::json::parse(bt::read_bytes(run() + "/containers/" + id + "/state.json"), nullptr, false);
  EXPECT_TRUE(state.is_object() && state.value("oom_killed", false)) << state.dump();
  // The other container carries on.
  EXPECT_EQ(states()[project() + "-other-1"], "running");
  auto other = berth_bounded(30, {"exec", "-T", "other", "echo", "fine"});
  EXPECT_EQ(other.out, "fine\n") << other.err;
}
