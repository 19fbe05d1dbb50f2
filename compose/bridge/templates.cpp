// The transformer's Convert over a template directory (see templates.hpp), with the output kept
// in memory: a directory "exists" once a file is written under it, which is what convert.go's
// MkdirAll-then-remove-if-empty leaves on disk.
#include "compose/bridge/templates.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "compose/bridge/template_yaml.hpp"
#include "compose/model/json_io.hpp"

namespace berth::bridge {

namespace {

namespace fs = std::filesystem;
using TrJson = nlohmann::json;

std::string tr_read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("read `" + p.string() + "`: " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string tr_replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size())
    s.replace(at, from.size(), to);
  return s;
}

class DirRun {
 public:
  explicit DirRun(const TrJson& model) : model_(model), funcs_(transformer_funcs()) {}

  TemplateRun run;

  void convert(const fs::path& dir, const std::string& out) {
    std::error_code ec;
    std::vector<fs::directory_entry> entries;
    for (const auto& e : fs::directory_iterator(dir, ec)) entries.push_back(e);
    if (ec) throw std::runtime_error("cannot access templates dir: open " + dir.string() + ": " + ec.message());
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.path().filename().string() < b.path().filename().string(); });
    for (const auto& e : entries) {
      const std::string name = e.path().filename().string();
      if (name == "_index.tmpl") continue;
      if (e.is_directory()) {
        convert(e.path(), join(out, name));
        continue;
      }
      apply(Value{model_, true}, e.path(), out);
    }
    fs::path index = dir / "_index.tmpl";
    if (fs::exists(index)) {
      TrJson files = TrJson::array();  // os.ReadDir(out): the entries by name, `.Name` of each
      for (const auto& n : listing(out)) files.push_back(TrJson{{"Name", n}});
      apply(Value{files, true}, index, out);
    }
  }

 private:
  using Value = gocompat::tmpl::Value;
  const TrJson& model_;
  gocompat::tmpl::FuncMap funcs_;
  std::set<std::string> written_;

  static std::string join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "/" + b; }

  /// What `dir` (relative to the output) holds now: files written there and directories that
  /// have a file under them.
  std::set<std::string> listing(const std::string& dir) const {
    std::set<std::string> names;
    const std::string prefix = dir.empty() ? "" : dir + "/";
    for (const auto& path : written_) {
      if (path.compare(0, prefix.size(), prefix) != 0) continue;
      std::string rest = path.substr(prefix.size());
      names.insert(rest.substr(0, rest.find('/')));
    }
    return names;
  }

  void apply(const Value& data, const fs::path& file, const std::string& out) {
    const std::string name = file.filename().string();
    gocompat::tmpl::Template t(name, funcs_);
    std::string text;
    try {
      t.parse(tr_read(file));
      text = t.execute(data);
    } catch (const TransformerExit&) {
      throw;
    } catch (const std::runtime_error& e) {
      const bool parsed = std::string(e.what()).find(": executing \"") != std::string::npos;
      throw std::runtime_error(std::string(parsed ? "cannot execute template " : "cannot parse template ") +
                               file.string() + ": " + e.what());
    }
    std::vector<TemplateDocument> docs;
    try {
      docs = reencode_documents(text);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error("failed to parse generated yaml " + file.string() + ": " + e.what());
    }
    for (auto& d : docs) {
      std::string clean = tr_replace_all(tr_replace_all(d.text, "\xE2\x8C\xA6", "{{"), "\xE2\x8C\xAB", "}}");
      if (d.file.empty()) {
        run.messages.push_back(clean);  // fmt.Println: the document and a newline
        continue;
      }
      const std::string path = join(out, d.file);
      auto existing = std::find_if(run.files.begin(), run.files.end(), [&](const File& f) { return f.path == path; });
      if (existing != run.files.end())
        existing->text = clean;  // os.WriteFile replaces
      else
        run.files.push_back(File{path, clean});
      written_.insert(path);
      run.messages.push_back("Kubernetes resource " + d.file + " created");
    }
  }
};

/// Service `expose` values as strings (compose-go keeps them as strings).
std::string tr_port_text(const TrJson& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

TrJson template_model(const model::Project& project, const std::map<std::string, std::string>& environment,
                      const std::map<std::string, std::vector<std::string>>& image_ports) {
  // ordered_json → json: Go's map[string]any has no order; templates range over sorted keys
  TrJson model = TrJson::parse(model::project_to_json(project, model::Flavor::Yaml).dump());
  if (model.contains("services")) {
    for (auto& [name, service] : model["services"].items()) {
      if (!service.contains("image") || service["image"].get<std::string>().empty())
        service["image"] = project.name + "-" + name;
      std::vector<std::string> expose;
      if (service.contains("expose"))
        for (const auto& e : service["expose"]) expose.push_back(tr_port_text(e));
      if (auto it = image_ports.find(name); it != image_ports.end())
        expose.insert(expose.end(), it->second.begin(), it->second.end());
      if (service.contains("ports"))
        for (const auto& p : service["ports"])
          if (p.contains("target")) expose.push_back(tr_port_text(p["target"]));
      std::vector<std::string> unique;
      for (const auto& e : expose)
        if (std::find(unique.begin(), unique.end(), e) == unique.end()) unique.push_back(e);
      if (!unique.empty()) service["expose"] = unique;
    }
  }
  auto load_content = [&](const char* key, const std::map<std::string, model::FileObject>& objects) {
    if (!model.contains(key)) return;
    for (auto& [name, entry] : model[key].items()) {
      auto it = objects.find(name);
      if (it == objects.end() || it->second.external) continue;
      const model::FileObject& o = it->second;
      if (!o.environment.empty()) {
        auto env = environment.find(o.environment);
        entry["content"] = env != environment.end() ? env->second : o.content;
      } else if (!o.file.empty()) {
        std::ifstream in(o.file, std::ios::binary);
        if (!in) throw std::runtime_error("open " + o.file + ": " + std::strerror(errno));
        std::ostringstream s;
        s << in.rdbuf();
        entry["content"] = s.str();
      } else if (!o.content.empty()) {
        entry["content"] = o.content;
      }
    }
  };
  load_content("secrets", project.secrets);
  load_content("configs", project.configs);
  return model;
}

TemplateRun render_template_dir(const TrJson& model, const std::string& dir) {
  DirRun r(model);
  r.convert(dir, "");
  return std::move(r.run);
}

}  // namespace berth::bridge
