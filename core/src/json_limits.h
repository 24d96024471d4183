// Internal: what a peer can make the JSON decoders do. nlohmann parses, copies and destroys values
// recursively, so a frame of 100,000 nested arrays (200 KB) overflows the stack (natively; the
// WASM stack is smaller still). Every text from outside is checked by a flat pre-scan first, and a
// value nested deeper than a chat ever needs is refused before any recursion starts.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

namespace pushsync {

/// Far deeper than any payload of this protocol (actionPayload included), far below what the
/// smallest stack survives: the WASM module, where the recursive paths (nlohmann writing or copying
/// a value, the scanner skipping one) ran out of the JavaScript engine's stack at 4,832 levels in
/// Node 20 (toolchain/measure-wasm-depth; docs/security.md). Only that measurement builds a module
/// with another value (PUSHSYNC_MAX_JSON_DEPTH), to find where the stack ends.
#ifndef PUSHSYNC_MAX_JSON_DEPTH
#define PUSHSYNC_MAX_JSON_DEPTH 64
#endif
inline constexpr int kMaxJsonDepth = PUSHSYNC_MAX_JSON_DEPTH;

/// True when no array or object in `text` nests deeper than `max_depth` (strings are skipped,
/// escapes included), up to a NUL byte outside a string, where nlohmann's lexer ends the text too
/// (what follows is never read, so it cannot make the text too deep). Linear, no recursion; says
/// nothing about whether `text` is valid JSON.
inline bool within_depth(std::string_view text, int max_depth = kMaxJsonDepth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '\0') {
      break;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

/// nlohmann's parse, without exceptions and bounded: discarded when `text` is not JSON or nests
/// deeper than kMaxJsonDepth.
inline nlohmann::json parse_bounded(std::string_view text) {
  if (!within_depth(text)) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace pushsync
