// Internal: a strict, allocation-light reader for the flat JSON objects that make up nearly every
// frame (a Pusher envelope; a new_message payload). It accepts only a subset of JSON (objects
// whose values are strings, integers, booleans, null, and objects of the same kind), and answers
// "not handled" for anything else: the caller then uses nlohmann, which reads all JSON. Whatever
// the scanner does accept, it must read exactly as nlohmann would; tests/unit/json_scanner_test.cpp
// and the frame fuzzer compare both on every input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pushsync::scan {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  /// False once anything was outside the subset (or not JSON): the caller falls back.
  bool ok() const { return ok_; }

  bool begin_object();
  /// The next key of the current object (false at its end). Keys with escapes are not handled.
  bool next_key(std::string_view& key);
  bool string_value(std::string& out);
  bool integer_value(std::int64_t& out);
  bool bool_value(bool& out);
  /// True (and consumed) when the next value is `null`.
  bool null_value();
  /// The kind of the next value, without consuming it: '"', '{', '[', 'n', 't', 'f', '-'/digit.
  char peek_value();
  /// Skips a value of the subset (nested objects included); arrays and floats are not handled.
  bool skip_value();
  /// After the outermost object: only whitespace may follow.
  bool at_end();

 private:
  void skip_ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool fail() { return ok_ = false; }
  bool after_value();

  const char* p_;
  const char* end_;
  bool ok_ = true;
  bool first_ = true;  // no comma before the first key of the current object
  int depth_ = 0;      // objects skipped inside one another (bounded: see json_limits.h)
};

}  // namespace pushsync::scan
