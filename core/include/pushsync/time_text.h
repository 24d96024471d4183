// A server time's text (a message's `timestamp` and `updatedAt`), kept as received in fewer
// bytes: when the text is the canonical form of some milliseconds (format_iso8601_ms, which is
// what JavaScript's toISOString writes, so nearly every backend), only those milliseconds are
// kept and the text is written again from them when asked for. Any other text (an offset, no
// fraction, not a time at all) is kept as it came. A 24-character text costs a 40-byte heap
// block in WebAssembly (libc++'s short strings hold 10): two of them were a tenth of a stored
// message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pushsync/iso_time.h"

namespace pushsync {

class TimeText {
 public:
  TimeText() = default;
  /// Implicit: a time's text is a string (the codecs and tests assign them as such).
  TimeText(std::string text);  // NOLINT(google-explicit-constructor)
  TimeText(const char* text) : TimeText(std::string(text)) {}
  /// `text`, whose parse (parse_iso8601_ms) the caller has already: saves parsing it twice.
  TimeText(std::string text, std::int64_t parsed_ms);
  /// The canonical text of `ms`.
  static TimeText of_ms(std::int64_t ms);

  /// The text as received ("" when none was).
  std::string text() const;
  /// The same text without allocating: a view of the kept text, or of `buffer` written with it.
  std::string_view view(char (&buffer)[kIso8601MsLength]) const;
  bool empty() const { return ms_ == kTextOnly && text_.empty(); }
  /// The time in milliseconds since the epoch, when the text is one (parse_iso8601_ms).
  std::optional<std::int64_t> ms() const;

  /// Equal texts are equal values: a text is always kept the same way.
  bool operator==(const TimeText&) const = default;
  bool operator==(const std::string& text) const { return *this == TimeText(text); }

 private:
  /// `ms_` when the text is kept in `text_` (not canonical, not a time, or none).
  static constexpr std::int64_t kTextOnly = INT64_MIN;
  std::int64_t ms_ = kTextOnly;
  std::string text_;
};

}  // namespace pushsync
