// The compose corpus (tests/corpus): valid/ files must give no diagnostic, invalid/ files the one
// named by their `# expect:` line (and, with `# at: LINE:COL`, at that place). Then a
// differential test: our schema and the authoritative one (compose-go's compose-spec.json) must
// give the same verdict on every corpus file, on compose-go's own files, and on mutations of the
// valid files, unless a file explains why not with `# schema-differs: <reason>`.
//
// The authoritative schema is a 2020-12 document ("$defs", "$schema", "$id", "deprecated").
// valijson parses it as draft 7 and copes as is: "$ref": "#/$defs/x" is resolved as a plain JSON
// pointer, and "$schema", "$id", "deprecated" and "default" are ignored (valijson reads "id", not
// "$id", so refs stay relative to the document). It uses no "format" keyword. reference_schema()
// still drops "$schema" and "$id" so that a future valijson that honours them cannot change what
// this test compares.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "compose/loader/validate_schema.hpp"
#include "compose/loader/yaml_to_json.hpp"
#include "schema/schema.hpp"
#include "support/files.hpp"

using namespace berth::loader;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const fs::path corpus_dir = fs::path(BERTH_SOURCE_DIR) / "tests" / "corpus";
const fs::path compose_go_dir = fs::path(BERTH_TESTDATA_DIR) / "compose-go";

struct CorpusFile {
  std::string name;  ///< "invalid/bad.yaml", also the file name in diagnostics
  std::string text;
  std::string expect;          ///< from "# expect: ..."
  std::string at;              ///< from "# at: LINE:COL"
  std::string schema_differs;  ///< from "# schema-differs: ..."
};

/// The value of a "# key: value" comment line, or "".
std::string header(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  const std::string prefix = "# " + key + ": ";
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
  return "";
}

std::vector<CorpusFile> corpus(const std::string& kind) {
  std::vector<CorpusFile> out;
  for (const auto& entry : fs::directory_iterator(corpus_dir / kind)) {
    if (entry.path().extension() != ".yaml") continue;
    CorpusFile f;
    f.name = kind + "/" + entry.path().filename().string();
    f.text = berth::test::read_bytes(entry.path());
    f.expect = header(f.text, "expect");
    f.at = header(f.text, "at");
    f.schema_differs = header(f.text, "schema-differs");
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::vector<std::string> formatted(const std::string& text, const std::string& name) {
  Document doc = parse_yaml(text, name);
  Diagnostics diags(&doc.positions);
  validate_schema(doc.value, diags);
  std::vector<std::string> out;
  for (const auto& d : diags.items()) out.push_back(format(d));
  return out;
}

/// The authoritative schema's JSON (vendored in tests/testdata/compose-go), or null when it is missing.
json reference_schema_json() {
  const fs::path path = compose_go_dir / "compose-spec.json";
  if (!fs::exists(path)) return nullptr;
  json schema = json::parse(berth::test::read_bytes(path));
  schema.erase("$schema");
  schema.erase("$id");
  return schema;
}

/// The authoritative schema, compiled, or nullptr when it is missing.
const SchemaValidator* reference_schema() {
  static const std::unique_ptr<SchemaValidator> ref = []() -> std::unique_ptr<SchemaValidator> {
    json schema = reference_schema_json();
    return schema.is_null() ? nullptr : std::make_unique<SchemaValidator>(schema.dump());
  }();
  return ref.get();
}

const SchemaValidator& our_schema() {
  static const SchemaValidator ours(berth::schema::compose_schema());
  return ours;
}

std::string verdict(bool accepted) { return accepted ? "accepts" : "rejects"; }

}  // namespace

TEST(CorpusTest, HasAtLeastSixtyFilesWithoutInterpolation) {
  auto valid = corpus("valid"), invalid = corpus("invalid");
  EXPECT_GE(valid.size() + invalid.size(), 60u);
  EXPECT_GE(valid.size(), 30u);
  EXPECT_GE(invalid.size(), 30u);
  for (const auto& f : valid) EXPECT_EQ(f.text.find("${"), std::string::npos) << f.name;
  for (const auto& f : invalid) {
    EXPECT_EQ(f.text.find("${"), std::string::npos) << f.name;
    EXPECT_EQ(f.text.rfind("# expect: ", 0), 0u) << f.name << " must start with an # expect: line";
  }
}

TEST(CorpusTest, ValidFilesGiveNoDiagnostic) {
  for (const auto& f : corpus("valid")) {
    SCOPED_TRACE(f.name);
    try {
      EXPECT_EQ(formatted(f.text, f.name), std::vector<std::string>{});
    } catch (const LoadError& e) {
      ADD_FAILURE() << "YAML error: " << e.what();
    }
  }
}

TEST(CorpusTest, InvalidFilesGiveTheExpectedDiagnostic) {
  for (const auto& f : corpus("invalid")) {
    SCOPED_TRACE(f.name);
    ASSERT_FALSE(f.expect.empty());
    std::vector<std::string> all;
    try {
      all = formatted(f.text, f.name);
    } catch (const LoadError& e) {
      ADD_FAILURE() << "YAML error: " << e.what();
      continue;
    }
    auto hit = std::find_if(all.begin(), all.end(),
                            [&](const std::string& d) { return d.find(f.expect) != std::string::npos; });
    ASSERT_NE(hit, all.end()) << "expected \"" << f.expect << "\" in " << ::testing::PrintToString(all);
    // Every diagnostic names the file; with "# at:", the expected one is at that line:col.
    for (const auto& d : all) EXPECT_EQ(d.rfind(f.name + ":", 0), 0u) << d;
    if (!f.at.empty()) {
      EXPECT_EQ(hit->rfind(f.name + ":" + f.at + ": ", 0), 0u) << *hit;
    }
  }
}

TEST(CorpusTest, AgreesWithTheReferenceSchemaOnTheCorpus) {
  const SchemaValidator* ref = reference_schema();
  ASSERT_NE(ref, nullptr) << "no authoritative schema at " << compose_go_dir / "compose-spec.json";
  for (const auto& kind : {"valid", "invalid"}) {
    for (const auto& f : corpus(kind)) {
      SCOPED_TRACE(f.name);
      const json doc = parse_yaml(f.text, f.name).value;
      const bool ours = our_schema().accepts(doc), theirs = ref->accepts(doc);
      if (f.schema_differs.empty())
        EXPECT_EQ(ours, theirs) << "ours " << verdict(ours) << ", the reference " << verdict(theirs);
      else
        EXPECT_NE(ours, theirs) << "marked schema-differs (" << f.schema_differs << ") but both " << verdict(ours);
    }
  }
}

TEST(CorpusTest, AgreesWithTheReferenceSchemaOnComposeGoFiles) {
  const SchemaValidator* ref = reference_schema();
  ASSERT_NE(ref, nullptr) << "no authoritative schema under " << compose_go_dir;
  std::vector<fs::path> files = {compose_go_dir / "golden" / "full-example.yml"};
  for (const auto& entry : fs::recursive_directory_iterator(compose_go_dir / "testdata")) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(entry.path());
  }
  std::sort(files.begin() + 1, files.end());
  size_t compared = 0;
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    const std::string text = berth::test::read_bytes(path);
    // The golden example is compared raw on purpose; other files with ${...} are skipped, since
    // their meaning depends on the environment they are interpolated with.
    if (path != files.front() && text.find("${") != std::string::npos) continue;
    json doc;
    try {
      doc = parse_yaml(text, path.string()).value;
    } catch (const LoadError&) {
      continue;  // a few fixtures are deliberately broken YAML
    }
    const bool ours = our_schema().accepts(doc), theirs = ref->accepts(doc);
    EXPECT_EQ(ours, theirs) << "ours " << verdict(ours) << ", the reference " << verdict(theirs);
    ++compared;
  }
  RecordProperty("compared", std::to_string(compared));
  EXPECT_GE(compared, 10u);
}

namespace {

/// Values of every JSON type and shapes the compose schemas care about, put in place of each
/// node of the valid files to look for keys or types where the two schemas disagree.
const std::vector<json> probes = {"s",
                                  "",
                                  "all",
                                  "host",
                                  "service_healthy",
                                  "bind",
                                  "z",
                                  "always",
                                  1,
                                  0,
                                  -1,
                                  1.5,
                                  -2000,
                                  101,
                                  true,
                                  nullptr,
                                  json::array(),
                                  json{"a"},
                                  json{"a", "a"},
                                  json{1},
                                  json::object(),
                                  json{{"x-a", 1}},
                                  json{{"zzz", 1}},
                                  json{{"a", "b"}},
                                  json{{"a", nullptr}},
                                  json{{"a", json{"b"}}},
                                  json{{"a", json{{"b", 1}}}},
                                  json{json::object()},
                                  json{{"type", "t"}},
                                  json{{"soft", 1}, {"hard", 2}},
                                  json{{"condition", "service_started"}},
                                  json{{"command", "x"}},
                                  json{{"source", "a"}},
                                  json{{"path", "p"}, {"action", "sync"}},
                                  json{{"model", "m"}},
                                  json{{"capabilities", json{"gpu"}}}};
const std::vector<std::string> extra_keys = {"zzz", "x-y", "a b", "", "NOFILE", "name"};

/// Every node of `v`, skipping nodes whose shape was already seen (services.*.ports[*] once for
/// all services and items): the same schema spot need not be probed a hundred times.
void collect_pointers(const json& v, const Pointer& at, const std::string& shape, std::set<std::string>& seen,
                      std::vector<Pointer>& out) {
  if (seen.insert(shape).second) out.push_back(at);
  const bool named_entry = at.to_string().find('/', 1) == std::string::npos && !at.empty();  // /services/<name>
  if (v.is_object())
    for (const auto& [key, child] : v.items())
      collect_pointers(child, at / key, shape + "/" + (named_entry ? "*" : key), seen, out);
  else if (v.is_array())
    for (size_t i = 0; i < v.size(); ++i) collect_pointers(v[i], at / i, shape + "/[]", seen, out);
}

}  // namespace

TEST(CorpusTest, AgreesWithTheReferenceSchemaOnMutations) {
  const SchemaValidator* ref = reference_schema();
  ASSERT_NE(ref, nullptr) << "no authoritative schema under " << compose_go_dir;
  std::vector<std::string> mismatches;
  size_t compared = 0;
  auto compare = [&](const json& doc, const std::string& what) {
    ++compared;
    const bool ours = our_schema().accepts(doc), theirs = ref->accepts(doc);
    if (ours != theirs && mismatches.size() < 20)
      mismatches.push_back(what + ": ours " + verdict(ours) + ", the reference " + verdict(theirs));
  };
  std::set<std::string> seen;
  for (const auto& f : corpus("valid")) {
    const json doc = parse_yaml(f.text, f.name).value;
    std::vector<Pointer> pointers;
    collect_pointers(doc, Pointer(), "", seen, pointers);
    for (const auto& ptr : pointers) {
      // Sections are independent, so below /services/web the mutant is {services: {web: ...}}.
      json base = doc;
      if (const std::string s = ptr.to_string(); s.find('/', 1) != std::string::npos) {
        const Pointer entry(s.substr(0, s.find('/', s.find('/', 1) + 1)));
        base = json::object();
        base[entry] = doc.at(entry);
      }
      const std::string where = f.name + " " + display_path(ptr);
      for (const auto& probe : probes) {
        json mutant = base;
        mutant[ptr] = probe;
        compare(mutant, where + " = " + probe.dump());
      }
      if (base.at(ptr).is_object())
        for (const auto& key : extra_keys) {
          json mutant = base;
          mutant[ptr][key] = "v";
          compare(mutant, where + " + key \"" + key + "\"");
        }
    }
  }
  RecordProperty("mutants", std::to_string(compared));
  EXPECT_GT(compared, 5000u) << "too few mutants: is the corpus there?";
  EXPECT_EQ(mismatches, std::vector<std::string>{});
}

TEST(CorpusTest, TheReferenceSchemaLocatesTheSameProblems) {
  // The explainer is not tied to our schema: on the reference schema ("$defs", other branch
  // order) it finds the problems of each invalid file at the same places.
  const SchemaValidator* ref = reference_schema();
  ASSERT_NE(ref, nullptr) << "no authoritative schema under " << compose_go_dir;
  auto places = [](const std::vector<SchemaProblem>& problems) {
    std::set<std::string> out;
    for (const auto& p : problems) out.insert(display_path(p.where));
    return out;
  };
  for (const auto& f : corpus("invalid")) {
    SCOPED_TRACE(f.name);
    const json doc = parse_yaml(f.text, f.name).value;
    EXPECT_EQ(places(our_schema().problems(doc)), places(ref->problems(doc)));
  }
}

namespace {

/// A schema node with its refs inlined and annotations dropped, in a form where orderings that
/// carry no meaning (type lists, oneOf branches, required) are sorted and keywords that cannot
/// apply (object keywords on an array-only node, uniqueItems: false) are left out.
json canonical(const json& root, const json& node) {
  const json* n = &node;
  while (n->is_object() && n->contains("$ref")) n = &root.at(Pointer(n->at("$ref").get<std::string>().substr(1)));
  if (!n->is_object()) return *n;
  static const std::set<std::string> annotations = {"description", "deprecated", "default", "title",
                                                    "definitions", "$defs",      "$schema", "$id"};
  json out = json::object();
  for (const auto& [key, value] : n->items()) {
    if (annotations.count(key)) continue;
    if (key == "type" || key == "required") {
      std::vector<std::string> names =
          value.is_array() ? value.get<std::vector<std::string>>() : std::vector<std::string>{value.get<std::string>()};
      std::sort(names.begin(), names.end());
      out[key] = names;
    } else if (key == "properties" || key == "patternProperties") {
      out[key] = json::object();
      for (const auto& [name, sub] : value.items()) out[key][name] = canonical(root, sub);
    } else if (key == "oneOf" || key == "anyOf") {
      std::vector<json> branches;
      for (const auto& b : value) branches.push_back(canonical(root, b));
      std::sort(branches.begin(), branches.end(), [](const json& a, const json& b) { return a.dump() < b.dump(); });
      out[key] = branches;
    } else if (key == "items" || key == "additionalProperties") {
      out[key] = canonical(root, value);
    } else {
      out[key] = value;
    }
  }
  if (out.value("type", json()) == json{"array"}) out.erase("additionalProperties"), out.erase("patternProperties");
  if (out.value("uniqueItems", true) == false) out.erase("uniqueItems");
  return out;
}

void structural_diff(const json& ours, const json& theirs, const std::string& at, std::vector<std::string>& out) {
  if (ours.is_object() && theirs.is_object()) {
    for (const auto& [key, value] : ours.items())
      if (!theirs.contains(key)) out.push_back(at + "/" + key + ": only in ours");
    for (const auto& [key, value] : theirs.items())
      if (!ours.contains(key))
        out.push_back(at + "/" + key + ": only in the reference");
      else
        structural_diff(ours[key], value, at + "/" + key, out);
  } else if (ours.is_array() && theirs.is_array() && ours.size() == theirs.size()) {
    for (size_t i = 0; i < ours.size(); ++i) structural_diff(ours[i], theirs[i], at + "/" + std::to_string(i), out);
  } else if (ours != theirs) {
    out.push_back(at + ": ours " + ours.dump().substr(0, 100) + ", the reference " + theirs.dump().substr(0, 100));
  }
}

}  // namespace

TEST(CorpusTest, OurSchemaHasTheStructureOfTheReference) {
  // The strongest form of "accepts exactly the same": once our own names, descriptions and
  // grouping are looked through, every constraint is the reference's.
  const json theirs = reference_schema_json();
  ASSERT_FALSE(theirs.is_null()) << "no authoritative schema under " << compose_go_dir;
  const json ours = json::parse(berth::schema::compose_schema());
  std::vector<std::string> differences;
  structural_diff(canonical(ours, ours), canonical(theirs, theirs), "", differences);
  EXPECT_EQ(differences, std::vector<std::string>{});
}
