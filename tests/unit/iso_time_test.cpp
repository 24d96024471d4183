#include "pushsync/iso_time.h"

#include <gtest/gtest.h>

#include <cstdint>

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

TEST(IsoTime, BoundaryValuesTable) {
  struct Case {
    const char* text;
    std::int64_t ms;
  };
  for (const Case c : {
           Case{"1969-12-31T23:59:59.999Z", -1},
           Case{"1970-01-01T00:00:00.001Z", 1},
           Case{"2024-02-29T00:00:00Z", 1709164800000},         // leap day
           Case{"2000-02-29T23:59:59.999Z", 951868799999},      // leap century
           Case{"1900-01-01T00:00:00Z", -2208988800000},
           Case{"0000-01-01T00:00:00Z", -62167219200000},
           Case{"9999-12-31T23:59:59.999Z", 253402300799999},
           Case{"2026-11-29t13:05:11z", 1795957511000},          // lower case
           Case{"2026-11-29 13:05:11Z", 1795957511000},          // space separator
           Case{"2026-11-29T12:05:11-01:00", 1795957511000},
           Case{"2026-11-29T13:05:11+00:00", 1795957511000},
           Case{"2026-11-29T13:05:11-00:00", 1795957511000},
           Case{"2026-11-30T13:04:11+23:59", 1795957511000},
           Case{"2026-11-29T13:05:11.1Z", 1795957511100},
           Case{"2026-11-29T13:05:11.12Z", 1795957511120},
           Case{"2026-11-29T13:05:11.999999999999999999999Z", 1795957511999},
           Case{"2026-11-29T13:05:60Z", 1795957560000},          // a leap second reads as the next minute
       }) {
    EXPECT_EQ(parse_iso8601_ms(c.text), c.ms) << c.text;
  }
}

TEST(IsoTime, RefusesOutOfRangeFieldsTable) {
  for (const char* bad : {
           "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z", "2026-11-29T24:00:00Z",
           "2026-11-29T13:60:00Z", "2026-11-29T13:05:61Z", "2026-11-29T13:05:11+24:00", "2026-11-29T13:05:11+01:60",
           "2026-11-29T13:05:11+01", "2026-11-29T13:05:11Z ", " 2026-11-29T13:05:11Z",
           "2026-1-29T13:05:11Z", "+2026-11-29T13:05:11Z", "-2026-11-29T13:05:11Z", "2026/11/29T13:05:11Z",
           "2026-11-29X13:05:11Z", "2026-11-29T13-05-11Z", "2026-11-29T13:05", "2026-11-29T13:05:1",
           "2026-11-29T13:05:11.", "2026-11-29T13:05:11,123Z", "2026-11-29T13:05:11ZZ", "20261129T130511Z",
       }) {
    EXPECT_FALSE(parse_iso8601_ms(bad).has_value()) << bad;
  }
}

// Days that do not exist in their month are not timestamps either (the header: "nullopt for
// anything else"); they must not be silently moved into the next month.
TEST(IsoTime, RefusesDaysBeyondTheMonth) {
  for (const char* bad : {"2026-02-29T00:00:00Z", "2026-02-30T00:00:00Z", "2026-02-31T00:00:00Z",
                          "2024-02-30T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
                          "2026-06-31T00:00:00Z", "2026-09-31T00:00:00Z", "2026-11-31T00:00:00Z"}) {
    EXPECT_FALSE(parse_iso8601_ms(bad).has_value()) << bad << " parsed as " << *parse_iso8601_ms(bad);
  }
}

namespace pushsync {
namespace {

TEST(IsoTime, CompactOffsetIsRead) {
  EXPECT_EQ(parse_iso8601_ms("2026-11-29T14:05:11+0100"), parse_iso8601_ms("2026-11-29T13:05:11Z"));
  EXPECT_EQ(parse_iso8601_ms("2026-11-29T11:35:11-0130"), parse_iso8601_ms("2026-11-29T13:05:11Z"));
}

TEST(IsoTime, FormatRoundTrips) {
  for (const std::int64_t ms : {std::int64_t{0}, std::int64_t{1}, std::int64_t{951'782'400'000} /* 2000-02-29 */,
                                std::int64_t{1'795'957'511'123}, std::int64_t{253'402'300'799'999}}) {
    EXPECT_EQ(parse_iso8601_ms(format_iso8601_ms(ms)), ms) << format_iso8601_ms(ms);
  }
  EXPECT_EQ(format_iso8601_ms(1'795'957'511'123), "2026-11-29T13:05:11.123Z");
  EXPECT_EQ(format_iso8601_ms(-1), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace pushsync
