#include "pushsync/iso_time.h"

#include <gtest/gtest.h>

using pushsync::parse_iso8601_ms;

TEST(IsoTime, ParsesUtcWithMilliseconds) {
  EXPECT_EQ(parse_iso8601_ms("1970-01-01T00:00:00.000Z"), 0);
  EXPECT_EQ(parse_iso8601_ms("2026-11-29T13:05:11.123Z"), 1795957511123);
}

TEST(IsoTime, AcceptsOffsetsAndNoFraction) {
  EXPECT_EQ(parse_iso8601_ms("2026-11-29T14:05:11+01:00"), 1795957511000);
  EXPECT_EQ(parse_iso8601_ms("2026-11-29T13:05:11"), 1795957511000);
  EXPECT_EQ(parse_iso8601_ms("2026-11-29T13:05:11.1234567Z"), 1795957511123);
}

TEST(IsoTime, RefusesWhatIsNotATimestamp) {
  for (const char* bad : {"", "yesterday", "2026-13-01T00:00:00Z", "2026-11-29T25:00:00Z", "2026-11-29T13:05:11.Z",
                          "2026-11-29T13:05:11Zjunk", "2026-11-29"}) {
    EXPECT_FALSE(parse_iso8601_ms(bad).has_value()) << bad;
  }
}
