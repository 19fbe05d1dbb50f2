// --change instructions for `berth image import`, with the Dockerfile reference's forms.
#include <gtest/gtest.h>

#include "compose/image/change.hpp"

using berth::image::apply_change;
using nlohmann::json;

namespace {

json apply(std::initializer_list<const char*> changes) {
  json config = json::object();
  for (const char* c : changes) apply_change(config, c);
  return config;
}

TEST(ImageChange, CmdAndEntrypointExecAndShellForms) {
  json c = apply({R"(CMD ["sh", "-c", "echo hi"])", "ENTRYPOINT /init --verbose"});
  EXPECT_EQ(c["Cmd"], json({"sh", "-c", "echo hi"}));
  EXPECT_EQ(c["Entrypoint"], json({"/bin/sh", "-c", "/init --verbose"}));
  EXPECT_EQ(apply({"cmd []"})["Cmd"], json::array());
  EXPECT_EQ(apply({"CMD [not json"})["Cmd"], json({"/bin/sh", "-c", "[not json"}));
}

TEST(ImageChange, EnvFormsQuotingAndExpansion) {
  json c =
      apply({"ENV HOME=/root PATH=/bin", R"(ENV A="two words" B='$HOME' C=$HOME/x D=${HOME}y E=\$HOME)",
             "ENV F ${MISSING:-fallback} and more", "ENV G=${HOME:+set} H=${MISSING:+set}", "ENV PATH=/usr/bin:$PATH"});
  EXPECT_EQ(c["Env"], json({"HOME=/root", "PATH=/usr/bin:/bin", "A=two words", "B=$HOME", "C=/root/x", "D=/rooty",
                            "E=$HOME", "F=fallback and more", "G=set", "H="}));
  // Pairs of one ENV see the environment from before it, as in a Dockerfile.
  EXPECT_EQ(apply({"ENV X=1 Y=$X"})["Env"], json({"X=1", "Y="}));
}

TEST(ImageChange, OtherInstructions) {
  json c = apply({"WORKDIR /srv", "WORKDIR app/../data", "USER app:app", "EXPOSE 80 53/udp 8000-8001/TCP",
                  R"(LABEL a=b "c d"=e)", "LABEL legacy form value", "STOPSIGNAL SIGINT", R"(VOLUME ["/data"])",
                  "VOLUME /x /y"});
  EXPECT_EQ(c["WorkingDir"], "/srv/data");
  EXPECT_EQ(c["User"], "app:app");
  EXPECT_EQ(c["ExposedPorts"], json({{"80/tcp", json::object()},
                                     {"53/udp", json::object()},
                                     {"8000/tcp", json::object()},
                                     {"8001/tcp", json::object()}}));
  EXPECT_EQ(c["Labels"], json({{"a", "b"}, {"c d", "e"}, {"legacy", "form value"}}));
  EXPECT_EQ(c["StopSignal"], "SIGINT");
  EXPECT_EQ(c["Volumes"], json({{"/data", json::object()}, {"/x", json::object()}, {"/y", json::object()}}));
  EXPECT_EQ(apply({"ENV D=/opt", "WORKDIR $D/x"})["WorkingDir"], "/opt/x");
}

TEST(ImageChange, ErrorsNameTheInstruction) {
  auto error = [](const char* change) {
    json c = json::object();
    try {
      apply_change(c, change);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(error("RUN make"),
            "--change `RUN make`: RUN: unsupported instruction (supported: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, "
            "STOPSIGNAL, USER, VOLUME, WORKDIR)");
  EXPECT_EQ(error("EXPOSE 70000"), "--change `EXPOSE 70000`: EXPOSE: invalid port `70000`");
  EXPECT_EQ(error("EXPOSE 80/icmp"), "--change `EXPOSE 80/icmp`: EXPOSE: invalid protocol in `80/icmp`");
  EXPECT_EQ(error("ENV A=\"open"), "--change `ENV A=\"open`: ENV: unterminated double quote");
  EXPECT_EQ(error("LABEL =x"), "--change `LABEL =x`: LABEL: `=x`: expected key=value");
  EXPECT_EQ(error("CMD"), "--change `CMD`: CMD: requires at least one argument");
  EXPECT_EQ(error("WORKDIR"), "--change `WORKDIR`: WORKDIR: requires exactly one argument");
}

}  // namespace
