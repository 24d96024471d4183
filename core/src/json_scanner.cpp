#include "json_scanner.h"

#include "json_limits.h"

namespace pushsync::scan {

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates, <= U+10FFFF),
// or 0 when it is not one. nlohmann refuses invalid UTF-8, so the scanner must too.
std::size_t utf8_length(const unsigned char* p, const unsigned char* end) {
  const unsigned char c = *p;
  const auto cont = [&](std::size_t i) { return p + i < end && (p[i] & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;   // overlong
    if (c == 0xED && p[1] >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && p[1] < 0x90) return 0;   // overlong
    if (c == 0xF4 && p[1] >= 0x90) return 0;  // beyond U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

bool Scanner::begin_object() {
  skip_ws();
  if (p_ >= end_ || *p_ != '{') return fail();
  ++p_;
  first_ = true;
  return true;
}

bool Scanner::next_key(std::string_view& key) {
  if (!ok_) return false;
  skip_ws();
  if (p_ >= end_) return fail();
  if (*p_ == '}') {
    ++p_;
    first_ = false;  // the enclosing object continues after this value
    return false;
  }
  if (!first_) {
    if (*p_ != ',') return fail();
    ++p_;
    skip_ws();
  }
  first_ = false;
  if (p_ >= end_ || *p_ != '"') return fail();
  const char* start = ++p_;
  while (p_ < end_ && *p_ != '"') {
    const auto c = static_cast<unsigned char>(*p_);
    if (c == '\\' || c < 0x20 || c >= 0x80) return fail();  // plain ASCII keys only
    ++p_;
  }
  if (p_ >= end_) return fail();
  key = std::string_view(start, static_cast<std::size_t>(p_ - start));
  ++p_;
  skip_ws();
  if (p_ >= end_ || *p_ != ':') return fail();
  ++p_;
  skip_ws();
  return true;
}

char Scanner::peek_value() {
  skip_ws();
  return p_ < end_ ? *p_ : '\0';
}

bool Scanner::string_value(std::string& out) {
  if (!ok_ || p_ >= end_ || *p_ != '"') return fail();
  ++p_;
  out.clear();
  for (;;) {
    // Copy the longest plain run at once: most content has no escapes at all.
    const char* run = p_;
    while (p_ < end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
      ++p_;
    }
    out.append(run, static_cast<std::size_t>(p_ - run));
    if (p_ >= end_) return fail();
    const auto c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      ++p_;
      return true;
    }
    if (c < 0x20) return fail();  // control characters must be escaped
    if (c >= 0x80) {
      const std::size_t n = utf8_length(reinterpret_cast<const unsigned char*>(p_), reinterpret_cast<const unsigned char*>(end_));
      if (n == 0) return fail();
      out.append(p_, n);
      p_ += n;
      continue;
    }
    // An escape.
    if (++p_ >= end_) return fail();
    switch (*p_++) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        const auto read4 = [&](std::uint32_t& v) {
          if (end_ - p_ < 4) return false;
          v = 0;
          for (int i = 0; i < 4; ++i) {
            const int h = hex(p_[i]);
            if (h < 0) return false;
            v = v * 16 + static_cast<std::uint32_t>(h);
          }
          p_ += 4;
          return true;
        };
        std::uint32_t cp;
        if (!read4(cp)) return fail();
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          std::uint32_t low;
          if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return fail();
          p_ += 2;
          if (!read4(low) || low < 0xDC00 || low > 0xDFFF) return fail();
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return fail();  // a lone low surrogate
        }
        append_utf8(out, cp);
        break;
      }
      default:
        return fail();
    }
  }
}

bool Scanner::integer_value(std::int64_t& out) {
  if (!ok_ || p_ >= end_) return fail();
  const bool negative = *p_ == '-';
  const char* start = negative ? p_ + 1 : p_;
  const char* q = start;
  std::uint64_t value = 0;
  while (q < end_ && *q >= '0' && *q <= '9') {
    if (value > (UINT64_MAX - 9) / 10) return fail();  // leave huge numbers to nlohmann
    value = value * 10 + static_cast<std::uint64_t>(*q - '0');
    ++q;
  }
  if (q == start || (*start == '0' && q - start > 1)) return fail();  // no digits, or a leading zero
  if (q < end_ && (*q == '.' || *q == 'e' || *q == 'E')) return fail();  // a float: not handled
  if (value > static_cast<std::uint64_t>(INT64_MAX)) return fail();
  out = negative ? -static_cast<std::int64_t>(value) : static_cast<std::int64_t>(value);
  p_ = q;
  return true;
}

bool Scanner::bool_value(bool& out) {
  if (end_ - p_ >= 4 && std::string_view(p_, 4) == "true") {
    out = true;
    p_ += 4;
    return true;
  }
  if (end_ - p_ >= 5 && std::string_view(p_, 5) == "false") {
    out = false;
    p_ += 5;
    return true;
  }
  return fail();
}

bool Scanner::null_value() {
  if (end_ - p_ >= 4 && std::string_view(p_, 4) == "null") {
    p_ += 4;
    return true;
  }
  return false;
}

bool Scanner::skip_value() {
  switch (peek_value()) {
    case '"': {
      std::string ignored;
      return string_value(ignored);
    }
    case '{': {
      // Deeper than any frame needs: not handled here (the general path refuses it, bounded).
      if (depth_ >= kMaxJsonDepth || !begin_object()) return fail();
      ++depth_;
      std::string_view key;
      while (next_key(key)) {
        if (!skip_value()) return false;
      }
      --depth_;
      return ok_;
    }
    case 't':
    case 'f': {
      bool ignored;
      return bool_value(ignored);
    }
    case 'n':
      return null_value() || fail();
    default: {
      std::int64_t ignored;
      return integer_value(ignored);
    }
  }
}

bool Scanner::at_end() {
  skip_ws();
  return ok_ && p_ == end_;
}

}  // namespace pushsync::scan
