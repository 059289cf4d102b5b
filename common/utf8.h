// Text that quotes what a peer or a file sent, made safe to put in a message,
// a gRPC status, a log line or a proto3 `string` field (which must be valid
// UTF-8: protobuf refuses to parse a message holding anything else, so one
// bad byte in an audit entry would break the audit chain's readers).
#pragma once

#include <string>
#include <string_view>

namespace fedreg {

// `text` as valid UTF-8 of at most `max_bytes` bytes: invalid sequences
// (stray continuation bytes, overlongs, surrogates, truncated sequences)
// become U+FFFD, and a cut never splits a code point. When the text had to
// be cut, it ends with "..." (counted in `max_bytes`). Never fails.
std::string Utf8Prefix(std::string_view text, size_t max_bytes);

// True when `text` is valid UTF-8 (RFC 3629).
bool IsValidUtf8(std::string_view text);

}  // namespace fedreg
