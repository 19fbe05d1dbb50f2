#include "compose/model/graphviz.hpp"

#include <gtest/gtest.h>

namespace berth::model {
namespace {

/// web (ports, two networks of different priority) depends on db and on cache, which is only
/// built: the expected text below was checked line by line against docker compose's viz.go.
Project demo() {
  Project p;
  p.name = "demo";
  Service& web = p.services["web"];
  web.image = "nginx:1.25";
  ServicePort port;
  port.host_ip = "127.0.0.1";
  port.published = "8080";
  port.target = 80;
  port.protocol = "tcp";
  port.mode = "ingress";
  web.ports.push_back(port);
  ServicePort ephemeral;
  ephemeral.target = 443;
  ephemeral.protocol = "udp";
  ephemeral.mode = "host";
  web.ports.push_back(ephemeral);
  web.networks["front"] = std::nullopt;
  ServiceNetwork back;
  back.priority = 10;
  web.networks["back"] = back;
  web.depends_on["db"] = ServiceDependency{"service_started"};
  web.depends_on["cache"] = ServiceDependency{"service_healthy"};
  p.services["db"].image = "postgres";
  p.services["db"].networks["back"] = std::nullopt;
  p.services["cache"].build = BuildConfig{};
  return p;
}

TEST(ModelGraphviz, PlainGraphWithTabs) {
  GraphvizOptions o;
  o.indentation = "\t";
  EXPECT_EQ(project_graphviz(demo(), o),
            "digraph \"demo\" {\n"
            "\tlayout=dot;\n"
            "\t\"cache\" [style=\"filled\" label=<<font point-size=\"15\">cache</font>>];\n"
            "\t\"db\" [style=\"filled\" label=<<font point-size=\"15\">db</font>>];\n"
            "\t\"web\" [style=\"filled\" label=<<font point-size=\"15\">web</font>>];\n"
            "\n"
            "\t\"web\" -> \"cache\";\n"
            "\t\"web\" -> \"db\";\n"
            "}\n");
}

TEST(ModelGraphviz, NetworksPortsAndImagesWithSpaces) {
  GraphvizOptions o;
  o.networks = o.ports = o.image = true;
  o.indentation = "  ";
  EXPECT_EQ(
      project_graphviz(demo(), o),
      "digraph \"demo\" {\n"
      "  layout=dot;\n"
      "  \"cache\" [style=\"filled\" label=<<font point-size=\"15\">cache</font>"
      "<font point-size=\"10\"><br/><br/><b>Image:</b><br/>demo-cache</font>>];\n"
      "  \"db\" [style=\"filled\" label=<<font point-size=\"15\">db</font>"
      "<font point-size=\"10\"><br/><br/><b>Networks:</b><br/>back</font>"
      "<font point-size=\"10\"><br/><br/><b>Image:</b><br/>postgres</font>>];\n"
      "  \"web\" [style=\"filled\" label=<<font point-size=\"15\">web</font>"
      "<font point-size=\"10\"><br/><br/><b>Networks:</b><br/>back<br/>front</font>"
      "<font point-size=\"10\"><br/><br/><b>Ports:</b><br/>127.0.0.1:8080:80 (tcp, ingress)<br/>:443 (udp, host)</font>"
      "<font point-size=\"10\"><br/><br/><b>Image:</b><br/>nginx:1.25</font>>];\n"
      "\n"
      "  \"web\" -> \"cache\";\n"
      "  \"web\" -> \"db\";\n"
      "}\n");
}

TEST(ModelGraphviz, NoIndentation) {
  Project p;
  p.name = "solo";
  p.services["app"].image = "busybox";
  EXPECT_EQ(
      project_graphviz(p, GraphvizOptions{}),
      "digraph \"solo\" {\nlayout=dot;\n\"app\" [style=\"filled\" label=<<font point-size=\"15\">app</font>>];\n\n}\n");
}

}  // namespace
}  // namespace berth::model
