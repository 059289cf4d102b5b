// Normalisation of identifiers before they are hashed into link tokens, so
// that the same person written differently at two hospitals gets one token:
// Unicode NFKC (full-width latin and half-width katakana fold to their
// standard forms), upper case, hiragana folded to katakana, and every space,
// punctuation mark and symbol removed (including the katakana middle dot).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/utf8.h"  // IsValidUtf8

namespace fedreg {

// INVALID_ARGUMENT when `text` is not valid UTF-8.
absl::StatusOr<std::string> NormalizeName(std::string_view text);

}  // namespace fedreg
