// Cell clean-up for import (docs/export-format.md, "Spreadsheet artefacts"):
// what fixed-width exports, IME input and hand entry put around a value.
#pragma once

#include <string>
#include <string_view>

namespace fedreg {

// `cell` without leading and trailing white space: ASCII space, tab, CR, LF
// and U+3000 IDEOGRAPHIC SPACE (Japanese IME input). Never fails.
std::string_view TrimCell(std::string_view cell);

// `cell` trimmed and in Unicode NFKC (full-width letters and digits to
// ASCII, ICU), letter case kept. Invalid UTF-8 comes back trimmed only.
std::string FoldWidth(std::string_view cell);

// A code-like cell (OncoTree code, sex, enumerations, gene kinds) folded for
// matching: trimmed, Unicode NFKC (full-width ASCII to ASCII, ICU), ASCII
// letters upper-cased. Invalid UTF-8 comes back trimmed only (the caller's
// check refuses it).
std::string FoldCode(std::string_view cell);

// `text` with its leading and trailing spaces made visible for a message:
// "LMS␣" for "LMS ", "LMS[U+3000]" for an ideographic space, so that
// "unknown code 'LMS '" does not hide the space in a quoted string.
std::string VisibleSpaces(std::string_view text);

}  // namespace fedreg
