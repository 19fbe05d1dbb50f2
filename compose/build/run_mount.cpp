// RUN --mount=type=...,key=value,... as BuildKit reads it (instructions/commands_runmount.go):
// CSV fields (a field may be double-quoted), keys case-insensitive, values expanded; `ro`, `rw`,
// `required` may stand alone. Then the checks BuildKit makes (uid/gid/mode only for cache, secret
// and ssh; sharing only for cache; a secret needs an id, source or target) and the defaults its
// dispatcher fills in (cache id = target; secret id = source or the target's basename, target
// /run/secrets/<basename of id> unless it only goes to an env=; ssh id "default").
#include <cctype>
#include <charconv>
#include <stdexcept>

#include "compose/build/instruction_parts.hpp"
#include "compose/gocompat/units.hpp"

namespace berth::build {

namespace {

/// go-csvvalue Fields of one record.
std::vector<std::string> mount_csv_fields(std::string_view text) {
  std::vector<std::string> fields;
  std::size_t pos = 0;
  for (;;) {
    std::string field;
    if (pos < text.size() && text[pos] == '"') {
      ++pos;
      for (;;) {
        if (pos >= text.size())
          throw std::invalid_argument("failed to parse csv mounts: extraneous or missing \" in quoted-field");
        if (text[pos] == '"') {
          if (pos + 1 < text.size() && text[pos + 1] == '"') {
            field += '"';
            pos += 2;
            continue;
          }
          ++pos;
          break;
        }
        field += text[pos++];
      }
      if (pos < text.size() && text[pos] != ',') {
        throw std::invalid_argument("failed to parse csv mounts: extraneous or missing \" in quoted-field");
      }
    } else {
      std::size_t comma = text.find(',', pos);
      std::string_view raw = text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
      if (raw.find('"') != std::string_view::npos) {
        throw std::invalid_argument("failed to parse csv mounts: bare \" in non-quoted-field");
      }
      field = std::string(raw);
      pos += raw.size();
    }
    fields.push_back(std::move(field));
    if (pos >= text.size()) break;
    ++pos;  // the comma
  }
  return fields;
}

bool mount_parse_uint(std::string_view text, int base, unsigned& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && end == text.data() + text.size();
}

std::string mount_basename(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return ".";
  if (path == "/") return "/";
  std::size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

RunMount parse_run_mount(std::string_view spec, const std::function<std::string(std::string_view)>& expand) {
  RunMount m;
  m.sharing.clear();
  bool ro_auto = true;
  bool id_set = false;
  bool mode_set = false;
  for (const std::string& field : mount_csv_fields(spec)) {
    std::size_t eq = field.find('=');
    std::string key = field.substr(0, eq);
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (eq == std::string::npos) {
      if (key == "readonly" || key == "ro") {
        m.readonly = true;
        ro_auto = false;
      } else if (key == "readwrite" || key == "rw") {
        m.readonly = false;
        ro_auto = false;
      } else if (key == "required") {
        if (m.type != "secret" && m.type != "ssh") {
          throw std::invalid_argument("unexpected key '" + key + "' for mount type '" + m.type + "'");
        }
        m.required = true;
      } else {
        throw std::invalid_argument("invalid field '" + field + "' must be a key=value pair");
      }
      continue;
    }
    std::string raw_value = field.substr(eq + 1);
    if (key == "from") {
      std::size_t dollar = raw_value.find('$');
      if (dollar != std::string::npos && dollar != raw_value.size() - 1) {
        throw std::invalid_argument("'from' doesn't support variable expansion, define alias stage instead");
      }
    }
    std::string value = expand(raw_value);
    auto bad_value = [&] { return std::invalid_argument("invalid value for " + key + ": " + value); };
    if (key == "type") {
      std::string type = value;
      for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (type != "bind" && type != "cache" && type != "tmpfs" && type != "secret" && type != "ssh") {
        throw std::invalid_argument("unsupported mount type \"" + value + "\"");
      }
      m.type = type;
    } else if (key == "from") {
      m.from = value;
    } else if (key == "source" || key == "src") {
      m.source = value;
    } else if (key == "target" || key == "dst" || key == "destination") {
      m.target = value;
    } else if (key == "readonly" || key == "ro") {
      if (!parse_go_bool(value, m.readonly)) throw bad_value();
      ro_auto = false;
    } else if (key == "readwrite" || key == "rw") {
      bool rw = false;
      if (!parse_go_bool(value, rw)) throw bad_value();
      m.readonly = !rw;
      ro_auto = false;
    } else if (key == "required") {
      if (m.type != "secret" && m.type != "ssh") {
        throw std::invalid_argument("unexpected key '" + key + "' for mount type '" + m.type + "'");
      }
      if (!parse_go_bool(value, m.required)) throw bad_value();
    } else if (key == "size") {
      if (m.type != "tmpfs")
        throw std::invalid_argument("unexpected key '" + key + "' for mount type '" + m.type + "'");
      if (!gocompat::parse_bytes(value)) throw bad_value();
      m.size = value;
    } else if (key == "id") {
      m.id = value;
      id_set = !value.empty();
    } else if (key == "sharing") {
      std::string sharing = value;
      for (char& c : sharing) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (sharing != "shared" && sharing != "private" && sharing != "locked") {
        throw std::invalid_argument("unsupported sharing value \"" + value + "\"");
      }
      m.sharing = sharing;
    } else if (key == "mode") {
      unsigned mode = 0;
      if (!mount_parse_uint(value, 8, mode)) throw std::invalid_argument("invalid value " + value + " for mode");
      m.mode = value;
      mode_set = true;
    } else if (key == "uid" || key == "gid") {
      unsigned id = 0;
      if (!mount_parse_uint(value, 10, id)) throw std::invalid_argument("invalid value " + value + " for " + key);
      (key == "uid" ? m.uid : m.gid) = id;
    } else if (key == "env") {
      m.env = value;
    } else {
      throw std::invalid_argument("unexpected key '" + key + "' in '" + field + "'");
    }
  }

  bool file_info_allowed = m.type == "secret" || m.type == "ssh" || m.type == "cache";
  if (!file_info_allowed) {
    if (mode_set) throw std::invalid_argument("mode not allowed for \"" + m.type + "\" type mounts");
    if (m.uid) throw std::invalid_argument("uid not allowed for \"" + m.type + "\" type mounts");
    if (m.gid) throw std::invalid_argument("gid not allowed for \"" + m.type + "\" type mounts");
  }
  if (ro_auto) m.readonly = !(m.type == "cache" || m.type == "tmpfs");
  if (m.type == "secret") {
    if (!m.from.empty()) throw std::invalid_argument("secret mount should not have a from");
    if (!m.sharing.empty()) throw std::invalid_argument("secret mount should not define sharing");
    if (m.source.empty() && m.target.empty() && !id_set) {
      throw std::invalid_argument("invalid secret mount. one of source, target required");
    }
    if (!m.source.empty() && id_set) throw std::invalid_argument("both source and id can't be set");
  }
  if (!m.sharing.empty() && m.type != "cache") {
    throw std::invalid_argument("invalid cache sharing set for " + m.type + " mount");
  }

  if (m.type == "cache") {
    if (m.id.empty()) m.id = m.target;
  } else if (m.type == "secret") {
    if (!m.source.empty()) m.id = m.source;
    if (m.id.empty()) m.id = mount_basename(m.target);
    if (m.target.empty() && m.env.empty()) m.target = "/run/secrets/" + mount_basename(m.id);
  } else if (m.type == "ssh") {
    if (m.id.empty()) m.id = "default";
  }
  if (m.sharing.empty()) m.sharing = "shared";
  return m;
}

}  // namespace berth::build
