#include "pushsync/time_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using pushsync::kIso8601MsLength;
using pushsync::TimeText;

namespace {

// What the store keeps must write back exactly what came, whichever way it is kept.
std::string viewed(const TimeText& t) {
  char buffer[kIso8601MsLength];
  return std::string(t.view(buffer));
}

}  // namespace

TEST(TimeText, EveryTextComesBackAsReceived) {
  const std::vector<std::string> texts = {
      "2026-11-29T13:05:11.123Z",       // canonical (toISOString): kept as its milliseconds
      "1970-01-01T00:00:00.000Z",       // the epoch, canonical
      "0000-01-01T00:00:00.000Z",       // the first year the form writes
      "9999-12-31T23:59:59.999Z",       // the last
      "2026-11-29T14:05:11.123+01:00",  // an offset
      "2026-11-29T13:05:11Z",           // no fraction
      "2026-11-29T13:05:11.1234Z",      // more digits than milliseconds
      "2026-11-29t13:05:11.123z",       // lower case
      "2026-11-29 13:05:11.123Z",       // a space for the T
      "2026-11-29T13:05:60.000Z",       // a leap second: parses, the canonical form of it is the next minute
      "yesterday",                      // not a time at all
      "",                               // none
  };
  for (const auto& text : texts) {
    const TimeText t(text);
    EXPECT_EQ(t.text(), text);
    EXPECT_EQ(viewed(t), text);
    EXPECT_EQ(t.empty(), text.empty()) << text;
    EXPECT_EQ(t.ms(), pushsync::parse_iso8601_ms(text)) << text;
    EXPECT_EQ(t, TimeText(text)) << text;
    EXPECT_TRUE(t == text) << text;
  }
}

TEST(TimeText, TheSameInstantWrittenTwoWaysIsTwoTexts) {
  // An update whose text differs is a change, even for the same instant (the store keeps it).
  const TimeText canonical("2026-11-29T13:05:11.000Z");
  const TimeText offset("2026-11-29T14:05:11+01:00");
  EXPECT_EQ(canonical.ms(), offset.ms());
  EXPECT_NE(canonical, offset);
  EXPECT_NE(canonical, TimeText());
}

TEST(TimeText, AParseTheCallerHasGivesTheSameValue) {
  for (const std::string text : {"2026-11-29T13:05:11.123Z", "2026-11-29T14:05:11+01:00"}) {
    const auto ms = pushsync::parse_iso8601_ms(text);
    ASSERT_TRUE(ms);
    EXPECT_EQ(TimeText(text, *ms), TimeText(text)) << text;
    EXPECT_EQ(TimeText(text, *ms).text(), text);
  }
}

TEST(TimeText, FromMillisecondsIsTheCanonicalText) {
  EXPECT_EQ(TimeText::of_ms(1795957511123).text(), "2026-11-29T13:05:11.123Z");
  EXPECT_EQ(TimeText::of_ms(1795957511123), TimeText("2026-11-29T13:05:11.123Z"));
  EXPECT_EQ(TimeText::of_ms(0).ms(), 0);
  // Past year 9999 the form is clamped: the text is kept, and it is not that instant.
  const TimeText far = TimeText::of_ms(253'402'300'800'000);
  EXPECT_EQ(far.text(), pushsync::format_iso8601_ms(253'402'300'800'000));
  EXPECT_NE(far.ms(), 253'402'300'800'000);
}
