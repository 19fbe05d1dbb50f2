// Volume short syntax (parse_volume_spec) and services.*.volumes normalisation: the examples of the
// Compose Specification's volumes section, path resolution, long-syntax defaults and errors.
#include <gtest/gtest.h>

#include "compose/loader/normalize.hpp"
#include "compose/loader/yaml_to_json.hpp"

using namespace berth::loader;
using nlohmann::json;

namespace {

std::string volume_error(const std::string& spec) {
  try {
    parse_volume_spec(spec);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

json normalized_volumes(const std::string& volumes_yaml, Diagnostics* out = nullptr) {
  auto doc = parse_yaml("services:\n  app:\n    volumes:\n" + volumes_yaml, "compose.yaml");
  Diagnostics diags(&doc.positions);
  normalize_project(doc.value, {"/wd", "/home/me", "p"}, diags);
  if (out)
    *out = diags;
  else
    EXPECT_TRUE(diags.empty()) << (diags.empty() ? "" : diags.items()[0].message);
  return doc.value["services"]["app"]["volumes"];
}

}  // namespace

TEST(VolumeSpec, AnonymousVolume) {
  EXPECT_EQ(parse_volume_spec("/var/lib/mysql"),
            (json{{"type", "volume"}, {"target", "/var/lib/mysql"}, {"volume", json::object()}}));
}

TEST(VolumeSpec, BindMounts) {
  EXPECT_EQ(parse_volume_spec("/opt/data:/var/lib/mysql"),
            (json{{"type", "bind"}, {"source", "/opt/data"}, {"target", "/var/lib/mysql"}, {"bind", json::object()}}));
  EXPECT_EQ(parse_volume_spec("./cache:/tmp/cache"),
            (json{{"type", "bind"}, {"source", "./cache"}, {"target", "/tmp/cache"}, {"bind", json::object()}}));
  EXPECT_EQ(parse_volume_spec("~/configs:/etc/configs/:ro"), (json{{"type", "bind"},
                                                                   {"source", "~/configs"},
                                                                   {"target", "/etc/configs/"},
                                                                   {"read_only", true},
                                                                   {"bind", json::object()}}));
  EXPECT_EQ(parse_volume_spec("../up:/up")["type"], "bind");
}

TEST(VolumeSpec, NamedVolumes) {
  EXPECT_EQ(
      parse_volume_spec("datavolume:/var/lib/mysql"),
      (json{{"type", "volume"}, {"source", "datavolume"}, {"target", "/var/lib/mysql"}, {"volume", json::object()}}));
  EXPECT_EQ(parse_volume_spec("db-data:/data:nocopy"),
            (json{{"type", "volume"}, {"source", "db-data"}, {"target", "/data"}, {"volume", {{"nocopy", true}}}}));
  EXPECT_EQ(parse_volume_spec("db-data:/data:rw"),
            (json{{"type", "volume"}, {"source", "db-data"}, {"target", "/data"}, {"volume", json::object()}}));
}

TEST(VolumeSpec, AccessModeSelinuxAndPropagationOptions) {
  EXPECT_EQ(parse_volume_spec("./src:/app:z")["bind"], (json{{"selinux", "z"}}));
  EXPECT_EQ(parse_volume_spec("./src:/app:Z")["bind"], (json{{"selinux", "Z"}}));
  json v = parse_volume_spec("/src:/app:ro,rshared");
  EXPECT_EQ(v["read_only"], true);
  EXPECT_EQ(v["bind"], (json{{"propagation", "rshared"}}));
  for (const char* p : {"rprivate", "private", "shared", "rslave", "slave"}) {
    EXPECT_EQ(parse_volume_spec(std::string("/a:/b:") + p)["bind"]["propagation"], p);
  }
  EXPECT_FALSE(parse_volume_spec("/a:/b:ro,rw").contains("read_only"));     // last one wins
  EXPECT_EQ(parse_volume_spec("/a:/b:bogus"), parse_volume_spec("/a:/b"));  // unknown options ignored, as compose-go
}

TEST(VolumeSpec, ComposeGoEdgeCases) {
  // One or two characters: a target only (compose-go returns before deciding the kind of volume).
  EXPECT_EQ(parse_volume_spec("/a"), (json{{"type", "volume"}, {"target", "/a"}}));
  // ':' inside ${...} does not separate fields.
  EXPECT_EQ(parse_volume_spec("${A:-x}:/data")["source"], "${A:-x}");
  // A Windows drive letter keeps its ':'.
  EXPECT_EQ(parse_volume_spec("C:\\data:/data"),
            (json{{"type", "bind"}, {"source", "C:\\data"}, {"target", "/data"}, {"bind", json::object()}}));
}

TEST(VolumeSpec, Errors) {
  EXPECT_NE(volume_error("").find("empty volume spec"), std::string::npos);
  EXPECT_NE(volume_error("/a::/b").find("empty section between colons"), std::string::npos);
  EXPECT_NE(volume_error(":/x").find("empty section between colons"), std::string::npos);
  EXPECT_NE(volume_error("/a:/b:").find("empty section between colons"), std::string::npos);
  EXPECT_NE(volume_error("/a:/b:ro:extra").find("too many colons"), std::string::npos);
  EXPECT_NE(volume_error("/a:/b:ro:extra").find("\"/a:/b:ro:extra\""), std::string::npos);
}

TEST(VolumeSpec, NormalizeResolvesBindSourcesAndCleansTargets) {
  json v = normalized_volumes(
      "      - ./static:/var/www/html/\n"
      "      - .:/code\n"
      "      - ..:/parent\n"
      "      - ~/configs:/etc/configs:ro\n"
      "      - ~:/root/home\n"
      "      - /opt/data/:/data/./x\n"
      "      - data:/var/lib/data\n");
  EXPECT_EQ(v[0],
            (json{{"type", "bind"}, {"source", "/wd/static"}, {"target", "/var/www/html"}, {"bind", json::object()}}));
  EXPECT_EQ(v[1]["source"], "/wd");
  EXPECT_EQ(v[2]["source"], "/");
  EXPECT_EQ(v[3], (json{{"type", "bind"},
                        {"source", "/home/me/configs"},
                        {"target", "/etc/configs"},
                        {"read_only", true},
                        {"bind", json::object()}}));
  EXPECT_EQ(v[4]["source"], "/home/me");
  EXPECT_EQ(v[5]["source"], "/opt/data/");  // absolute sources are kept as written, as compose-go does
  EXPECT_EQ(v[5]["target"], "/data/x");
  EXPECT_EQ(v[6],
            (json{{"type", "volume"}, {"source", "data"}, {"target", "/var/lib/data"}, {"volume", json::object()}}));
}

TEST(VolumeSpec, NormalizeLongSyntax) {
  json v = normalized_volumes(
      "      - type: bind\n"
      "        source: ./opt\n"
      "        target: /opt/cached\n"
      "        consistency: cached\n"
      "      - type: bind\n"
      "        source: /var/run/postgres/postgres.sock\n"
      "        target: /var/run/postgres/postgres.sock\n"
      "        bind:\n"
      "          create_host_path: true\n"
      "          propagation: rslave\n"
      "      - type: bind\n"
      "        source: ./must-exist\n"
      "        target: /x\n"
      "        bind:\n"
      "          create_host_path: false\n"
      "      - type: tmpfs\n"
      "        target: /opt/tmpfs\n"
      "        tmpfs:\n"
      "          size: 10000\n"
      "      - type: tmpfs\n"
      "        target: /run\n"
      "        tmpfs:\n"
      "          size: 1g\n"
      "          mode: 01777\n"
      "      - type: volume\n"
      "        source: db-data\n"
      "        target: /data\n"
      "        volume:\n"
      "          nocopy: true\n"
      "          subpath: sub\n"
      "          labels: [a=b, c]\n");
  EXPECT_EQ(v[0],
            (json{{"type", "bind"}, {"source", "/wd/opt"}, {"target", "/opt/cached"}, {"consistency", "cached"}}));
  EXPECT_EQ(v[1]["bind"], (json{{"propagation", "rslave"}}));  // create_host_path: true is the default, not printed
  EXPECT_EQ(v[2]["bind"], (json{{"create_host_path", false}}));
  EXPECT_EQ(v[2]["source"], "/wd/must-exist");
  EXPECT_EQ(v[3]["tmpfs"], (json{{"size", "10000"}}));
  EXPECT_EQ(v[4]["tmpfs"], (json{{"size", "1073741824"}, {"mode", 01777}}));
  EXPECT_EQ(v[5]["volume"], (json{{"nocopy", true}, {"subpath", "sub"}, {"labels", {{"a", "b"}, {"c", ""}}}}));
}

TEST(VolumeSpec, NormalizeReportsBadVolumes) {
  Diagnostics diags;
  json v = normalized_volumes(
      "      - /a:/b:ro:x\n"
      "      - type: bind\n"
      "        target: /x\n"
      "      - type: tmpfs\n"
      "        target: /t\n"
      "        tmpfs:\n"
      "          size: 12q\n",
      &diags);
  ASSERT_EQ(diags.items().size(), 3u);
  EXPECT_EQ(diags.items()[0].path, "services.app.volumes[0]");
  EXPECT_EQ(diags.items()[0].where.line, 4);
  EXPECT_EQ(diags.items()[1].path, "services.app.volumes[1]");
  EXPECT_NE(diags.items()[1].message.find("source must not be empty"), std::string::npos);
  EXPECT_EQ(diags.items()[2].path, "services.app.volumes[2].tmpfs.size");
  EXPECT_NE(diags.items()[2].message.find("invalid size \"12q\""), std::string::npos);
  EXPECT_EQ(v[0], "/a:/b:ro:x");  // left as written
}
