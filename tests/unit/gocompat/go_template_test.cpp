// compose/gocompat/go_template: docker's --format forms (table, table TEMPLATE, json, TEMPLATE)
// over rows of named fields, and the text/template subset they use.
#include "compose/gocompat/go_template.hpp"

#include <gtest/gtest.h>

namespace berth::gocompat {
namespace {

const TemplateFields kHeader = {{"Name", "NAME"}, {"Size", "SIZE"}};
const std::vector<TemplateFields> kRows = {{{"Name", "web"}, {"Size", "1.5MiB"}},
                                           {{"Name", "database-primary"}, {"Size", "0B"}}};

TEST(GoTemplate, TableIsTheDefaultWithHeaderAndTabwriterColumns) {
  const std::string def = "table {{.Name}}\\t{{.Size}}";
  const std::string expected =
      "NAME               SIZE\n"
      "web                1.5MiB\n"
      "database-primary   0B\n";
  EXPECT_EQ(format_rows("table", def, kHeader, kRows), expected);
  EXPECT_EQ(format_rows("", def, kHeader, kRows), expected);
  // minwidth 10: a narrow column is still 10 wide
  EXPECT_EQ(format_rows("table {{.Size}}\t{{.Name}}", def, kHeader, {kRows[1]}),
            "SIZE      NAME\n0B        database-primary\n");
}

TEST(GoTemplate, JsonIsOneObjectPerRowWithSortedKeys) {
  EXPECT_EQ(format_rows("json", "table {{.Name}}", kHeader, kRows),
            "{\"Name\":\"web\",\"Size\":\"1.5MiB\"}\n{\"Name\":\"database-primary\",\"Size\":\"0B\"}\n");
  EXPECT_EQ(format_rows("{{json .Name}}", "", kHeader, {kRows[0]}), "\"web\"\n");
}

TEST(GoTemplate, BareTemplateHasNoHeaderAndKeepsSpacing) {
  EXPECT_EQ(format_rows("{{.Name}}: {{ .Size }}", "", kHeader, kRows), "web: 1.5MiB\ndatabase-primary: 0B\n");
  EXPECT_EQ(format_rows("{{.Name | upper}}\\n", "", kHeader, {kRows[0]}), "WEB\n\n");
  EXPECT_EQ(render_template("a  {{- .Name -}}  b", {{"Name", "N"}}), "aNb");
  EXPECT_EQ(render_template("{{lower .Name}}", {{"Name", "N"}}), "n");
}

TEST(GoTemplate, UnknownFieldsAndFunctionsAreGoErrors) {
  try {
    format_rows("{{.Nope}}", "", kHeader, kRows, "*container.statsContext");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "template: :1:2: executing \"\" at <.Nope>: can't evaluate field Nope in type *container.statsContext");
  }
  EXPECT_EQ(format_rows("{{.Nope}}", "", kHeader, {kRows[0]}), "<no value>\n");
  EXPECT_THROW(format_rows("{{frob .Name}}", "", kHeader, kRows), std::runtime_error);
  EXPECT_THROW(format_rows("{{.Name", "", kHeader, kRows), std::runtime_error);
}

}  // namespace
}  // namespace berth::gocompat
