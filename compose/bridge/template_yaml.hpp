#pragma once
// What compose bridge's transformer does with a template's output: it decodes it as a stream of
// YAML documents into go-yaml v3 nodes and encodes each one again (go-yaml's default indent of 4,
// comments and scalar styles kept), writing a document to the file its "#! NAME" comment names.
//
// This reads the block YAML such templates produce (mappings, sequences (indentless ones too),
// plain/quoted/literal/folded scalars, flow collections kept as written, full-line and trailing
// comments) and lays it out as go-yaml v3 does: nested mappings and sequences at the next multiple
// of 4, a mapping or sequence inside a sequence item 2 past its "- ", block scalars' lines below
// their key, comments before `---` ending the previous document (its foot) or, before the first
// one, opening the next document.
#include <string>
#include <vector>

namespace berth::bridge {

struct TemplateDocument {
  std::string file;  ///< from the "#! NAME" head comment; empty: none (the transformer prints it)
  std::string text;  ///< the document as go-yaml v3 encodes it, ending with a newline
};

/// The documents of `text`. Throws std::runtime_error ("yaml: line N: ...") for what it cannot read.
std::vector<TemplateDocument> reencode_documents(const std::string& text);

}  // namespace berth::bridge
