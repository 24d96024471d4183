// Internal: the one reader of the frames seen most (Pusher envelopes, `new_message` payloads, the
// messages of a REST page). A strict RFC 8259 reader that builds no DOM: the caller walks the
// text key by key and decodes strings straight into the strings it keeps. It accepts exactly what
// nlohmann accepts (valid UTF-8, no lone surrogates, the number grammar, nothing after the value)
// and reads every value the same way: tests/unit/json_scanner_test.cpp and the frame and page
// fuzzers compare the decoders built on it with an nlohmann oracle (tests/support/json_oracle.h).
//
// Nesting deeper than kMaxJsonDepth (json_limits.h) is a fault of its own (TooDeep), found on the
// way down, so no input can make a recursive reader run out of stack.
//
// Pusher double-encodes a frame's `data`: a string whose text is the event's JSON. A scanner of
// Layer::InString reads that JSON straight out of the string's raw text (from after its opening
// quote), undoing the string's escapes as it goes, so a `new_message` is decoded in one pass
// instead of unescaped into a buffer and scanned again; the JSON text ends at the string's closing
// quote, the first quote not escaped, which the scanner is then at. It reads the escapes JSON
// writers use for JSON text (`\"` for a quote, `\\` for a backslash, `\/`, and `\n`, `\r`, `\t`
// as whitespace between tokens); any other one is a fault, and so is anything else the string's
// own reader would refuse. Its caller then reads the string the long way (Text), which gives the
// same value or names the error: so the one pass only ever decides what the long way would have
// decided too (frame_fuzz checks that it does).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pushsync::scan {

enum class Fault { None, Syntax, TooDeep };

/// A JSON number as nlohmann types it: an integer literal is Unsigned when it has no sign and fits
/// uint64, Integer when it is negative and fits int64, and Float otherwise (fraction, exponent,
/// out of range); `value` is then strtod's reading of it.
struct Number {
  enum class Kind { Unsigned, Integer, Float } kind = Kind::Unsigned;
  std::uint64_t u = 0;
  std::int64_t i = 0;
  double value = 0;
};

/// Whether the text's bytes are already known to be valid UTF-8 (the `data` string of a frame the
/// scanner decoded: every byte of it was validated or written by the scanner), so the scanner need
/// not check them again.
enum class Utf8 { Check, Valid };

/// What the scanner's text is: JSON text, or the raw text of a JSON string after its opening quote
/// (to its closing quote, or anywhere after it), whose value is the JSON text to read (see above).
enum class Layer { Text, InString };

class Scanner {
 public:
  explicit Scanner(std::string_view text, Utf8 utf8 = Utf8::Check, Layer layer = Layer::Text)
      : p_(text.data()), end_(text.data() + text.size()), check_utf8_(utf8 == Utf8::Check),
        in_string_(layer == Layer::InString) {
    // A UTF-8 byte order mark before the value is skipped, as nlohmann's lexer does.
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") p_ += 3;
  }

  /// False once anything was not JSON or nested too deeply; every call after that fails too.
  bool ok() const { return fault_ == Fault::None; }
  Fault fault() const { return fault_; }
  Layer layer() const { return in_string_ ? Layer::InString : Layer::Text; }

  /// A place in the text to come back to (before a value read another way first).
  struct Mark {
    const char* at;
  };
  Mark mark() const { return {p_}; }
  void rewind(Mark m) { p_ = m.at; }

  /// The kind of the next value, without consuming it: '"', '{', '[', 'n', 't', 'f', '-'/digit;
  /// '\0' at the end of the text.
  char peek_value();

  /// Enters the object at the current position ('{' expected).
  bool begin_object();
  /// The next key of the current object (false at its end, or on a fault). A key with escapes is
  /// decoded into `scratch` and `key` views it; otherwise `key` views the text.
  bool next_key(std::string_view& key, std::string& scratch);
  /// Enters the array at the current position ('[' expected).
  bool begin_array();
  /// True when the current array has another element (the scanner is then before it).
  bool next_element();

  /// Decodes a string value into `out` (replacing its contents; its capacity is reused, and it is
  /// reserved once to the raw length, an upper bound of the decoded one).
  bool string_value(std::string& out);
  bool number_value(Number& out);
  bool bool_value(bool& out);
  /// Consumes `null` (a fault when the next value is not null).
  bool null_value();
  /// Consumes any value, validating it as a full parse would.
  bool skip_value();
  /// Consumes any value and returns its text (for values kept as JSON text; of Layer::InString,
  /// the raw text, escaped as the string has it).
  bool raw_value(std::string_view& out);

  /// After the outermost value: only whitespace may follow (up to a NUL byte, as nlohmann reads;
  /// of Layer::InString, up to the string's closing quote or the end of the text).
  bool at_end();

 private:
  void skip_ws() {
    if (!in_string_) {
      while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
      return;
    }
    // Inside a string, a raw line break or tab is not allowed; its escape is whitespace here.
    for (;;) {
      while (p_ < end_ && *p_ == ' ') ++p_;
      if (end_ - p_ < 2 || p_[0] != '\\' || (p_[1] != 'n' && p_[1] != 'r' && p_[1] != 't')) return;
      p_ += 2;
    }
  }
  /// The length of the quote that opens or closes a string here: `"`, or `\"` inside a string; 0
  /// when there is none.
  std::size_t quote_here() const {
    if (!in_string_) return p_ < end_ && *p_ == '"' ? 1 : 0;
    return end_ - p_ >= 2 && p_[0] == '\\' && p_[1] == '"' ? 2 : 0;
  }
  enum class Escape { Fail, End, Char, CodePoint };
  Escape escape(const char* limit, char& c, std::uint32_t& cp);
  bool fail(Fault fault = Fault::Syntax) {
    if (fault_ == Fault::None) fault_ = fault;
    p_ = end_;
    return false;
  }
  bool enter();
  bool after_member();
  bool decode_string(std::string& out);
  bool skip_string();
  bool skip_plain();
  bool unicode_escape(const char* limit, std::uint32_t& cp);

  const char* p_;
  const char* end_;
  Fault fault_ = Fault::None;
  bool check_utf8_;
  bool in_string_;
  bool first_ = true;  // no comma before the first key/element of the current container
  int depth_ = 0;
};

}  // namespace pushsync::scan
