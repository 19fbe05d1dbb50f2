# Run in script mode by berth_embed_file: writes the bytes of INPUT as a C++ array.
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR size "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUTPUT} "// Generated from ${INPUT}; do not edit.\n#include <string_view>\n"
  "namespace berth::embedded {\nstatic const char data[] = {${bytes} 0};\n"
  "extern const std::string_view ${SYMBOL};\nconst std::string_view ${SYMBOL}(data, ${size});\n}\n")
