// Go's text/template: each construct, the builtins, and Go's error messages (the expected texts
// are what Go 1.22's text/template prints for the same template and data).
#include "compose/gocompat/text_template.hpp"

#include <gtest/gtest.h>

namespace berth::gocompat::tmpl {
namespace {

using Json = nlohmann::json;

std::string run(const std::string& text, const Json& data = Json::object(), FuncMap funcs = {}) {
  Template t("t", std::move(funcs));
  t.parse(text);
  return t.execute(Value{data, true});
}

std::string error_of(const std::string& text, const Json& data = Json::object(), FuncMap funcs = {}) {
  try {
    run(text, data, std::move(funcs));
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

const Json kData = Json::parse(R"({
  "name": "app", "n": 3, "f": 1.5, "yes": true, "no": false, "empty": "", "null": null,
  "list": ["a", "b", "c"], "nums": [1, 2, 3],
  "services": {"web": {"image": "nginx", "ports": [80, 443]}, "db": {"image": "postgres"}}
})");

TEST(TextTemplate, TextActionsAndFields) {
  EXPECT_EQ(run("hello {{.name}}!", kData), "hello app!");
  EXPECT_EQ(run("{{.services.web.image}} {{ .n }} {{.f}} {{.yes}}", kData), "nginx 3 1.5 true");
  EXPECT_EQ(run("{{.missing}} {{.missing.deeper}} {{.null}}", kData), "<no value> <no value> <no value>");
  EXPECT_EQ(run("{{.list}} {{.nums}} {{.services.db}}", kData), "[a b c] [1 2 3] map[image:postgres]");
  EXPECT_EQ(run("{{\"str\"}} {{`raw\\n`}} {{42}} {{1.25}} {{true}} {{'a'}} {{0x1F}}", kData),
            "str raw\\n 42 1.25 true 97 31");
  EXPECT_EQ(run("{{/* a comment */}}x{{- /* trimmed */ -}}  y", kData), "xy");
}

TEST(TextTemplate, TrimMarkers) {
  EXPECT_EQ(run("a  \n {{- .name -}} \n  b", kData), "aappb");
  EXPECT_EQ(run("{{3}} -{{-4}}", kData), "3 --4");  // "-4" is a number, not a trim marker
}

TEST(TextTemplate, PipelinesAndVariables) {
  EXPECT_EQ(run("{{.name | printf \"%s-%d\" | printf \"<%s>\" }}", kData), "<app-%!d(MISSING)>");
  EXPECT_EQ(run("{{ $x := .name }}{{ $x }}{{ $x = \"other\" }} {{ $x }}", kData), "app other");
  EXPECT_EQ(run("{{ $.name }}{{ with .services }}{{ $.n }}{{ end }}", kData), "app3");
  EXPECT_EQ(run("{{ (index .services \"web\").image }} {{ len .list }}", kData), "nginx 3");
  EXPECT_EQ(run("{{ $p := false }}{{ range .nums }}{{ if eq . 2 }}{{ $p = true }}{{ end }}{{ end }}{{ $p }}", kData),
            "true");
}

TEST(TextTemplate, IfElseWith) {
  EXPECT_EQ(run("{{if .yes}}Y{{else}}N{{end}}{{if .empty}}Y{{else if .n}}N{{end}}", kData), "YN");
  EXPECT_EQ(run("{{if .missing}}a{{else if .null}}b{{else}}c{{end}}", kData), "c");
  EXPECT_EQ(run("{{with .services.web}}{{.image}}{{else}}none{{end}}{{with .nope}}x{{else}}none{{end}}", kData),
            "nginxnone");
  EXPECT_EQ(run("{{with .nope}}x{{else with .name}}{{.}}{{end}}", kData), "app");
}

TEST(TextTemplate, Range) {
  EXPECT_EQ(run("{{range .list}}<{{.}}>{{end}}", kData), "<a><b><c>");
  EXPECT_EQ(run("{{range $i, $e := .list}}{{$i}}={{$e}} {{end}}", kData), "0=a 1=b 2=c ");
  EXPECT_EQ(run("{{range $k, $v := .services}}{{$k}}:{{$v.image}} {{end}}", kData), "db:postgres web:nginx ");
  EXPECT_EQ(run("{{range .nope}}x{{else}}empty{{end}}{{range .null}}x{{else}}nil{{end}}", kData), "emptynil");
  EXPECT_EQ(run("{{range .nums}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}", kData),
            "1");
  EXPECT_EQ(run("{{range 3}}{{.}}{{end}}", kData), "012");
}

TEST(TextTemplate, DefineTemplateBlock) {
  EXPECT_EQ(run("{{define \"T\"}}[{{.}}]{{end}}{{template \"T\" .name}}{{template \"T\"}}", kData),
            "[app][<no value>]");
  EXPECT_EQ(run("{{block \"B\" .n}}({{.}}){{end}}", kData), "(3)");
  Template t("t");
  t.parse("{{block \"B\" .}}default{{end}}");
  t.parse("{{define \"B\"}}override{{end}}");
  EXPECT_EQ(t.execute(Value{kData, true}), "override");
}

TEST(TextTemplate, Builtins) {
  EXPECT_EQ(run("{{and 1 0 2}} {{and 1 2}} {{or 0 \"\" \"x\"}} {{or 0 \"\"}} {{not .empty}}", kData), "0 2 x  true");
  EXPECT_EQ(run("{{and .missing (index .nothing 1)}}", kData), "<no value>");  // short-circuit
  EXPECT_EQ(
      run("{{eq .n 3}} {{eq .name \"x\" \"app\"}} {{ne .n 4}} {{lt 1 2}} {{le 2 2}} {{gt .f 1.0}} {{ge \"b\" \"a\"}}",
          kData),
      "true true true true true true true");
  EXPECT_EQ(run("{{eq .missing \"x\"}} {{eq .null .missing}}", kData), "false true");
  EXPECT_EQ(run("{{index .list 1}} {{index .services \"web\" \"image\"}} {{index .services \"zz\"}}", kData),
            "b nginx <no value>");
  EXPECT_EQ(run("{{slice .name 1 2}} {{slice .list 1}} {{len .services}}", kData), "p [b c] 2");
  EXPECT_EQ(
      run("{{print 1 2 \"a\" 3}}|{{println .n}}|{{printf \"%q %5.2f %-4d| %v %x\" .name .f .n .list 255}}", kData),
      "1 2a3|3\n|\"app\"  1.50 3   | [a b c] ff");
}

TEST(TextTemplate, EscapingBuiltins) {
  EXPECT_EQ(run("{{html \"<a href='x'>&\\\"</a>\"}}"), "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;");
  EXPECT_EQ(run("{{js \"it's <b>=\\\\\"}}"), "it\\'s \\u003Cb\\u003E\\u003D\\\\");
  EXPECT_EQ(run("{{urlquery \"a b&c/d\" 1}}"), "a+b%26c%2Fd1");
  EXPECT_EQ(run("{{.name | html}}", kData), "app");
}

TEST(TextTemplate, UserFunctionsAndTypeChecks) {
  FuncMap f;
  f["twice"] = {{Arg::String}, false, [](std::vector<Value>& a) {
                  return Value{a[0].data.get<std::string>() + a[0].data.get<std::string>(), true};
                }};
  f["fail"] = {{}, false, [](std::vector<Value>&) -> Value { throw CallError("it broke"); }};
  EXPECT_EQ(run("{{twice .name}} {{.name | twice}}", kData, f), "appapp appapp");
  EXPECT_EQ(error_of("{{twice .n}}", kData, f),
            "template: t:1:8: executing \"t\" at <.n>: wrong type for value; expected string; got int");
  EXPECT_EQ(error_of("{{twice .missing}}", kData, f),
            "template: t:1:8: executing \"t\" at <.missing>: invalid value; expected string");
  EXPECT_EQ(error_of("{{twice 3}}", kData, f), "template: t:1:8: executing \"t\" at <3>: expected string; found 3");
  EXPECT_EQ(error_of("{{twice}}", kData, f),
            "template: t:1:2: executing \"t\" at <twice>: wrong number of args for twice: want 1 got 0");
  EXPECT_EQ(error_of("x\n{{fail}}", kData, f),
            "template: t:2:2: executing \"t\" at <fail>: error calling fail: it broke");
}

TEST(TextTemplate, ExecutionErrorsAreGos) {
  EXPECT_EQ(error_of("{{.name.x}}", kData),  // a map's element is an interface {} to reflect
            "template: t:1:7: executing \"t\" at <.name.x>: can't evaluate field x in type interface {}");
  EXPECT_EQ(error_of("{{$n := .name}}{{$n.x}}", kData),  // a pipeline's value is unwrapped
            "template: t:1:19: executing \"t\" at <$n.x>: can't evaluate field x in type string");
  EXPECT_EQ(error_of("{{index .list 5}}", kData),
            "template: t:1:2: executing \"t\" at <index .list 5>: error calling index: index out of range: 5");
  EXPECT_EQ(error_of("{{lt .n \"a\"}}", kData),
            "template: t:1:2: executing \"t\" at <lt .n \"a\">: error calling lt: incompatible types for comparison");
  EXPECT_EQ(error_of("{{template \"nope\"}}", kData),
            "template: t:1:11: executing \"t\" at <{{template \"nope\"}}>: template \"nope\" not defined");
  EXPECT_EQ(error_of("{{range .n.x}}{{end}}", kData),
            "template: t:1:10: executing \"t\" at <.n.x>: can't evaluate field x in type interface {}");
  EXPECT_EQ(error_of("{{.name 1}}", kData),
            "template: t:1:2: executing \"t\" at <.name>: name is not a method but has arguments");
}

TEST(TextTemplate, ParseErrorsAreGos) {
  EXPECT_EQ(error_of("{{.name"), "template: t:1: unclosed action");
  EXPECT_EQ(error_of("a\nb\n{{if .x}}"), "template: t:3: unexpected EOF");
  EXPECT_EQ(error_of("{{end}}"), "template: t:1: unexpected {{end}}");
  EXPECT_EQ(error_of("{{frob .x}}"), "template: t:1: function \"frob\" not defined");
  EXPECT_EQ(error_of("\n{{$x}}"), "template: t:2: undefined variable \"$x\"");
  EXPECT_EQ(error_of("{{break}}"), "template: t:1: {{break}} outside {{range}}");
  EXPECT_EQ(error_of("{{}}"), "template: t:1: missing value for command");
  EXPECT_EQ(error_of("{{.x | 3}}"), "template: t:1: non executable command in pipeline stage 2");
  EXPECT_EQ(error_of("{{.x }}}"), "no error");
  EXPECT_EQ(error_of("{{ ! }}"), "template: t:1: unexpected \"!\" in command");
  EXPECT_EQ(error_of("{{if .x}}a{{else}}b{{else}}c{{end}}"), "template: t:1: expected end; found {{else}}");
  EXPECT_EQ(error_of("{{\"abc}}"), "template: t:1: unterminated quoted string");
  EXPECT_EQ(error_of("{{/* x }}"), "template: t:1: unclosed comment");
  EXPECT_EQ(error_of("{{(.x}}"), "template: t:1: unclosed left paren");
  EXPECT_EQ(error_of("{{.x\n\n}}{{if}}"), "template: t:3: missing value for if");
  EXPECT_EQ(error_of("{{3.x}}"), "template: t:1: bad number syntax: \"3.x\"");
}

}  // namespace
}  // namespace berth::gocompat::tmpl
