#pragma once
// docker/cli's --format handling (cli/command/formatter): "table" (the command's default table),
// "table TEMPLATE" (a header row, then tabwriter columns), "json" (one object per line) or a bare
// TEMPLATE, for commands whose rows are a set of named text fields (stats).
//
// Templates are Go's text/template (text_template.hpp) with docker/cli's functions (json, split,
// join, title, lower, upper, pad, truncate); `\t` and `\n` written as two characters are a tab and a
// newline, as docker's preFormat replaces them.
#include <map>
#include <string>
#include <vector>

namespace berth::gocompat {

/// One row of a formatter context: field (the Go method name, "CPUPerc") → its text.
using TemplateFields = std::map<std::string, std::string>;

/// Renders `rows` as docker's formatter.Context.Write does. `table_default` is the command's
/// "table {{.ID}}\t..." format, used for "table" (and for an empty format); `header` gives each
/// field's column title; `struct_type` is the Go type docker formats (a field the rows lack is
/// "can't evaluate field X in type TYPE"). Throws std::runtime_error with Go's wording for a
/// template it cannot parse or run.
std::string format_rows(const std::string& format, const std::string& table_default, const TemplateFields& header,
                        const std::vector<TemplateFields>& rows, const std::string& struct_type = "");

/// One template run on one row (no table handling, no trailing newline).
std::string render_template(const std::string& text, const TemplateFields& fields, const std::string& struct_type = "");

}  // namespace berth::gocompat
