#pragma once
// `berth bridge convert --templates DIR`: what compose bridge's transformer image does with its
// /templates, done here (compose-bridge-transformer's convert.go): every *.tmpl of DIR (its
// subdirectories alike, in name order) is a Go text/template run on the compose model as the
// transformer reads it (template_model); the output is read as YAML documents and each one with a
// "#! NAME" comment becomes that file (template_yaml). A directory's `_index.tmpl` runs last, on
// the list of what the directory holds by then (`.Name` of each); an empty directory is removed.
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/bridge/convert.hpp"
#include "compose/gocompat/text_template.hpp"

namespace berth::bridge {

/// What convert.go's ExitError does: the conversion ends with this message.
class TransformerExit : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TemplateRun {
  std::vector<File> files;  ///< path relative to the output directory, in write order
  std::vector<std::string>
      messages;  ///< the transformer's output: "Kubernetes resource NAME created", documents without a name
};

/// The model the transformer's templates see: the project as `docker compose config` writes it
/// (compose-go's YAML), with what docker compose adds first (LoadAdditionalResources): each
/// service's image (default PROJECT-SERVICE), the ports its image exposes (`image_ports`: service
/// → port numbers, from the image store) and its published ports' targets among `expose`, and the
/// `content` of configs and secrets (their file, or their variable in `environment`).
nlohmann::json template_model(const model::Project& project, const std::map<std::string, std::string>& environment,
                              const std::map<std::string, std::vector<std::string>>& image_ports = {});

/// The functions convert.go registers (helmValue, isString, hasAttribute, getAttribute, required,
/// seconds, uppercase, title, safe, truncate, join, base64, readfile, getenv, dir, indent, map,
/// portName), with its behaviour, failures included.
gocompat::tmpl::FuncMap transformer_funcs();

/// Renders the template directory `dir` on `model`. Throws std::runtime_error with the
/// transformer's words ("cannot parse template FILE: template: ...", "cannot execute template
/// FILE: ...", "failed to parse generated yaml FILE: ...", "missing required attribute in compose
/// model: ATTR").
TemplateRun render_template_dir(const nlohmann::json& model, const std::string& dir);

}  // namespace berth::bridge
