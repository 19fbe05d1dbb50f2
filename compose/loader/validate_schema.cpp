// Schema validation with one readable message per problem.
//
// valijson decides whether a document is valid. Its own error list is faithful but noisy: a
// failed oneOf reports the failures of every branch plus "Failed to validate against exactly one
// child schema", and nothing says which schema node failed. So when valijson rejects a document,
// a second pass (Explainer) walks the schema JSON beside the document and words each problem
// once, at the deepest pointer that makes sense:
//  - a value of the wrong type: "must be a string, not a list" (nothing below it is checked);
//  - oneOf/anyOf: the branches that accept the value's type are tried; when exactly one does,
//    its own problems are reported (an object is judged against the object branch), otherwise
//    the message lists the types the branches allow;
//  - an unknown key: "additional property ... (did you mean ...?)" by edit distance over the
//    property names allowed at that spot.
// The explainer knows the keywords our schema and the reference schema use. Should it find
// nothing where valijson found something (a keyword it does not know), valijson's deepest errors
// are reported instead, so a rejected document never comes back without a diagnostic.
#include "compose/loader/validate_schema.hpp"
#include "compose/loader/json_text.hpp"

// GCC 12 at -O3 reports a -Wrestrict false positive in libstdc++'s string::replace as inlined
// into valijson's json_pointer helpers; the code is valijson's, so the warning is muted there only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wrestrict"
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#pragma GCC diagnostic pop

#include <mutex>

#include <algorithm>
#include <cctype>
#include <regex>
#include <stdexcept>
#include <unordered_map>

#include "schema/schema.hpp"

namespace berth::loader {

namespace {

using Json = nlohmann::json;
using Regexes = std::unordered_map<std::string, std::regex>;

// ---- words --------------------------------------------------------------------------------

std::string type_phrase(std::string_view type) {
  if (type == "object") return "a mapping";
  if (type == "array") return "a list";
  if (type == "integer") return "an integer";
  if (type == "null") return "null";
  return "a " + std::string(type);
}

std::string kind_of(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "a number";
    case Json::value_t::object:
      return "a mapping";
    case Json::value_t::array:
      return "a list";
    default:
      return "a string";
  }
}

/// "a, b or c"
std::string join_or(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) out += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
  return out;
}

/// A value shown inside a message: JSON text, cut short.
std::string shown(const Json& v) {
  std::string text = json_text(v);
  return text.size() > 40 ? text.substr(0, 37) + "..." : text;
}

bool has_type(const Json& v, std::string_view type) {
  if (type == "string") return v.is_string();
  if (type == "number") return v.is_number();
  if (type == "integer") return v.is_number_integer();
  if (type == "boolean") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "null") return v.is_null();
  return false;
}

std::vector<std::string> type_list(const Json& type) {
  if (type.is_string()) return {type.get<std::string>()};
  std::vector<std::string> out;
  if (type.is_array())
    for (const auto& t : type)
      if (t.is_string()) out.push_back(t.get<std::string>());
  return out;
}

/// "a string, a number or a mapping" (an integer is a number: said once).
std::string describe_types(std::vector<std::string> types) {
  bool number = std::find(types.begin(), types.end(), "number") != types.end();
  std::vector<std::string> words;
  for (const auto& t : types) {
    if (t == "integer" && number) continue;
    std::string w = type_phrase(t);
    if (std::find(words.begin(), words.end(), w) == words.end()) words.push_back(w);
  }
  return join_or(words);
}

std::string lower_alnum(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '_' && c != '-') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// The allowed name closest to `key`, or "" when none is close enough to be a likely typo.
std::string closest_name(const std::string& key, const std::vector<std::string>& names) {
  const size_t limit = key.size() <= 3 ? 1 : key.size() <= 8 ? 2 : 3;
  const std::string k = lower_alnum(key);
  std::string best;
  size_t best_score = limit + 1;
  for (const auto& name : names) {
    const std::string n = lower_alnum(name);
    size_t score = edit_distance(k, n);
    // "ipv4addr" for "ipv4_address": a clear abbreviation, if not a close typo.
    if (score > limit && k.size() >= 4 && (n.rfind(k, 0) == 0 || k.rfind(n, 0) == 0)) score = limit;
    if (score < best_score) best_score = score, best = name;
  }
  return best;
}

// ---- the explainer ------------------------------------------------------------------------

class Explainer {
 public:
  Explainer(const Json& root, const Regexes& regexes) : m_root(root), m_regexes(regexes) {}

  /// Appends the problems of `v` against schema `s` (located at `at`) to `out`.
  void check(const Json& schema, const Json& v, const Pointer& at, std::vector<SchemaProblem>& out) const {
    const Json& s = resolve(schema);
    if (s.is_boolean()) {
      if (!s.get<bool>()) out.push_back({at, "is not allowed here"});
      return;
    }
    if (!s.is_object()) return;
    if (auto t = s.find("type"); t != s.end()) {
      auto types = type_list(*t);
      if (std::none_of(types.begin(), types.end(), [&](const std::string& x) { return has_type(v, x); })) {
        std::string msg = "must be " + describe_types(types) + ", not " + kind_of(v);
        if ((v.is_number() || v.is_boolean()) && std::find(types.begin(), types.end(), "string") != types.end())
          msg += " (put it in quotes)";
        out.push_back({at, msg});
        return;
      }
    }
    if (auto e = s.find("enum"); e != s.end() && e->is_array() && std::find(e->begin(), e->end(), v) == e->end()) {
      std::vector<std::string> words;
      for (const auto& x : *e) words.push_back(x.is_string() ? x.get<std::string>() : json_text(x));
      std::string msg = "must be one of: ";
      for (size_t i = 0; i < words.size(); ++i) msg += (i ? ", " : "") + words[i];
      out.push_back({at, msg + " (got " + shown(v) + ")"});
      return;
    }
    if (auto a = s.find("allOf"); a != s.end() && a->is_array())
      for (const auto& sub : *a) check(sub, v, at, out);
    for (const char* key : {"oneOf", "anyOf"})
      if (auto a = s.find(key); a != s.end() && a->is_array()) check_alternatives(*a, key[0] == 'o', v, at, out);
    if (v.is_string()) check_string(s, v.get<std::string>(), at, out);
    if (v.is_number()) check_number(s, v, at, out);
    if (v.is_object()) check_object(s, v, at, out);
    if (v.is_array()) check_array(s, v, at, out);
  }

 private:
  const Json& resolve(const Json& s) const {
    const Json* cur = &s;
    for (int depth = 0; depth < 32 && cur->is_object(); ++depth) {
      auto ref = cur->find("$ref");
      if (ref == cur->end() || !ref->is_string()) break;
      const std::string target = ref->get<std::string>();
      // Only pointers into this document; other documents are valijson's business.
      if (target.empty() || target[0] != '#' || (target.size() > 1 && target[1] != '/')) break;
      const Pointer ptr(target.substr(1));
      if (!m_root.contains(ptr)) break;
      cur = &m_root.at(ptr);
    }
    return *cur;
  }

  bool matches(const Json& s, const Json& v) const {
    std::vector<SchemaProblem> scratch;
    check(s, v, Pointer(), scratch);
    return scratch.empty();
  }

  bool search(const std::string& pattern, const std::string& text) const {
    if (auto it = m_regexes.find(pattern); it != m_regexes.end()) return std::regex_search(text, it->second);
    return std::regex_search(text, std::regex(pattern));
  }

  /// Could a branch accept a value of this JSON type at all (ignoring everything but types)?
  bool accepts_type(const Json& branch, const Json& v) const {
    const Json& s = resolve(branch);
    if (s.is_boolean()) return s.get<bool>();
    if (!s.is_object()) return true;
    if (auto t = s.find("type"); t != s.end()) {
      auto types = type_list(*t);
      return std::any_of(types.begin(), types.end(), [&](const std::string& x) { return has_type(v, x); });
    }
    for (const char* key : {"oneOf", "anyOf"})
      if (auto a = s.find(key); a != s.end() && a->is_array())
        return std::any_of(a->begin(), a->end(), [&](const Json& b) { return accepts_type(b, v); });
    return true;
  }

  /// The types a branch allows, appended to `out`; false when it allows any type.
  bool branch_types(const Json& branch, std::vector<std::string>& out) const {
    const Json& s = resolve(branch);
    if (!s.is_object()) return !s.is_boolean() || !s.get<bool>();
    if (auto t = s.find("type"); t != s.end()) {
      for (auto& x : type_list(*t)) out.push_back(x);
      return true;
    }
    for (const char* key : {"oneOf", "anyOf"})
      if (auto a = s.find(key); a != s.end() && a->is_array()) {
        bool typed = true;
        for (const auto& b : *a) typed = branch_types(b, out) && typed;
        return typed;
      }
    return false;
  }

  void check_alternatives(const Json& branches, bool one_of, const Json& v, const Pointer& at,
                          std::vector<SchemaProblem>& out) const {
    size_t matching = 0;
    for (const auto& b : branches) matching += matches(b, v) ? 1 : 0;
    if (matching == 1 || (!one_of && matching > 1)) return;
    if (matching > 1) {
      out.push_back({at, "is ambiguous: it matches more than one of the allowed forms"});
      return;
    }
    std::vector<const Json*> candidates;
    for (const auto& b : branches)
      if (accepts_type(b, v)) candidates.push_back(&b);
    if (candidates.empty()) {
      std::vector<std::string> types;
      bool typed = true;
      for (const auto& b : branches) typed = branch_types(b, types) && typed;
      out.push_back({at, typed && !types.empty() ? "must be " + describe_types(types) + ", not " + kind_of(v)
                                                 : "does not match any of the allowed forms"});
      return;
    }
    // The branch (of those that take this type) with the fewest problems explains best.
    std::vector<SchemaProblem> best;
    for (const Json* b : candidates) {
      std::vector<SchemaProblem> mine;
      check(*b, v, at, mine);
      if (best.empty() || (!mine.empty() && mine.size() < best.size())) best = std::move(mine);
    }
    out.insert(out.end(), best.begin(), best.end());
  }

  void check_string(const Json& s, const std::string& v, const Pointer& at, std::vector<SchemaProblem>& out) const {
    if (auto p = s.find("pattern"); p != s.end() && p->is_string() && !search(p->get<std::string>(), v))
      out.push_back({at, "must match the pattern " + p->get<std::string>() + " (got " + json_text(Json(v)) + ")"});
    if (auto m = s.find("minLength"); m != s.end() && m->is_number() && v.size() < m->get<double>())
      out.push_back({at, "must be at least " + m->dump() + " characters long"});
    if (auto m = s.find("maxLength"); m != s.end() && m->is_number() && v.size() > m->get<double>())
      out.push_back({at, "must be at most " + m->dump() + " characters long"});
  }

  void check_number(const Json& s, const Json& v, const Pointer& at, std::vector<SchemaProblem>& out) const {
    const double x = v.get<double>();
    auto bound = [&](const char* key, auto bad, const char* words) {
      if (auto b = s.find(key); b != s.end() && b->is_number() && bad(x, b->get<double>()))
        out.push_back({at, std::string("must be ") + words + " " + json_text(*b) + " (got " + json_text(v) + ")"});
    };
    bound(
        "minimum", [](double a, double b) { return a < b; }, "at least");
    bound(
        "maximum", [](double a, double b) { return a > b; }, "at most");
    bound(
        "exclusiveMinimum", [](double a, double b) { return a <= b; }, "greater than");
    bound(
        "exclusiveMaximum", [](double a, double b) { return a >= b; }, "less than");
  }

  void check_object(const Json& s, const Json& v, const Pointer& at, std::vector<SchemaProblem>& out) const {
    static const Json empty = Json::object();
    auto field = [&](const char* key) -> const Json& {
      auto it = s.find(key);
      return it != s.end() && it->is_object() ? *it : empty;
    };
    const Json& props = field("properties");
    const Json& patterns = field("patternProperties");
    const auto additional = s.find("additionalProperties");
    std::vector<std::string> names;
    for (const auto& [name, sub] : props.items()) names.push_back(name);

    std::vector<std::string> guessed;  // required names that an unknown key was probably meant to be
    for (const auto& [key, child] : v.items()) {
      const Pointer here = at / key;
      bool known = props.contains(key);
      if (known) check(props[key], child, here, out);
      for (const auto& [pattern, sub] : patterns.items())
        if (search(pattern, key)) known = true, check(sub, child, here, out);
      if (known || additional == s.end()) continue;
      if (!additional->is_boolean()) {
        check(*additional, child, here, out);
      } else if (!additional->get<bool>()) {
        out.push_back({here, unknown_key(key, names, patterns)});
        if (std::string guess = closest_name(key, names); !guess.empty()) guessed.push_back(guess);
      }
    }
    if (auto r = s.find("required"); r != s.end() && r->is_array())
      for (const auto& name : *r)
        if (name.is_string() && !v.contains(name.get<std::string>()) &&
            std::find(guessed.begin(), guessed.end(), name.get<std::string>()) == guessed.end())
          out.push_back({at, "missing required property " + json_text(name)});
  }

  std::string unknown_key(const std::string& key, const std::vector<std::string>& names, const Json& patterns) const {
    const bool extensions = patterns.contains("^x-");
    if (names.empty()) {
      for (const auto& [pattern, sub] : patterns.items())
        if (pattern != "^x-")
          return "name " + json_text(Json(key)) + " is not allowed (names must match " + pattern + ")";
    }
    std::string msg = "additional property " + json_text(Json(key)) + " is not allowed";
    if (std::string guess = closest_name(key, names); !guess.empty())
      return msg + " (did you mean " + json_text(Json(guess)) + "?)";
    if (key.rfind("x-", 0) == 0 && !extensions) return msg + " (extension fields are not allowed here)";
    if (!names.empty() && names.size() <= 8) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      return msg + " (expected one of: " + list + (extensions ? ", or an x- extension" : "") + ")";
    }
    return msg;
  }

  void check_array(const Json& s, const Json& v, const Pointer& at, std::vector<SchemaProblem>& out) const {
    if (auto items = s.find("items"); items != s.end()) {
      for (size_t i = 0; i < v.size(); ++i) {
        if (items->is_array()) {
          if (i < items->size()) check((*items)[i], v[i], at / i, out);
        } else {
          check(*items, v[i], at / i, out);
        }
      }
    }
    if (auto u = s.find("uniqueItems"); u != s.end() && u->is_boolean() && u->get<bool>()) {
      for (size_t j = 1; j < v.size(); ++j)
        for (size_t i = 0; i < j; ++i)
          if (v[i] == v[j]) {
            out.push_back({at / j, "duplicate item " + shown(v[j]) + " (same as item " + std::to_string(i) + ")"});
            break;
          }
    }
  }

  const Json& m_root;
  const Regexes& m_regexes;
};

// ---- compiling, and valijson's own errors ------------------------------------------------

/// Every regex the schema uses ("pattern" values and patternProperties keys), compiled up front
/// so that explaining is const and thread-safe.
void collect_patterns(const Json& s, Regexes& out) {
  if (s.is_array()) {
    for (const auto& item : s) collect_patterns(item, out);
    return;
  }
  if (!s.is_object()) return;
  for (const auto& [key, value] : s.items()) {
    if (key == "pattern" && value.is_string()) out.try_emplace(value.get<std::string>(), value.get<std::string>());
    if (key == "patternProperties" && value.is_object())
      for (const auto& [pattern, sub] : value.items()) out.try_emplace(pattern, pattern);
    collect_patterns(value, out);
  }
}

/// valijson's own errors, reduced to the deepest ones: used only when the explainer is silent.
std::vector<SchemaProblem> leaf_errors(const valijson::ValidationResults& results) {
  std::vector<SchemaProblem> all;
  for (const auto& e : results) all.push_back({context_to_pointer(e.context), e.description});
  std::vector<SchemaProblem> out;
  for (const auto& p : all) {
    const std::string here = p.where.to_string();
    bool has_deeper = std::any_of(all.begin(), all.end(), [&](const SchemaProblem& q) {
      const std::string there = q.where.to_string();
      return there.size() > here.size() && there.compare(0, here.size(), here) == 0 && there[here.size()] == '/';
    });
    bool seen = std::any_of(out.begin(), out.end(), [&](const SchemaProblem& q) { return q.where == p.where; });
    if (!has_deeper && !seen) out.push_back(p);
  }
  return out;
}

/// valijson 1.0 compiles a std::regex for every object it checks against `patternProperties`
/// (uncached, unlike `pattern`), which made validation of a large file slow. The compiled
/// schema therefore gets an equivalent form where that is exact, and the pattern moves into
/// `propertyNames` (whose `pattern` valijson caches):
///   {properties: K, patternProperties: {"^x-": any}, additionalProperties: false}
///     -> {properties: K, propertyNames: {anyOf: [{enum: keys(K)}, {pattern: "^x-"}]}}
///   {patternProperties: {P: S}, additionalProperties: false}
///     -> {propertyNames: {pattern: P}, additionalProperties: S}
/// Other shapes are left alone. The Explainer keeps reading the schema as written.
void speed_up_pattern_properties(Json& node) {
  if (node.is_array()) {
    for (auto& item : node) speed_up_pattern_properties(item);
    return;
  }
  if (!node.is_object()) return;
  for (auto& [key, value] : node.items())
    if (key != "enum" && key != "const") speed_up_pattern_properties(value);
  auto pp = node.find("patternProperties");
  auto ap = node.find("additionalProperties");
  if (pp == node.end() || !pp->is_object() || pp->size() != 1 || ap == node.end() || *ap != Json(false) ||
      node.contains("propertyNames"))
    return;
  const std::string pattern = pp->begin().key();
  const Json sub = pp->begin().value();
  auto props = node.find("properties");
  if (props != node.end() && props->is_object()) {
    // Only exact when the pattern's schema accepts anything (it carries just words).
    if (!sub.is_object()) return;
    for (auto it = sub.begin(); it != sub.end(); ++it)
      if (it.key() != "description" && it.key() != "title") return;
    Json names = Json::array();
    for (auto it = props->begin(); it != props->end(); ++it) names.push_back(it.key());
    node["propertyNames"] = Json{{"anyOf", Json::array({Json{{"enum", names}}, Json{{"pattern", pattern}}})}};
    node.erase("patternProperties");
    node.erase("additionalProperties");
    return;
  }
  node["propertyNames"] = Json{{"pattern", pattern}};
  node["additionalProperties"] = sub;
  node.erase("patternProperties");
}

/// Replaces local `$ref`s by the schema they name (siblings of `$ref` are ignored in draft 7).
/// valijson 1.0 mis-validates `propertyNames` inside a referenced definition, and the
/// compose schemas are small and not recursive; a reference deeper than 32 levels is kept.
void inline_refs(Json& node, const Json& root, int depth = 0) {
  if (node.is_array()) {
    for (auto& item : node) inline_refs(item, root, depth);
    return;
  }
  if (!node.is_object()) return;
  if (auto ref = node.find("$ref"); ref != node.end() && ref->is_string() && depth < 32) {
    const std::string target = ref->get<std::string>();
    if (target.rfind("#/", 0) == 0 && root.contains(Json::json_pointer(target.substr(1)))) {
      node = root.at(Json::json_pointer(target.substr(1)));
      inline_refs(node, root, depth + 1);
      return;
    }
  }
  for (auto& [key, value] : node.items())
    if (key != "enum" && key != "const") inline_refs(value, root, depth);
}

}  // namespace

struct SchemaValidator::Impl {
  Json schema;       ///< as written: the Explainer reads it
  Json fast_schema;  ///< what valijson compiles (inline_refs, speed_up_pattern_properties); outlives `compiled`
  valijson::Schema compiled;
  Regexes regexes;
  // valijson compiles a pattern's std::regex the first time a Validator meets it and caches it
  // in that Validator: keeping one (behind a lock) saves recompiling them on every document,
  // which was most of the validation time.
  std::mutex mutex;
  valijson::Validator validator{valijson::Validator::kStrongTypes};
};

SchemaValidator::SchemaValidator(std::string_view schema_json) : m_impl(std::make_unique<Impl>()) {
  try {
    m_impl->schema = Json::parse(schema_json);
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    m_impl->fast_schema = m_impl->schema;
    inline_refs(m_impl->fast_schema, m_impl->schema);
    speed_up_pattern_properties(m_impl->fast_schema);
    valijson::adapters::NlohmannJsonAdapter adapter(m_impl->fast_schema);
    parser.populateSchema(adapter, m_impl->compiled);
    collect_patterns(m_impl->schema, m_impl->regexes);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("invalid JSON schema: ") + e.what());
  }
}

SchemaValidator::~SchemaValidator() = default;
SchemaValidator::SchemaValidator(SchemaValidator&&) noexcept = default;
SchemaValidator& SchemaValidator::operator=(SchemaValidator&&) noexcept = default;

bool SchemaValidator::accepts(const Json& doc) const {
  std::lock_guard lock(m_impl->mutex);
  valijson::adapters::NlohmannJsonAdapter target(doc);
  return m_impl->validator.validate(m_impl->compiled, target, nullptr);
}

std::vector<SchemaProblem> SchemaValidator::problems(const Json& doc) const {
  if (accepts(doc)) return {};
  std::vector<SchemaProblem> out;
  Explainer(m_impl->schema, m_impl->regexes).check(m_impl->schema, doc, Pointer(), out);
  if (!out.empty()) return out;
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::adapters::NlohmannJsonAdapter target(doc);
  valijson::ValidationResults results;
  validator.validate(m_impl->compiled, target, &results);
  out = leaf_errors(results);
  if (out.empty()) out.push_back({Pointer(), "does not match the schema"});
  return out;
}

void SchemaValidator::validate(const Json& doc, Diagnostics& diags) const {
  // A problem of the whole document has no path to name its subject in the message.
  for (auto& p : problems(doc)) diags.error(p.where, p.where.empty() ? "the file " + p.message : std::move(p.message));
}

void validate_schema(const Json& doc, Diagnostics& diags) {
  static const SchemaValidator ours(schema::compose_schema());
  ours.validate(doc, diags);
}

Pointer context_to_pointer(const std::vector<std::string>& context) {
  Pointer ptr;
  for (size_t i = 0; i < context.size(); ++i) {
    const std::string& part = context[i];
    if (i == 0 && part == "<root>") continue;
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']')
      ptr.push_back(part.substr(1, part.size() - 2));
    else
      ptr.push_back(part);
  }
  return ptr;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rows of the optimal-string-alignment table.
  std::vector<size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace berth::loader
