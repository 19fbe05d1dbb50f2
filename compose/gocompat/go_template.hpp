#pragma once
// docker/cli's --format handling (cli/command/formatter): "table" (the command's default table),
// "table TEMPLATE" (a header row, then tabwriter columns), "json" (one object per line) or a bare
// TEMPLATE, for commands whose rows are a set of named text fields (stats).
//
// Only the part of Go's text/template such formats use: text with actions `{{.Field}}`,
// `{{json .}}`, `{{json .Field}}`, `{{upper .Field}}`, `{{lower .Field}}`, `{{.}}`-free pipelines,
// and the `{{-` / `-}}` whitespace trims; `\t` and `\n` written as two characters are a tab and a
// newline, as docker's preFormat replaces them.
#include <map>
#include <string>
#include <vector>

namespace berth::gocompat {

/// One row of a formatter context: field (the Go method name, "CPUPerc") → its text.
using TemplateFields = std::map<std::string, std::string>;

/// Renders `rows` as docker's formatter.Context.Write does. `table_default` is the command's
/// "table {{.ID}}\t..." format, used for "table" (and for an empty format); `header` gives each
/// field's column title. Throws std::runtime_error with Go's wording for a template it cannot
/// parse or a field the rows do not have.
std::string format_rows(const std::string& format, const std::string& table_default, const TemplateFields& header,
                        const std::vector<TemplateFields>& rows);

/// One template run on one row (no table handling, no trailing newline).
std::string render_template(const std::string& text, const TemplateFields& fields);

}  // namespace berth::gocompat
