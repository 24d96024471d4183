#include "pushsync/time_text.h"

#include <cstring>
#include <string_view>
#include <utility>

#include "pushsync/iso_time.h"

namespace pushsync {
namespace {

// True when `text`, which parses as `ms`, is what format_iso8601_ms(ms) writes.
bool is_canonical(std::string_view text, std::int64_t ms) {
  if (text.size() != kIso8601MsLength) return false;
  char canonical[kIso8601MsLength];
  write_iso8601_ms(ms, canonical);
  return std::memcmp(canonical, text.data(), kIso8601MsLength) == 0;
}

}  // namespace

TimeText::TimeText(std::string text) {
  const auto parsed = parse_iso8601_ms(text);
  if (parsed && is_canonical(text, *parsed)) ms_ = *parsed;
  else text_ = std::move(text);
}

TimeText::TimeText(std::string text, std::int64_t parsed_ms) {
  if (is_canonical(text, parsed_ms)) ms_ = parsed_ms;
  else text_ = std::move(text);
}

TimeText TimeText::of_ms(std::int64_t ms) {
  // Years outside 0-9999 are written clamped: that text is not the time of `ms`.
  return TimeText(format_iso8601_ms(ms));
}

std::string TimeText::text() const { return ms_ == kTextOnly ? text_ : format_iso8601_ms(ms_); }

std::string_view TimeText::view(char (&buffer)[kIso8601MsLength]) const {
  if (ms_ == kTextOnly) return text_;
  write_iso8601_ms(ms_, buffer);
  return {buffer, kIso8601MsLength};
}

std::optional<std::int64_t> TimeText::ms() const {
  if (ms_ != kTextOnly) return ms_;
  return parse_iso8601_ms(text_);
}

}  // namespace pushsync
