#include "compose/loader/project_name.hpp"

#include <cctype>
#include <stdexcept>

#include "compose/loader/discover.hpp"

namespace berth::loader {

bool is_valid_project_name(const std::string& name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    bool alnum = std::islower(c) || std::isdigit(c);
    if (i == 0 ? !alnum : !(alnum || c == '-' || c == '_')) return false;
  }
  return true;
}

std::string normalize_project_name(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    c = static_cast<unsigned char>(std::tolower(c));
    if (std::islower(c) || std::isdigit(c) || c == '-' || c == '_') out += static_cast<char>(c);
  }
  size_t start = out.find_first_not_of("-_");
  return start == std::string::npos ? "" : out.substr(start);
}

std::string choose_project_name(const ProjectNameSources& s) {
  auto check = [](const std::string& name, const char* source) {
    if (!is_valid_project_name(name))
      throw std::invalid_argument(std::string("invalid project name \"") + name + "\" (from " + source +
                                  "): it must contain only lowercase letters, digits, dashes and underscores, "
                                  "and start with a letter or digit");
    return name;
  };
  if (s.flag && !s.flag->empty()) return check(*s.flag, "--project-name");
  if (s.environment && !s.environment->empty()) return check(*s.environment, "COMPOSE_PROJECT_NAME");
  if (s.file && !s.file->empty()) return check(*s.file, "the top-level name: key");
  std::string name = normalize_project_name(base_name(s.directory));
  if (name.empty())
    throw std::invalid_argument("project name could not be derived from directory \"" + s.directory +
                                "\": use -p or a top-level name: key");
  return name;
}

}  // namespace berth::loader
