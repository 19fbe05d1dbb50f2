// compile_instruction (compose/build/instructions.cpp): every instruction typed, with the
// expansion BuildKit applies to it and BuildKit's error wording, located at the line.
#include "compose/build/instructions.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace berth::build;

namespace {

VarLookup instructions_vars() {
  static const std::map<std::string, std::string> vars{{"BASE", "busybox"},     {"TAG", "1.36"}, {"DIR", "/app"},
                                                       {"PORTS", "80 443/udp"}, {"EMPTY", ""},   {"U", "1000"}};
  return [](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

/// The typed form of the instruction in `line`, parsed after a FROM.
template <class T>
T compile_as(const std::string& line, const std::string& prefix = "") {
  Dockerfile df = parse_dockerfile(prefix + "FROM scratch\n" + line + "\n", "Dockerfile");
  Command cmd = compile_instruction(df, df.instructions.back(), instructions_vars());
  if (!std::holds_alternative<T>(cmd)) throw std::logic_error("wrong command type for " + line);
  return std::get<T>(cmd);
}

std::string compile_error(const std::string& line) {
  try {
    Dockerfile df = parse_dockerfile("FROM scratch\n" + line + "\n", "Dockerfile");
    compile_instruction(df, df.instructions.back(), instructions_vars());
    return "no error";
  } catch (const DockerfileError& e) {
    std::string text = e.what();
    return text.substr(0, text.find('\n'));
  }
}

using KeyValues = std::vector<std::pair<std::string, std::string>>;
using Strings = std::vector<std::string>;

}  // namespace

TEST(Instructions, From) {
  FromCmd from = compile_as<FromCmd>("FROM --platform=$BUILDPLATFORM ${BASE}:$TAG AS Build-1.x");
  EXPECT_EQ(from.image, "busybox:1.36");
  EXPECT_EQ(from.alias, "build-1.x");
  EXPECT_EQ(from.platform, "");
  EXPECT_EQ(compile_as<FromCmd>("from --platform=linux/arm64 scratch").platform, "linux/arm64");
  EXPECT_EQ(compile_as<FromCmd>("FROM a as b").alias, "b");
  EXPECT_EQ(compile_error("FROM a AS 1x"),
            "Dockerfile:2: dockerfile parse error on line 2: invalid name for build "
            "stage: \"1x\", name can't start with a number or contain symbols");
  EXPECT_EQ(compile_error("FROM a b"),
            "Dockerfile:2: dockerfile parse error on line 2: FROM requires either one or three arguments");
  EXPECT_EQ(compile_error("FROM a AS b!"),
            "Dockerfile:2: dockerfile parse error on line 2: invalid name for build "
            "stage: \"b!\", name can't start with a number or contain symbols");
  EXPECT_EQ(compile_error("FROM --plat=x a"), "Dockerfile:2: dockerfile parse error on line 2: unknown flag: --plat");
  EXPECT_EQ(compile_error("FROM $EMPTY"), "Dockerfile:2: base name ($EMPTY) should not be blank");
}

TEST(Instructions, RunShellExecAndHeredoc) {
  RunCmd shell = compile_as<RunCmd>("RUN echo $DIR && ls");
  EXPECT_TRUE(shell.shell_form);
  EXPECT_EQ(shell.script, "echo $DIR && ls");  // left for the shell
  RunCmd exec = compile_as<RunCmd>("RUN [\"echo\", \"$DIR\"]");
  EXPECT_FALSE(exec.shell_form);
  EXPECT_EQ(exec.argv, (Strings{"echo", "$DIR"}));
  Dockerfile df = parse_dockerfile("FROM x\nRUN <<EOF\necho hi\nEOF\n", "Dockerfile");
  RunCmd heredoc = std::get<RunCmd>(compile_instruction(df, df.instructions[1], instructions_vars()));
  ASSERT_EQ(heredoc.heredocs.size(), 1u);
  EXPECT_EQ(heredoc.heredocs[0].content, "echo hi\n");
  EXPECT_EQ(heredoc.script, "<<EOF");
}

TEST(Instructions, RunFlags) {
  RunCmd run = compile_as<RunCmd>("RUN --network=none --security=insecure true");
  EXPECT_EQ(run.network, "none");
  EXPECT_EQ(run.security, "insecure");
  EXPECT_EQ(compile_as<RunCmd>("RUN true").network, "");
  EXPECT_EQ(compile_error("RUN --network=bridge true"),
            "Dockerfile:2: dockerfile parse error on line 2: invalid network mode \"bridge\"");
  EXPECT_EQ(compile_error("RUN --security=x true"),
            "Dockerfile:2: dockerfile parse error on line 2: security \"x\" is not valid");
  EXPECT_EQ(compile_error("RUN --network true"),
            "Dockerfile:2: dockerfile parse error on line 2: missing a value on flag: --network");
  EXPECT_EQ(compile_error("RUN --network=none --network=host true"),
            "Dockerfile:2: dockerfile parse error on line 2: duplicate flag specified: --network");
}

TEST(Instructions, RunMounts) {
  RunCmd run = compile_as<RunCmd>(
      "RUN --mount=type=cache,target=$DIR/cache,sharing=locked,mode=0755,uid=$U,gid=0 "
      "--mount=type=bind,from=build,source=/src,dst=/dst,rw "
      "--mount=type=tmpfs,destination=/tmp,size=64m "
      "--mount=type=secret,id=token,required,env=TOKEN "
      "--mount=type=secret,target=/run/x/key.pem,required=false "
      "--mount=type=ssh "
      "--mount=target=/ro "
      "--mount=\"type=bind,target=/q,source=a\" true");
  ASSERT_EQ(run.mounts.size(), 8u);
  const RunMount& cache = run.mounts[0];
  EXPECT_EQ(cache.type, "cache");
  EXPECT_EQ(cache.target, "/app/cache");
  EXPECT_EQ(cache.id, "/app/cache");
  EXPECT_EQ(cache.sharing, "locked");
  EXPECT_EQ(cache.mode, "0755");
  EXPECT_EQ(cache.uid, 1000u);
  EXPECT_EQ(cache.gid, 0u);
  EXPECT_FALSE(cache.readonly);
  const RunMount& bind = run.mounts[1];
  EXPECT_EQ(bind.from, "build");
  EXPECT_EQ(bind.source, "/src");
  EXPECT_EQ(bind.target, "/dst");
  EXPECT_FALSE(bind.readonly);
  EXPECT_EQ(run.mounts[2].type, "tmpfs");
  EXPECT_EQ(run.mounts[2].size, "64m");
  EXPECT_FALSE(run.mounts[2].readonly);
  const RunMount& secret = run.mounts[3];
  EXPECT_EQ(secret.id, "token");
  EXPECT_TRUE(secret.required);
  EXPECT_EQ(secret.env, "TOKEN");
  EXPECT_EQ(secret.target, "");  // only to the env variable
  EXPECT_TRUE(secret.readonly);
  EXPECT_EQ(run.mounts[4].id, "key.pem");
  EXPECT_EQ(run.mounts[4].target, "/run/x/key.pem");
  EXPECT_EQ(compile_as<RunCmd>("RUN --mount=type=secret,id=npmrc true").mounts[0].target, "/run/secrets/npmrc");
  EXPECT_FALSE(run.mounts[4].required);
  EXPECT_EQ(run.mounts[5].id, "default");
  EXPECT_EQ(run.mounts[6].type, "bind");
  EXPECT_TRUE(run.mounts[6].readonly);
  EXPECT_EQ(run.mounts[7].source, "a");  // quotes around the whole flag value are removed by the parser

  struct Case {
    const char* line;
    const char* error;
  };
  const std::vector<Case> cases{
      {"RUN --mount=type=nfs,target=/x true", "unsupported mount type \"nfs\""},
      {"RUN --mount=type=cache,target=/x,color=red true", "unexpected key 'color' in 'color=red'"},
      {"RUN --mount=type=bind,target=/x,required true", "unexpected key 'required' for mount type 'bind'"},
      {"RUN --mount=type=bind,size=1g,target=/x true", "unexpected key 'size' for mount type 'bind'"},
      {"RUN --mount=type=tmpfs,size=lots,target=/x true", "invalid value for size: lots"},
      {"RUN --mount=type=cache,target=/x,mode=999 true", "invalid value 999 for mode"},
      {"RUN --mount=type=cache,target=/x,uid=-1 true", "invalid value -1 for uid"},
      {"RUN --mount=type=bind,target=/x,uid=1 true", "uid not allowed for \"bind\" type mounts"},
      {"RUN --mount=type=tmpfs,target=/x,mode=0700 true", "mode not allowed for \"tmpfs\" type mounts"},
      {"RUN --mount=type=cache,target=/x,sharing=some true", "unsupported sharing value \"some\""},
      {"RUN --mount=type=bind,target=/x,sharing=locked true", "invalid cache sharing set for bind mount"},
      {"RUN --mount=type=secret true", "invalid secret mount. one of source, target required"},
      {"RUN --mount=type=secret,id=a,source=b true", "both source and id can't be set"},
      {"RUN --mount=type=secret,id=a,from=b true", "secret mount should not have a from"},
      {"RUN --mount=type=bind,target=/x,ro=maybe true", "invalid value for ro: maybe"},
      {"RUN --mount=type=bind,target=/x,nonsense true", "invalid field 'nonsense' must be a key=value pair"},
      {"RUN --mount=type=bind,from=$STAGE,target=/x true",
       "'from' doesn't support variable expansion, define alias stage instead"},
      {"RUN --mount=type=bind,tar\\\"get=/x true", "failed to parse csv mounts: bare \" in non-quoted-field"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(compile_error(c.line), std::string("Dockerfile:2: dockerfile parse error on line 2: ") + c.error)
        << c.line;
  }
}

TEST(Instructions, CopyAndAdd) {
  CopyCmd copy = compile_as<CopyCmd>(
      "COPY --from=build --chown=$U:$U --chmod=0644 --link --parents --exclude=*.md --exclude=$DIR/x a ${DIR}/b "
      "$DIR/");  // --exclude is not expanded (BuildKit)
  EXPECT_FALSE(copy.add);
  EXPECT_EQ(copy.sources, (Strings{"a", "/app/b"}));
  EXPECT_EQ(copy.dest, "/app/");
  EXPECT_EQ(copy.from, "build");
  EXPECT_EQ(copy.chown, "1000:1000");
  EXPECT_EQ(copy.chmod, "0644");
  EXPECT_TRUE(copy.link);
  EXPECT_TRUE(copy.parents);
  EXPECT_EQ(copy.excludes, (Strings{"*.md", "$DIR/x"}));
  EXPECT_EQ(compile_error("COPY --from=$BASE a b"),
            "Dockerfile:2: variable expansion is not supported for --from, define a new stage with FROM using ARG "
            "from global scope as a workaround");

  CopyCmd exec = compile_as<CopyCmd>("COPY [\"a b\", \"$DIR/\"]");
  EXPECT_EQ(exec.sources, (Strings{"a b"}));
  EXPECT_EQ(exec.dest, "/app/");

  CopyCmd add = compile_as<CopyCmd>(
      "ADD --checksum=sha256:abc --keep-git-dir=true --unpack=false https://example.com/x.tar.gz /x/");
  EXPECT_TRUE(add.add);
  EXPECT_EQ(add.sources, (Strings{"https://example.com/x.tar.gz"}));
  EXPECT_EQ(add.checksum, "sha256:abc");
  EXPECT_TRUE(add.keep_git_dir);
  EXPECT_EQ(add.unpack, false);
  EXPECT_FALSE(compile_as<CopyCmd>("ADD a b").unpack.has_value());

  EXPECT_EQ(compile_error("COPY onlyone"),
            "Dockerfile:2: dockerfile parse error on line 2: COPY requires at least two "
            "arguments, but only one was provided. Destination could not be determined");
  EXPECT_EQ(compile_error("ADD --from=x a b"), "Dockerfile:2: dockerfile parse error on line 2: unknown flag: --from");
  EXPECT_EQ(compile_error("COPY --checksum=x a b"),
            "Dockerfile:2: dockerfile parse error on line 2: unknown flag: --checksum");
  EXPECT_EQ(compile_error("COPY --link= a b"),
            "Dockerfile:2: dockerfile parse error on line 2: missing a value on flag: --link");
  EXPECT_EQ(compile_error("COPY --link=yes a b"),
            "Dockerfile:2: dockerfile parse error on line 2: expecting boolean value for flag --link, not: yes");
  EXPECT_EQ(compile_error("COPY --chown a b"),
            "Dockerfile:2: dockerfile parse error on line 2: missing a value on flag: --chown");
  EXPECT_EQ(compile_error("COPY a ${DIR:?no}x ${NOPE:?must_be_set}"),
            "Dockerfile:2: failed to process \"${NOPE:?must_be_set}\": NOPE: must_be_set");
  // Sources are split at blanks before expansion, as BuildKit does.
  EXPECT_EQ(compile_error("COPY a ${DIR:?no dir} /d"),
            "Dockerfile:2: failed to process \"${DIR:?no\": syntax error: missing '}'");
}

TEST(Instructions, CopyHeredocs) {
  Dockerfile df = parse_dockerfile(
      "FROM x\nCOPY <<a.txt <<'b.txt' <<-c.txt /dst/\n$DIR \"q\" \\$DIR\na.txt\n$DIR\nb.txt\n\t$DIR\nc.txt\n",
      "Dockerfile");
  CopyCmd copy = std::get<CopyCmd>(compile_instruction(df, df.instructions[1], instructions_vars()));
  EXPECT_TRUE(copy.sources.empty());
  EXPECT_EQ(copy.dest, "/dst/");
  ASSERT_EQ(copy.heredocs.size(), 3u);
  EXPECT_EQ(copy.heredocs[0].name, "a.txt");
  EXPECT_EQ(copy.heredocs[0].content, "/app \"q\" $DIR\n");
  EXPECT_EQ(copy.heredocs[1].content, "$DIR\n");
  EXPECT_EQ(copy.heredocs[2].content, "/app\n");
  EXPECT_EQ(compile_error("COPY a <<EOF\nx\nEOF"),
            "Dockerfile:2: dockerfile parse error on line 2: COPY cannot accept a heredoc as a destination");
}

TEST(Instructions, EnvAndLabel) {
  EXPECT_EQ(compile_as<EnvCmd>("ENV a=1 b=\"x y\" c='$DIR' d=$DIR e=\\$DIR f=").vars,
            (KeyValues{{"a", "1"}, {"b", "x y"}, {"c", "$DIR"}, {"d", "/app"}, {"e", "$DIR"}, {"f", ""}}));
  EXPECT_EQ(compile_as<EnvCmd>("ENV PATH $DIR/bin:/usr/bin extra words").vars,
            (KeyValues{{"PATH", "/app/bin:/usr/bin extra words"}}));
  EXPECT_EQ(compile_as<EnvCmd>("ENV ${BASE}_HOME=$DIR").vars, (KeyValues{{"busybox_HOME", "/app"}}));
  EXPECT_EQ(compile_as<LabelCmd>("LABEL \"com.x.y\"=\"a b\" version=$TAG multi=\"one \\\n two\"").labels,
            (KeyValues{{"com.x.y", "a b"}, {"version", "1.36"}, {"multi", "one  two"}}));
  EXPECT_EQ(compile_error("ENV =x"), "Dockerfile:2: dockerfile parse error on line 2: ENV names can not be blank");
  EXPECT_EQ(compile_error("ENV single"), "Dockerfile:2: dockerfile parse error on line 2: ENV must have two arguments");
  EXPECT_EQ(compile_error("LABEL a=b c"),
            "Dockerfile:2: dockerfile parse error on line 2: Syntax error - can't find "
            "= in \"c\". Must be of the form: name=value");
  EXPECT_EQ(compile_error("ENV"), "Dockerfile:2: dockerfile parse error on line 2: ENV requires at least one argument");
  EXPECT_EQ(compile_error("LABEL --x=y a=b"), "Dockerfile:2: dockerfile parse error on line 2: unknown flag: --x");
}

TEST(Instructions, Arg) {
  ArgCmd arg = compile_as<ArgCmd>("ARG A B=1 C=\"x y\" D=$TAG E=");
  ASSERT_EQ(arg.args.size(), 5u);
  EXPECT_EQ(arg.args[0].first, "A");
  EXPECT_FALSE(arg.args[0].second.has_value());
  EXPECT_EQ(arg.args[1].second, "1");
  EXPECT_EQ(arg.args[2].second, "x y");
  EXPECT_EQ(arg.args[3].second, "1.36");
  EXPECT_EQ(arg.args[4].second, "");
  EXPECT_EQ(compile_error("ARG =1"), "Dockerfile:2: dockerfile parse error on line 2: ARG names can not be blank");
  EXPECT_EQ(compile_error("ARG"), "Dockerfile:2: dockerfile parse error on line 2: ARG requires at least one argument");
  EXPECT_EQ(predefined_args().size(), 10u);
  EXPECT_EQ(predefined_args()[0], "HTTP_PROXY");
}

TEST(Instructions, SingleArgumentInstructions) {
  EXPECT_EQ(compile_as<WorkdirCmd>("WORKDIR $DIR/sub dir").path, "/app/sub dir");
  EXPECT_EQ(compile_as<UserCmd>("USER ${U}:0").user, "1000:0");
  EXPECT_EQ(compile_as<StopsignalCmd>("STOPSIGNAL SIG${EMPTY}TERM").signal, "SIGTERM");
  EXPECT_EQ(compile_as<MaintainerCmd>("MAINTAINER Jo <$jo@x>").name, "Jo <$jo@x>");
  EXPECT_EQ(compile_error("WORKDIR"),
            "Dockerfile:2: dockerfile parse error on line 2: WORKDIR requires exactly one "
            "argument");
  EXPECT_EQ(compile_error("USER"),
            "Dockerfile:2: dockerfile parse error on line 2: USER requires exactly one argument");
  EXPECT_EQ(compile_error("WORKDIR \"unterminated"),
            "Dockerfile:2: failed to process \"\\\"unterminated\": unexpected end of statement while looking for "
            "matching double-quote");
}

TEST(Instructions, Expose) {
  EXPECT_EQ(compile_as<ExposeCmd>("EXPOSE 80 53/UDP 8000-8002/tcp 80/tcp").ports,
            (Strings{"80/tcp", "53/udp", "8000/tcp", "8001/tcp", "8002/tcp"}));
  EXPECT_EQ(compile_as<ExposeCmd>("EXPOSE $PORTS").ports, (Strings{"80/tcp", "443/udp"}));
  EXPECT_EQ(compile_error("EXPOSE"),
            "Dockerfile:2: dockerfile parse error on line 2: EXPOSE requires at least one "
            "argument");
  EXPECT_EQ(compile_error("EXPOSE http"), "Dockerfile:2: invalid containerPort: http");
  EXPECT_EQ(compile_error("EXPOSE 70000"), "Dockerfile:2: invalid containerPort: 70000");
  EXPECT_EQ(compile_error("EXPOSE 80/icmp"), "Dockerfile:2: invalid port: \"80/icmp\": invalid proto: icmp");
  EXPECT_EQ(compile_error("EXPOSE /udp"), "Dockerfile:2: invalid port: \"/udp\": no port specified");
  EXPECT_EQ(compile_error("EXPOSE 90-80"), "Dockerfile:2: invalid containerPort: 90-80");
  EXPECT_EQ(compile_error("EXPOSE 1.2.3:80:80"), "Dockerfile:2: invalid IP address: 1.2.3");
  EXPECT_EQ(compile_error("EXPOSE 8080-8081:80-82"),
            "Dockerfile:2: invalid ranges specified for container and host Ports: 80-82 and 8080-8081");
  // A host part is accepted (BuildKit lints it) and dropped.
  EXPECT_EQ(compile_as<ExposeCmd>("EXPOSE 127.0.0.1:8080:80 [::1]:9090:90/udp 8080:80").ports,
            (Strings{"80/tcp", "90/udp"}));
}

TEST(Instructions, Volume) {
  EXPECT_EQ(compile_as<VolumeCmd>("VOLUME /a $DIR").paths, (Strings{"/a", "/app"}));
  EXPECT_EQ(compile_as<VolumeCmd>("VOLUME [\"/a b\", \"$DIR\"]").paths, (Strings{"/a b", "/app"}));
  EXPECT_EQ(compile_error("VOLUME [\"\"]"),
            "Dockerfile:2: dockerfile parse error on line 2: VOLUME specified can not be an empty string");
  EXPECT_EQ(compile_error("VOLUME"),
            "Dockerfile:2: dockerfile parse error on line 2: VOLUME requires at least one "
            "argument");
}

TEST(Instructions, CmdAndEntrypoint) {
  CommandCmd cmd = compile_as<CommandCmd>("CMD echo $DIR");
  EXPECT_FALSE(cmd.entrypoint);
  EXPECT_TRUE(cmd.shell_form);
  EXPECT_EQ(cmd.args, (Strings{"echo $DIR"}));
  CommandCmd entry = compile_as<CommandCmd>("ENTRYPOINT [\"/bin/app\", \"-v\"]");
  EXPECT_TRUE(entry.entrypoint);
  EXPECT_FALSE(entry.shell_form);
  EXPECT_EQ(entry.args, (Strings{"/bin/app", "-v"}));
  EXPECT_TRUE(compile_as<CommandCmd>("CMD []").args.empty());
}

TEST(Instructions, Healthcheck) {
  HealthcheckCmd shell = compile_as<HealthcheckCmd>(
      "HEALTHCHECK --interval=1m30s --timeout=500ms --start-period=2s --start-interval=1.5s --retries=3 CMD curl -f "
      "http://localhost/ || exit 1");
  EXPECT_EQ(shell.test, (Strings{"CMD-SHELL", "curl -f http://localhost/ || exit 1"}));
  EXPECT_EQ(shell.interval, std::chrono::seconds(90));
  EXPECT_EQ(shell.timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(shell.start_period, std::chrono::seconds(2));
  EXPECT_EQ(shell.start_interval, std::chrono::milliseconds(1500));
  EXPECT_EQ(shell.retries, 3);
  EXPECT_FALSE(shell.none);
  EXPECT_EQ(compile_as<HealthcheckCmd>("HEALTHCHECK cmd [\"/ok\", \"x\"]").test, (Strings{"CMD", "/ok", "x"}));
  EXPECT_TRUE(compile_as<HealthcheckCmd>("HEALTHCHECK none").none);
  EXPECT_EQ(compile_as<HealthcheckCmd>("HEALTHCHECK --interval=0 CMD x").interval, std::chrono::nanoseconds(0));

  struct Case {
    const char* line;
    const char* error;
  };
  const std::vector<Case> cases{
      {"HEALTHCHECK", "HEALTHCHECK requires at least one argument"},
      {"HEALTHCHECK NONE x", "HEALTHCHECK NONE takes no arguments"},
      {"HEALTHCHECK CMD", "Missing command after HEALTHCHECK CMD"},
      {"HEALTHCHECK RUN x", "Unknown type \"RUN\" in HEALTHCHECK (try CMD)"},
      {"HEALTHCHECK --interval=5 CMD x", "time: invalid duration \"5\""},
      {"HEALTHCHECK --interval=1d CMD x", "time: invalid duration \"1d\""},
      {"HEALTHCHECK --timeout=10us CMD x", "Interval \"timeout\" cannot be less than 1ms"},
      {"HEALTHCHECK --retries=-1 CMD x", "--retries cannot be negative (-1)"},
      {"HEALTHCHECK --retries=two CMD x", "strconv.ParseInt: parsing \"two\": invalid syntax"},
      {"HEALTHCHECK --retries=99999999999 CMD x", "strconv.ParseInt: parsing \"99999999999\": value out of range"},
      {"HEALTHCHECK --every=1s CMD x", "unknown flag: --every"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(compile_error(c.line), std::string("Dockerfile:2: dockerfile parse error on line 2: ") + c.error)
        << c.line;
  }
}

TEST(Instructions, Shell) {
  EXPECT_EQ(compile_as<ShellCmd>("SHELL [\"/bin/bash\", \"-ec\"]").shell, (Strings{"/bin/bash", "-ec"}));
  EXPECT_EQ(compile_error("SHELL /bin/bash -c"),
            "Dockerfile:2: dockerfile parse error on line 2: SHELL requires the arguments to be in JSON form");
  EXPECT_EQ(compile_error("SHELL []"),
            "Dockerfile:2: dockerfile parse error on line 2: SHELL requires at least one "
            "argument");
}

TEST(Instructions, Onbuild) {
  EXPECT_EQ(compile_as<OnbuildCmd>("ONBUILD RUN make $DIR").instruction, "RUN make $DIR");
  EXPECT_EQ(compile_as<OnbuildCmd>("onbuild  copy . /src").instruction, "copy . /src");
  EXPECT_EQ(compile_error("ONBUILD ONBUILD RUN x"),
            "Dockerfile:2: dockerfile parse error on line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  EXPECT_EQ(compile_error("ONBUILD from x"),
            "Dockerfile:2: dockerfile parse error on line 2: FROM isn't allowed as an ONBUILD trigger");
  EXPECT_EQ(compile_error("ONBUILD MAINTAINER x"),
            "Dockerfile:2: dockerfile parse error on line 2: MAINTAINER isn't allowed as an ONBUILD trigger");
  EXPECT_EQ(compile_error("ONBUILD"),
            "Dockerfile:2: dockerfile parse error on line 2: ONBUILD requires at least one "
            "argument");
  Dockerfile df = parse_dockerfile("FROM x\nONBUILD RUN <<EOF\nmake\nEOF\n", "Dockerfile");
  EXPECT_EQ(std::get<OnbuildCmd>(compile_instruction(df, df.instructions[1], instructions_vars())).instruction,
            "RUN <<EOF\nmake\nEOF");
}

TEST(Instructions, BacktickEscapeDirective) {
  EXPECT_EQ(compile_as<WorkdirCmd>("WORKDIR C:\\app`$x", "# escape=`\n").path, "C:\\app$x");
  EXPECT_EQ(compile_as<EnvCmd>("ENV P=C:\\a\\b Q=`$DIR", "# escape=`\n").vars,
            (KeyValues{{"P", "C:\\a\\b"}, {"Q", "$DIR"}}));
}
