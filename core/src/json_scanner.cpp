#include "json_scanner.h"

#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "json_limits.h"

namespace pushsync::scan {

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates, <= U+10FFFF),
// or 0 when it is not one. nlohmann refuses invalid UTF-8, so the scanner must too.
inline std::size_t utf8_length(const char* text, const char* text_end) {
  const auto* p = reinterpret_cast<const unsigned char*>(text);
  const auto* end = reinterpret_cast<const unsigned char*>(text_end);
  const unsigned char c = *p;
  const std::ptrdiff_t left = end - p;
  const auto cont = [&](std::ptrdiff_t i) { return (p[i] & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;   // overlong
    if (c == 0xED && p[1] >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && p[1] < 0x90) return 0;   // overlong
    if (c == 0xF4 && p[1] >= 0x90) return 0;  // beyond U+10FFFF
    return 4;
  }
  return 0;
}

// Sixteen bytes at a time (the GCC/Clang vector extension: SSE2 natively, simd128 in the WASM
// build, plain code elsewhere): the offset of the first byte that ends a plain run, a quote, a
// backslash, a control character, or (when `check_utf8`) a byte of a multi-byte UTF-8 sequence,
// which the caller validates; 16 when there is none.
using Bytes16 = unsigned char __attribute__((vector_size(16)));
static_assert(std::endian::native == std::endian::little, "first_special reads the first byte from the low bits");
constexpr std::size_t kBlock = 16;

inline std::size_t first_special(const char* p, bool check_utf8) {
  Bytes16 v;
  std::memcpy(&v, p, kBlock);
  auto special = (v == '"') | (v == '\\') | (v < 0x20);
  if (check_utf8) special |= (v >= 0x80);
  std::uint64_t half[2];
  std::memcpy(half, &special, kBlock);  // each byte 0xFF where special; little-endian (x86, WASM)
  if (half[0] != 0) return static_cast<std::size_t>(__builtin_ctzll(half[0]) >> 3);
  if (half[1] != 0) return 8 + static_cast<std::size_t>(__builtin_ctzll(half[1]) >> 3);
  return kBlock;
}

inline bool is_special(unsigned char c, bool check_utf8) {
  return c == '"' || c == '\\' || c < 0x20 || (check_utf8 && c >= 0x80);
}

// The first byte at or after `p` that ends a plain run (see first_special); `end` when none.
inline const char* find_special(const char* p, const char* end, bool check_utf8) {
  while (end - p >= static_cast<std::ptrdiff_t>(kBlock)) {
    const std::size_t k = first_special(p, check_utf8);
    if (k < kBlock) return p + k;
    p += kBlock;
  }
  while (p < end && !is_special(static_cast<unsigned char>(*p), check_utf8)) ++p;
  return p;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

char Scanner::peek_value() {
  skip_ws();
  if (p_ >= end_) return '\0';
  if (in_string_) {
    // A quote is `\"`, and a bare one ends the text; a backslash before anything else starts no value.
    if (*p_ == '"') return '\0';
    if (*p_ == '\\') return quote_here() != 0 ? '"' : '\\';
  }
  return *p_;
}

bool Scanner::enter() {
  if (depth_ >= kMaxJsonDepth) return fail(Fault::TooDeep);
  ++depth_;
  ++p_;
  first_ = true;
  return true;
}

bool Scanner::begin_object() {
  if (peek_value() != '{') return fail();
  return enter();
}

bool Scanner::begin_array() {
  if (peek_value() != '[') return fail();
  return enter();
}

bool Scanner::next_key(std::string_view& key, std::string& scratch) {
  if (!ok()) return false;
  skip_ws();
  if (p_ >= end_) return fail();
  if (*p_ == '}') {
    ++p_;
    --depth_;
    first_ = false;  // the enclosing container continues after this value
    return false;
  }
  if (!first_) {
    if (*p_ != ',') return fail();
    ++p_;
    skip_ws();
  }
  first_ = false;
  const std::size_t quote = quote_here();
  if (quote == 0) return fail();
  p_ += quote;
  const char* start = p_;
  // Keys are short and plain: view them in place; only a key with an escape is decoded.
  if (!skip_plain()) return false;
  if (p_ >= end_ || static_cast<unsigned char>(*p_) < 0x20) return fail();
  if (quote_here() == quote) {
    key = std::string_view(start, static_cast<std::size_t>(p_ - start));
    p_ += quote;
  } else {
    p_ = start;
    if (!decode_string(scratch)) return false;
    key = scratch;
  }
  skip_ws();
  if (p_ >= end_ || *p_ != ':') return fail();
  ++p_;
  return true;
}

bool Scanner::next_element() {
  if (!ok()) return false;
  skip_ws();
  if (p_ >= end_) return fail();
  if (*p_ == ']') {
    ++p_;
    --depth_;
    first_ = false;
    return false;
  }
  if (!first_) {
    if (*p_ != ',') return fail();
    ++p_;
  }
  first_ = false;
  return true;
}

bool Scanner::string_value(std::string& out) {
  if (peek_value() != '"') return fail();
  p_ += quote_here();
  return decode_string(out);
}

namespace {

// The closing quote of the string whose text starts at `p`: the first quote after an even run of
// backslashes; nullptr when there is none before `end`.
const char* closing_quote(const char* p, const char* end) {
  for (const char* q = p;; ++q) {
    q = static_cast<const char*>(std::memchr(q, '"', static_cast<std::size_t>(end - q)));
    if (!q) return nullptr;
    const char* b = q;
    while (b > p && b[-1] == '\\') --b;
    if (((q - b) & 1) == 0) return q;
  }
}

// After a backslash: the escape's plain character, or 'u' for \uXXXX, or 0 when it is none.
inline char plain_escape(char c) {
  switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'u': return 'u';
    default: return 0;
  }
}

// Writes code point `cp` as UTF-8 at `dst`; returns the byte after it.
inline char* put_utf8(char* dst, std::uint32_t cp) {
  if (cp < 0x80) {
    *dst++ = static_cast<char>(cp);
  } else if (cp < 0x800) {
    *dst++ = static_cast<char>(0xC0 | (cp >> 6));
    *dst++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *dst++ = static_cast<char>(0xE0 | (cp >> 12));
    *dst++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *dst++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *dst++ = static_cast<char>(0xF0 | (cp >> 18));
    *dst++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *dst++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *dst++ = static_cast<char>(0x80 | (cp & 0x3F));
  }
  return dst;
}

}  // namespace

// After the opening quote: the string decoded into `out`, written through a pointer into a buffer
// sized once. Its size bounds the decoded length: the raw length up to the closing quote (no
// escape decodes to more bytes than it has), plus a block of room, because plain runs are copied
// a block at a time as they are scanned (a block is stored before its mask says how much of it
// counts). A reused buffer that already holds the rest of the text needs no measuring.
bool Scanner::decode_string(std::string& out) {
  // The decoded text is no longer than the raw text up to the closing quote. Inside a string
  // (Layer::InString), where the closing quote is `\"`, the end of the text bounds it.
  const char* limit = end_;
  if (!in_string_) {
    const char* q = closing_quote(p_, end_);
    if (!q) return fail();
    limit = q + 1;
  }
  // Decoded here (block writes run up to kBlock past the text), then copied once at its size: a
  // string the store keeps holds no slack and a short one stays inline, while a buffer the caller
  // reuses keeps its capacity.
  thread_local std::string decoded;
  decoded.resize(static_cast<std::size_t>(limit - p_) + kBlock);
  char* const base = decoded.data();
  char* dst = base;
  for (;;) {
    // A plain run (ASCII, and valid multi-byte UTF-8 when checked), copied as it is scanned.
    unsigned char c;
    for (;;) {
      while (limit - p_ >= static_cast<std::ptrdiff_t>(kBlock)) {
        std::memcpy(dst, p_, kBlock);
        const std::size_t k = first_special(p_, check_utf8_);
        p_ += k;
        dst += k;
        if (k < kBlock) goto special;
      }
      while (p_ < limit && !is_special(static_cast<unsigned char>(*p_), check_utf8_)) *dst++ = *p_++;
    special:
      if (p_ >= limit) return fail();
      c = static_cast<unsigned char>(*p_);
      if (c < 0x80) break;
      const std::size_t n = utf8_length(p_, limit);
      if (n == 0) return fail();
      for (std::size_t i = 0; i < n; ++i) *dst++ = p_[i];
      p_ += n;
    }
    if (c == '"' && !in_string_) {
      ++p_;
      out.assign(base, static_cast<std::size_t>(dst - base));
      return true;
    }
    if (c != '\\') return fail();  // a control character (they must be escaped), or a bare quote inside a string
    char plain;
    std::uint32_t cp;
    switch (escape(limit, plain, cp)) {
      case Escape::Fail: return fail();
      case Escape::End:
        out.assign(base, static_cast<std::size_t>(dst - base));
        return true;
      case Escape::Char: *dst++ = plain; break;
      case Escape::CodePoint: dst = put_utf8(dst, cp); break;
    }
  }
}

// At a backslash inside a string: the escape, read and passed. `End` only inside a string
// (Layer::InString), where `\"` closes the string; there the string's own escapes are written
// once more escaped (`\\n`, `\\\"`), and a `\/` is a plain '/'.
Scanner::Escape Scanner::escape(const char* limit, char& c, std::uint32_t& cp) {
  if (in_string_) {
    if (limit - p_ < 2) return Escape::Fail;
    if (p_[1] == '"') {
      p_ += 2;
      return Escape::End;
    }
    if (p_[1] == '/') {
      p_ += 2;
      c = '/';
      return Escape::Char;
    }
    // Any other escape of the outer string (a control character, a \u) is not read here.
    if (p_[1] != '\\' || limit - p_ < 3) return Escape::Fail;
    p_ += 2;  // the string's own backslash; its escape's character follows
    if (*p_ == '\\' || *p_ == '"') {
      // A quote or a backslash, escaped once more: `\\\"` and `\\\\` (a bare quote ends the text).
      if (*p_ == '"' || limit - p_ < 2 || (p_[1] != '"' && p_[1] != '\\' && p_[1] != '/')) return Escape::Fail;
      c = p_[1];
      p_ += 2;
      return Escape::Char;
    }
  } else {
    if (++p_ >= limit) return Escape::Fail;
  }
  const char plain = plain_escape(*p_++);
  if (plain == 0) return Escape::Fail;
  if (plain != 'u') {
    c = plain;
    return Escape::Char;
  }
  return unicode_escape(limit, cp) ? Escape::CodePoint : Escape::Fail;
}

// After `\u`: four hex digits, and for a high surrogate the `\u` of its low one; the code point.
// False for a short or bad escape and a lone surrogate (p_ is then anywhere: the caller fails).
bool Scanner::unicode_escape(const char* limit, std::uint32_t& cp) {
  const auto read4 = [&](std::uint32_t& v) {
    if (limit - p_ < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = hex(p_[i]);
      if (h < 0) return false;
      v = v * 16 + static_cast<std::uint32_t>(h);
    }
    p_ += 4;
    return true;
  };
  if (!read4(cp)) return false;
  if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a lone low surrogate
  if (cp < 0xD800 || cp > 0xDBFF) return true;
  std::uint32_t low;
  // The low one's `\u`; inside a string its backslash is escaped too.
  if (in_string_) {
    if (limit - p_ < 3 || p_[0] != '\\' || p_[1] != '\\' || p_[2] != 'u') return false;
    p_ += 3;
  } else {
    if (limit - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
    p_ += 2;
  }
  if (!read4(low) || low < 0xDC00 || low > 0xDFFF) return false;
  cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  return true;
}

// Inside a string: past its plain text (ASCII without specials, and valid multi-byte UTF-8 when
// checked), to the next quote, backslash or control character, or the end.
bool Scanner::skip_plain() {
  for (;;) {
    p_ = find_special(p_, end_, check_utf8_);
    if (p_ >= end_ || static_cast<unsigned char>(*p_) < 0x80) return true;
    const std::size_t n = utf8_length(p_, end_);
    if (n == 0) return fail();
    p_ += n;
  }
}

// After the opening quote: the string validated, up to and past its closing quote.
bool Scanner::skip_string() {
  for (;;) {
    if (!skip_plain()) return false;
    if (p_ >= end_) return fail();
    const auto c = static_cast<unsigned char>(*p_);
    if (c == '"' && !in_string_) {
      ++p_;
      return true;
    }
    if (c != '\\') return fail();
    char plain;
    std::uint32_t cp;
    const Escape e = escape(end_, plain, cp);
    if (e == Escape::Fail) return fail();
    if (e == Escape::End) return true;
  }
}

bool Scanner::number_value(Number& out) {
  skip_ws();
  const char* start = p_;
  const char* q = p_;
  const bool negative = q < end_ && *q == '-';
  if (negative) ++q;
  const char* digits = q;
  if (q >= end_ || !is_digit(*q)) return fail();
  if (*q == '0') {
    ++q;
  } else {
    while (q < end_ && is_digit(*q)) ++q;
  }
  bool integral = true;
  if (q < end_ && *q == '.') {
    integral = false;
    ++q;
    if (q >= end_ || !is_digit(*q)) return fail();
    while (q < end_ && is_digit(*q)) ++q;
  }
  if (q < end_ && (*q == 'e' || *q == 'E')) {
    integral = false;
    ++q;
    if (q < end_ && (*q == '+' || *q == '-')) ++q;
    if (q >= end_ || !is_digit(*q)) return fail();
    while (q < end_ && is_digit(*q)) ++q;
  }
  p_ = q;
  if (integral) {
    std::uint64_t value = 0;
    bool overflow = false;
    for (const char* d = digits; d < q; ++d) {
      const auto digit = static_cast<std::uint64_t>(*d - '0');
      if (value > (UINT64_MAX - digit) / 10) {
        overflow = true;
        break;
      }
      value = value * 10 + digit;
    }
    if (!overflow && !negative) {
      out.kind = Number::Kind::Unsigned;
      out.u = value;
      out.value = static_cast<double>(value);
      return true;
    }
    if (!overflow && value <= static_cast<std::uint64_t>(INT64_MAX) + 1) {
      out.kind = Number::Kind::Integer;
      out.i = value == static_cast<std::uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<std::int64_t>(value);
      out.value = static_cast<double>(out.i);
      return true;
    }
  }
  // A fraction, an exponent or an integer beyond 64 bits: a double, read by strtod as nlohmann
  // reads it (rare in these payloads). nlohmann refuses one that overflows to infinity.
  const std::string token(start, q);
  out.kind = Number::Kind::Float;
  out.value = std::strtod(token.c_str(), nullptr);
  return std::isfinite(out.value) || fail();
}

bool Scanner::bool_value(bool& out) {
  skip_ws();
  if (end_ - p_ >= 4 && std::memcmp(p_, "true", 4) == 0) {
    out = true;
    p_ += 4;
    return true;
  }
  if (end_ - p_ >= 5 && std::memcmp(p_, "false", 5) == 0) {
    out = false;
    p_ += 5;
    return true;
  }
  return fail();
}

bool Scanner::null_value() {
  skip_ws();
  if (end_ - p_ >= 4 && std::memcmp(p_, "null", 4) == 0) {
    p_ += 4;
    return true;
  }
  return fail();
}

bool Scanner::skip_value() {
  switch (peek_value()) {
    case '"':
      p_ += quote_here();
      return skip_string();
    case '{': {
      if (!enter()) return false;
      std::string scratch;  // only a key with escapes uses it
      std::string_view key;
      while (next_key(key, scratch)) {
        if (!skip_value()) return false;
      }
      return ok();
    }
    case '[': {
      if (!enter()) return false;
      while (next_element()) {
        if (!skip_value()) return false;
      }
      return ok();
    }
    case 't':
    case 'f': {
      bool ignored;
      return bool_value(ignored);
    }
    case 'n':
      return null_value();
    default: {
      Number ignored;
      return number_value(ignored);
    }
  }
}

bool Scanner::raw_value(std::string_view& out) {
  skip_ws();
  const char* start = p_;
  if (!skip_value()) return false;
  out = std::string_view(start, static_cast<std::size_t>(p_ - start));
  return true;
}

bool Scanner::at_end() {
  if (!ok()) return false;
  skip_ws();
  // Inside a string the text ends at its closing quote; a NUL is a control character it may not hold.
  if (in_string_) return p_ == end_ || *p_ == '"' || fail();
  // nlohmann's lexer takes a NUL byte outside a string for the end of the input, so whatever
  // follows one after the value is ignored; the core has always read text that way (found by
  // frame_fuzz and message_page_fuzz against the oracle).
  return p_ == end_ || *p_ == '\0' || fail();
}

}  // namespace pushsync::scan
