#pragma once
// text/template's builtin functions. Internal to compose/gocompat.
#include "compose/gocompat/text_template.hpp"

namespace berth::gocompat::tmpl {

/// and, or, not, len, index, slice, print, println, printf, html, js, urlquery, eq, ne, lt, le, gt, ge.
const FuncMap& builtin_funcs();

}  // namespace berth::gocompat::tmpl
