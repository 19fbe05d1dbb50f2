// interpolate() against compose-go v2's template tests and the examples of the compose spec
// (12-interpolation.md); interpolate_tree() against compose-go's interpolation/type-cast behaviour.
#include "compose/loader/interpolate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <map>
#include <vector>

using namespace berth::loader;

namespace {

// compose-go's template_test.go mapping: FOO set, BAR set but empty, JSON holding braces.
Lookup env(std::map<std::string, std::string> vars = {{"FOO", "first"}, {"BAR", ""}, {"JSON", R"({"json":2})"}}) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string sub(std::string_view text) { return interpolate(text, env()); }

std::string interpolation_error(std::string_view text, const Lookup& lookup = env()) {
  try {
    std::string out = interpolate(text, lookup);
    return "no error, got \"" + out + "\"";
  } catch (const InterpolationError& e) {
    return e.what();
  }
}

}  // namespace

// ---- compose-spec 12-interpolation.md, example by example ----

TEST(InterpolateSpec, BothSyntaxesSubstitute) {
  auto lookup = env({{"VARIABLE", "v"}});
  EXPECT_EQ(interpolate("$VARIABLE", lookup), "v");
  EXPECT_EQ(interpolate("${VARIABLE}", lookup), "v");
}

TEST(InterpolateSpec, ColonDashDefaultsWhenUnsetOrEmpty) {
  EXPECT_EQ(interpolate("${VARIABLE:-default}", env({})), "default");
  EXPECT_EQ(interpolate("${VARIABLE:-default}", env({{"VARIABLE", ""}})), "default");
  EXPECT_EQ(interpolate("${VARIABLE:-default}", env({{"VARIABLE", "set"}})), "set");
}

TEST(InterpolateSpec, DashDefaultsOnlyWhenUnset) {
  EXPECT_EQ(interpolate("${VARIABLE-default}", env({})), "default");
  EXPECT_EQ(interpolate("${VARIABLE-default}", env({{"VARIABLE", ""}})), "");
  EXPECT_EQ(interpolate("${VARIABLE-default}", env({{"VARIABLE", "set"}})), "set");
}

TEST(InterpolateSpec, ColonQuestionFailsWhenUnsetOrEmpty) {
  EXPECT_EQ(interpolation_error("${VARIABLE:?err}", env({})), "required variable VARIABLE is missing a value: err");
  EXPECT_EQ(interpolation_error("${VARIABLE:?err}", env({{"VARIABLE", ""}})),
            "required variable VARIABLE is missing a value: err");
  EXPECT_EQ(interpolate("${VARIABLE:?err}", env({{"VARIABLE", "set"}})), "set");
}

TEST(InterpolateSpec, QuestionFailsOnlyWhenUnset) {
  EXPECT_EQ(interpolation_error("${VARIABLE?err}", env({})), "required variable VARIABLE is missing a value: err");
  EXPECT_EQ(interpolate("${VARIABLE?err}", env({{"VARIABLE", ""}})), "");
}

TEST(InterpolateSpec, NestedExamples) {
  auto unset = env({{"FOO", "foo"}});
  EXPECT_EQ(interpolate("${VARIABLE:-${FOO}}", unset), "foo");
  EXPECT_EQ(interpolation_error("${VARIABLE?$FOO}", unset), "required variable VARIABLE is missing a value: foo");
  EXPECT_EQ(interpolate("${VARIABLE:-${FOO:-default}}", env({})), "default");
  EXPECT_EQ(interpolate("${VARIABLE:-${FOO:-default}}", unset), "foo");
  EXPECT_EQ(interpolate("${VARIABLE:-${FOO:-default}}", env({{"VARIABLE", "v"}})), "v");
}

TEST(InterpolateSpec, OtherShellFeaturesAreInvalid) {
  EXPECT_EQ(interpolation_error("${VARIABLE/foo/bar}"),
            R"(invalid interpolation format for "${VARIABLE/foo/bar}"; you may need to escape any $ with another $)");
}

TEST(InterpolateSpec, NonVariableDollarsArePreserved) {
  for (std::string_view text : {"a $ string", "^REGEX$", "$}", "$", "$1", "cost: $5", "$-x", "$ {FOO}"}) {
    EXPECT_EQ(sub(text), text);
  }
}

TEST(InterpolateSpec, DoubleDollarIsALiteralDollar) {
  EXPECT_EQ(sub("$$VAR_NOT_INTERPOLATED_BY_COMPOSE"), "$VAR_NOT_INTERPOLATED_BY_COMPOSE");
  EXPECT_EQ(sub("$${foo}"), "${foo}");
  EXPECT_EQ(sub("$$$FOO"), "$first");
  EXPECT_EQ(sub("$$$"), "$$");
}

TEST(InterpolateSpec, UnresolvedIsEmpty) {
  EXPECT_EQ(sub("This ${missing} var"), "This  var");
  EXPECT_EQ(sub("This $missing var"), "This  var");
}

// ---- compose-go template_test.go ----

TEST(InterpolateTemplate, Basics) {
  EXPECT_EQ(sub("foo"), "foo");
  EXPECT_EQ(sub("$FOO-bar"), "first-bar");  // docker/compose#8601
  EXPECT_EQ(sub("This ${BAR} var"), "This  var");
  EXPECT_EQ(sub("This $FOO var"), "This first var");
  EXPECT_EQ(sub("This ${FOO} var"), "This first var");
  EXPECT_EQ(sub("$FOO$FOO${FOO}x"), "firstfirstfirstx");
  EXPECT_EQ(sub("$foo_1.x"), ".x");  // names are [_a-z][_a-z0-9]*, case-insensitive
}

TEST(InterpolateTemplate, InvalidTemplates) {
  for (std::string_view text : {"${", "${}", "${ }", "${ foo}", "${foo }", "${foo!}", "${1}", "${FOO", "x ${FOO:x}"}) {
    EXPECT_EQ(interpolation_error(text), "invalid interpolation format for \"" + std::string(text) +
                                             "\"; you may need to escape any $ with another $")
        << text;
  }
}

TEST(InterpolateTemplate, Defaults) {
  EXPECT_EQ(sub("ok ${missing:-def}"), "ok def");
  EXPECT_EQ(sub("ok ${missing-def}"), "ok def");
  EXPECT_EQ(sub("ok ${BAR:-def}"), "ok def");
  EXPECT_EQ(sub("ok ${FOO:-def}"), "ok first");
  EXPECT_EQ(sub("ok ${BAR-def}"), "ok ");
  EXPECT_EQ(sub("ok ${BAR:-/non:-alphanumeric}"), "ok /non:-alphanumeric");
}

TEST(InterpolateTemplate, Alternatives) {
  EXPECT_EQ(sub("ok ${UNSET_VAR:+presence_value}"), "ok ");
  EXPECT_EQ(sub("ok ${UNSET_VAR+presence_value}"), "ok ");
  EXPECT_EQ(sub("ok ${FOO:+presence_value}"), "ok presence_value");
  EXPECT_EQ(sub("ok ${FOO+presence_value}"), "ok presence_value");
  EXPECT_EQ(sub("ok ${BAR+presence_value}"), "ok presence_value");
  EXPECT_EQ(sub("ok ${BAR:+presence_value}"), "ok ");
}

TEST(InterpolateTemplate, OuterTextDoesNotChooseTheOperator) {
  EXPECT_EQ(sub("-ok ${BAR:-defaultValue}"), "-ok defaultValue");
  EXPECT_EQ(sub("+ok ${UNSET:-${BAR-defaultValue}}"), "+ok ");
  EXPECT_EQ(sub("-ok ${FOO:-defaultValue}"), "-ok first");
  EXPECT_EQ(sub(":-ok ${UNSET-defaultValue}"), ":-ok defaultValue");
  EXPECT_EQ(sub(":-ok ${BAR-defaultValue}"), ":-ok ");
  EXPECT_EQ(sub(":?ok ${BAR-defaultValue}"), ":?ok ");
  EXPECT_EQ(sub(":?ok ${BAR:-defaultValue}"), ":?ok defaultValue");
  EXPECT_EQ(sub(":+ok ${BAR:-defaultValue}"), ":+ok defaultValue");
  EXPECT_EQ(sub("+ok ${BAR-defaultValue}"), "+ok ");
  EXPECT_EQ(sub("?ok ${BAR:-defaultValue}"), "?ok defaultValue");
}

TEST(InterpolateTemplate, NestedExpansion) {
  EXPECT_EQ(sub("ok ${UNSET_VAR-$FOO}"), "ok first");
  EXPECT_EQ(sub("ok ${UNSET_VAR-${FOO}}"), "ok first");
  EXPECT_EQ(sub("ok ${UNSET_VAR-${FOO} ${FOO}}"), "ok first first");
  EXPECT_EQ(sub("ok ${BAR:-$FOO}"), "ok first");
  EXPECT_EQ(sub("ok ${BAR:-${FOO}}"), "ok first");
  EXPECT_EQ(sub("ok ${BAR:-${FOO} ${FOO}}"), "ok first first");
  EXPECT_EQ(sub("ok ${BAR+$FOO}"), "ok first");
  EXPECT_EQ(sub("ok ${BAR+$FOO ${FOO:+second}}"), "ok first second");
  EXPECT_EQ(sub("ok ${SUBDOMAIN:-redis}.${FOO:?}"), "ok redis.first");
}

TEST(InterpolateTemplate, MandatoryVariables) {
  EXPECT_EQ(interpolation_error("not ok ${UNSET_VAR:?Mandatory Variable Unset}"),
            "required variable UNSET_VAR is missing a value: Mandatory Variable Unset");
  EXPECT_EQ(interpolation_error("not ok ${BAR:?Mandatory Variable Empty}"),
            "required variable BAR is missing a value: Mandatory Variable Empty");
  EXPECT_EQ(interpolation_error("not ok ${UNSET_VAR:?}"), "required variable UNSET_VAR is missing a value");
  EXPECT_EQ(interpolation_error("not ok ${UNSET_VAR?}"), "required variable UNSET_VAR is missing a value");
  EXPECT_EQ(interpolation_error("not ok ${UNSET_VAR:?Mandatory Variable ${FOO}}"),
            "required variable UNSET_VAR is missing a value: Mandatory Variable first");
  EXPECT_EQ(interpolation_error("not ok ${UNSET_VAR?Mandatory Variable ${FOO}}"),
            "required variable UNSET_VAR is missing a value: Mandatory Variable first");
  EXPECT_EQ(sub("ok ${FOO:?err}"), "ok first");
  EXPECT_EQ(sub("ok ${FOO?err}"), "ok first");
  EXPECT_EQ(sub("ok ${BAR?err}"), "ok ");
}

TEST(InterpolateTemplate, FirstOperatorWins) {
  EXPECT_EQ(interpolation_error("${UNSET_VAR?bar-baz}"), "required variable UNSET_VAR is missing a value: bar-baz");
  EXPECT_EQ(sub("${UNSET_VAR-myerror?msg}"), "myerror?msg");
  EXPECT_EQ(sub("${FOO?bar-baz}"), "first");
  EXPECT_EQ(sub("${BAR:-default_value_for_empty_var}"), "default_value_for_empty_var");
  EXPECT_EQ(sub("${UNSET_VAR-default_value_for_unset_var}"), "default_value_for_unset_var");
  EXPECT_EQ(sub("${UNSET:+va:?lu:-e}"), "");
  EXPECT_EQ(sub("${FOO:+va:?lu:-e}"), "va:?lu:-e");
  EXPECT_EQ(sub("${UNSET-va:-lu:?e}"), "va:-lu:?e");
}

TEST(InterpolateTemplate, BracesInDefaults) {
  EXPECT_EQ(sub(R"(ok ${missing:-{"json":1}})"), R"(ok {"json":1})");
  EXPECT_EQ(sub(R"(ok ${missing-{"json":1}})"), R"(ok {"json":1})");
  EXPECT_EQ(sub(R"(ok ${JSON:-{"json":1}})"), R"(ok {"json":2})");
  EXPECT_EQ(sub(R"(ok ${JSON-{"json":1}})"), R"(ok {"json":2})");
}

// ---- quirks of the regular expression and of the brace counting, kept on purpose ----

TEST(InterpolateQuirks, TextAfterTheFirstBalancedBraceIsInterpolatedOnItsOwn) {
  EXPECT_EQ(sub("${UNSET:-a}b}"), "ab}");
  EXPECT_EQ(sub("${FOO:-a}-${FOO}}"), "first-first}");
  EXPECT_EQ(interpolation_error("${UNSET:-x}${}"),
            R"(invalid interpolation format for "${}"; you may need to escape any $ with another $)");
}

TEST(InterpolateQuirks, BraceCountingSkipsTheCharacterAfterEachOpeningBrace) {
  // `{}` inside a default: the `}` right after `{` is skipped, so no balanced `}` is found and the
  // whole `{}x` is the default (counting only `${`, as older compose-go did, would give "{x}").
  EXPECT_EQ(sub("${U:-{}x}"), "{}x");
  EXPECT_EQ(sub("${U:-{}}x}"), "{}}x");  // without the skip: "{}x}"
  EXPECT_EQ(sub("${U:-{x}}"), "{x}");
}

TEST(InterpolateQuirks, OperatorBodyStopsAtTheEndOfTheLine) {
  EXPECT_EQ(sub("${UNSET:-a}\n}"), "a\n}");
  EXPECT_EQ(interpolation_error("${UNSET:-a\n}"),
            "invalid interpolation format for \"${UNSET:-a\\n}\"; you may need to escape any $ with another $");
}

TEST(InterpolateQuirks, DefaultsAreInterpolatedEvenWhenNotUsed) {
  EXPECT_EQ(interpolation_error("${FOO:-${UNSET:?needed}}"), "required variable UNSET is missing a value: needed");
  EXPECT_EQ(interpolation_error("${UNSET:+${UNSET2:?x}}"), "required variable UNSET2 is missing a value: x");
}

TEST(InterpolateQuirks, InvalidInsideADefaultNamesTheDefault) {
  EXPECT_EQ(interpolation_error("a ${UNSET:-${}}"),
            R"(invalid interpolation format for "${}"; you may need to escape any $ with another $)");
}

TEST(InterpolateQuirks, LookupSeesTheExactName) {
  std::vector<std::string> asked;
  Lookup spy = [&asked](std::string_view name) -> std::optional<std::string> {
    asked.emplace_back(name);
    return std::nullopt;
  };
  EXPECT_EQ(interpolate("$a_B9 ${Cd:-x} $$e", spy), " x $e");
  EXPECT_EQ(asked, (std::vector<std::string>{"a_B9", "Cd"}));
}

// ---- interpolate_tree ----

TEST(InterpolateTree, InterpolatesValuesButNotKeys) {
  auto j = nlohmann::json::parse(R"({
    "services": {"foo": {
      "image": "${IMAGE:-busybox}",
      "labels": {"$VAR_NOT_INTERPOLATED_BY_COMPOSE": "BAR"},
      "environment": ["$VAR_INTERPOLATED_BY_COMPOSE=BAR"],
      "command": ["echo", "$$HOME"],
      "stop_grace_period": 10, "init": null}}})");
  Diagnostics diags;
  interpolate_tree(j, env({{"VAR_INTERPOLATED_BY_COMPOSE", "X"}}), diags);
  ASSERT_TRUE(diags.empty());
  const auto& foo = j["services"]["foo"];
  EXPECT_EQ(foo["image"], "busybox");
  EXPECT_EQ(foo["labels"], (nlohmann::json{{"$VAR_NOT_INTERPOLATED_BY_COMPOSE", "BAR"}}));
  EXPECT_EQ(foo["environment"][0], "X=BAR");
  EXPECT_EQ(foo["command"][1], "$HOME");
  EXPECT_EQ(foo["stop_grace_period"], 10);
  EXPECT_TRUE(foo["init"].is_null());
}

TEST(InterpolateTree, CastsTheFieldsComposeGoCasts) {
  auto j = nlohmann::json::parse(R"({
    "services": {"web": {
      "ports": [{"target": "${P}", "published": "${P}"}],
      "deploy": {"replicas": "${N}", "update_config": {"max_failure_ratio": "0.5"}},
      "healthcheck": {"retries": "${N}", "disable": "${NO}"},
      "privileged": "${YES}", "read_only": "TRUE", "tty": "off", "stdin_open": "y", "init": "false",
      "cpus": "${CPUS}", "cpu_shares": "-12", "oom_score_adj": "+5", "pids_limit": "100",
      "ulimits": {"nproc": "65535", "nofile": {"soft": "${N}", "hard": "40000"}},
      "volumes": [{"read_only": "yes", "volume": {"nocopy": "true"}}],
      "secrets": [{"mode": "0440"}],
      "mem_swappiness": "60", "image": "${N}"}},
    "networks": {"n": {"external": "true", "internal": "no", "enable_ipv6": "on"}},
    "volumes": {"v": {"external": "false"}},
    "x-custom": {"replicas": "3"}})");
  Diagnostics diags;
  interpolate_tree(j, env({{"P", "8080"}, {"N", "3"}, {"NO", "no"}, {"YES", "Yes"}, {"CPUS", "1.5"}}), diags);
  ASSERT_TRUE(diags.empty()) << format(diags.items()[0]);
  const auto& web = j["services"]["web"];
  EXPECT_EQ(web["ports"][0]["target"], 8080);
  EXPECT_EQ(web["ports"][0]["published"], "8080");  // v2 keeps it a string (ranges)
  EXPECT_EQ(web["deploy"]["replicas"], 3);
  EXPECT_EQ(web["deploy"]["update_config"]["max_failure_ratio"], 0.5);
  EXPECT_EQ(web["healthcheck"]["retries"], 3);
  EXPECT_EQ(web["healthcheck"]["disable"], false);
  EXPECT_EQ(web["privileged"], true);
  EXPECT_EQ(web["read_only"], true);
  EXPECT_EQ(web["tty"], false);
  EXPECT_EQ(web["stdin_open"], true);
  EXPECT_EQ(web["init"], false);
  EXPECT_EQ(web["cpus"], 1.5);
  EXPECT_EQ(web["cpu_shares"], -12);
  EXPECT_EQ(web["oom_score_adj"], 5);
  EXPECT_EQ(web["pids_limit"], 100);
  EXPECT_EQ(web["ulimits"]["nproc"], 65535);
  EXPECT_EQ(web["ulimits"]["nofile"]["soft"], 3);
  EXPECT_EQ(web["ulimits"]["nofile"]["hard"], 40000);
  EXPECT_EQ(web["volumes"][0]["read_only"], true);
  EXPECT_EQ(web["volumes"][0]["volume"]["nocopy"], true);
  EXPECT_EQ(web["secrets"][0]["mode"], 440);  // strconv.Atoi: decimal, as compose-go
  EXPECT_EQ(web["mem_swappiness"], "60");     // not in v2's cast table
  EXPECT_EQ(web["image"], "3");
  EXPECT_EQ(j["networks"]["n"]["external"], true);
  EXPECT_EQ(j["networks"]["n"]["internal"], false);
  EXPECT_EQ(j["networks"]["n"]["enable_ipv6"], true);
  EXPECT_EQ(j["volumes"]["v"]["external"], false);
  EXPECT_EQ(j["x-custom"]["replicas"], "3");
}

TEST(InterpolateTree, RecordsEveryFailureWithItsPositionAndCarriesOn) {
  auto doc = nlohmann::json::parse(R"({"services": {"web": {
      "image": "${IMAGE:?set IMAGE}", "privileged": "maybe", "deploy": {"replicas": "${N:-x}"},
      "cpus": "1e999", "command": "ok $FOO", "entrypoint": ["${"]}}})");
  // Each value at its own place, so that a wrong pointer shows as a wrong line.
  SourceMap positions;
  int line = 1;
  for (const char* ptr : {"/services/web/image", "/services/web/privileged", "/services/web/deploy/replicas",
                          "/services/web/cpus", "/services/web/entrypoint/0"}) {
    positions.set(Pointer(ptr), Location{"compose.yaml", ++line, 7});
  }
  Diagnostics diags(&positions);
  interpolate_tree(doc, env(), diags);
  ASSERT_EQ(diags.items().size(), 5u);
  std::vector<std::string> got;
  for (const auto& d : diags.items()) got.push_back(format(d));
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got[0], "compose.yaml:2:7: services.web.image: required variable IMAGE is missing a value: set IMAGE");
  EXPECT_EQ(got[1],
            "compose.yaml:3:7: services.web.privileged: failed to cast to expected type: invalid boolean: maybe");
  EXPECT_EQ(got[2],
            "compose.yaml:4:7: services.web.deploy.replicas: failed to cast to expected type: "
            "strconv.Atoi: parsing \"x\": invalid syntax");
  EXPECT_EQ(got[3],
            "compose.yaml:5:7: services.web.cpus: failed to cast to expected type: "
            "strconv.ParseFloat: parsing \"1e999\": value out of range");
  EXPECT_EQ(got[4],
            "compose.yaml:6:7: services.web.entrypoint[0]: invalid interpolation format for \"${\"; "
            "you may need to escape any $ with another $");
  EXPECT_EQ(doc["services"]["web"]["command"], "ok first");
  EXPECT_EQ(doc["services"]["web"]["privileged"], "maybe");  // a failed value is left as it was
}

TEST(InterpolateTree, CastSyntaxFollowsGoStrconv) {
  auto run = [](const char* field, const char* text) {
    nlohmann::json j = {{"services", {{"s", {{field, text}}}}}};
    Diagnostics diags;
    interpolate_tree(j, env(), diags);
    return diags.empty() ? j["services"]["s"][field] : nlohmann::json(diags.items()[0].message);
  };
  EXPECT_EQ(run("scale", "007"), 7);
  EXPECT_EQ(run("scale", " 7"), "failed to cast to expected type: strconv.Atoi: parsing \" 7\": invalid syntax");
  EXPECT_EQ(run("scale", "1_000"), "failed to cast to expected type: strconv.Atoi: parsing \"1_000\": invalid syntax");
  EXPECT_EQ(run("scale", "99999999999999999999"),
            "failed to cast to expected type: strconv.Atoi: parsing \"99999999999999999999\": value out of range");
  EXPECT_EQ(run("cpu_count", "-9223372036854775808"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(run("cpu_percent", "1_000.5"), 1000.5);
  EXPECT_EQ(run("cpu_percent", ".5e1"), 5.0);
  EXPECT_EQ(run("cpu_percent", "-Inf").get<double>(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(run("cpu_percent", "1e-999"), 0.0);
  EXPECT_EQ(run("cpu_percent", "1._5"),
            "failed to cast to expected type: strconv.ParseFloat: parsing \"1._5\": invalid syntax");
  EXPECT_EQ(run("cpus", "1e39"),
            "failed to cast to expected type: strconv.ParseFloat: parsing \"1e39\": value out of range");
  EXPECT_EQ(run("tty", ""), "failed to cast to expected type: invalid boolean: ");
}

TEST(InterpolateTree, StartsFromAGivenPointer) {
  nlohmann::json web = {{"privileged", "${YES}"}, {"ports", {{{"target", "80"}}}}};
  Diagnostics diags;
  interpolate_tree(web, env({{"YES", "true"}}), diags, Pointer("/services/web"));
  EXPECT_TRUE(diags.empty());
  EXPECT_EQ(web["privileged"], true);
  EXPECT_EQ(web["ports"][0]["target"], 80);
  nlohmann::json bad = "${";
  interpolate_tree(bad, env(), diags, Pointer("/services/web/image"));
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].path, "services.web.image");
}

TEST(InterpolateQuirks, NestingIsBounded) {
  std::string deep;
  for (int i = 0; i < 499; ++i) deep += "${U:-";
  deep += "x" + std::string(499, '}');
  EXPECT_EQ(sub(deep), "x");
  std::string deeper = "${U:-" + deep + "}";
  EXPECT_EQ(interpolation_error(deeper), "interpolation nested more than 500 levels deep");
}

TEST(InterpolateQuirks, ManyReferencesOnOneLine) {
  EXPECT_EQ(sub("${U:-x} ${U:-y} ${FOO:+z}!"), "x y z!");
  EXPECT_EQ(interpolation_error("${U:-a}}${}"),
            R"(invalid interpolation format for "}${}"; you may need to escape any $ with another $)");
  // Each reference's tail runs to the line's last `}`; thousands of them stay linear and shallow.
  std::string line, want;
  for (int i = 0; i < 20000; ++i) line += "${U:-x} ", want += "x ";
  EXPECT_EQ(sub(line), want);
}

TEST(InterpolateQuirks, EmptyLookupMeansNothingIsSet) {
  EXPECT_EQ(interpolate("${A:-d}$B.", Lookup{}), "d.");
  EXPECT_THROW(interpolate("${A?}", Lookup{}), InterpolationError);
}
