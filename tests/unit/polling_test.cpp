// The REST polling schedule: brisk while messages flow, slow when idle, backoff on failure.
// Time is an argument everywhere, so every boundary is tested to the millisecond.
#include "pushsync/polling.h"

#include <gtest/gtest.h>

#include <vector>

namespace pushsync {
namespace {

constexpr Millis kStart = 1'000'000;  // any epoch: the host's monotonic clock

TEST(PollSchedule, StoppedHasNothingDue) {
  PollSchedule poll;
  EXPECT_FALSE(poll.running());
  EXPECT_EQ(poll.due(), std::nullopt);
  poll.hurry(kStart);
  EXPECT_EQ(poll.due(), std::nullopt);
}

TEST(PollSchedule, StartIsDueAtOnceAndIsIdempotent) {
  PollSchedule poll;
  poll.start(kStart);
  EXPECT_TRUE(poll.running());
  EXPECT_EQ(poll.due(), kStart);
  poll.start(kStart + 500);  // already running: no-op
  EXPECT_EQ(poll.due(), kStart);
}

TEST(PollSchedule, NothingDueWhileInFlight) {
  PollSchedule poll;
  poll.start(kStart);
  poll.poll_sent();
  EXPECT_EQ(poll.due(), std::nullopt);
  poll.hurry(kStart + 10);
  EXPECT_EQ(poll.due(), std::nullopt);
  poll.poll_done(true, kStart + 100);
  EXPECT_EQ(poll.due(), kStart + 100 + PollSchedule::kActiveInterval);
}

// Polls every 3 s for 60 s after the last new messages, then every 30 s.
TEST(PollSchedule, IntervalBoundaryTable) {
  struct Case {
    Millis since_activity;
    Millis interval;
  };
  for (const Case c : {Case{0, 3'000}, Case{1, 3'000}, Case{30'000, 3'000}, Case{59'999, 3'000},
                       Case{60'000, 30'000}, Case{60'001, 30'000}, Case{3'600'000, 30'000}}) {
    PollSchedule poll;
    poll.start(kStart);  // a fresh start counts as activity
    EXPECT_EQ(poll.interval(kStart + c.since_activity), c.interval) << c.since_activity;
    poll.poll_sent();
    poll.poll_done(true, kStart + c.since_activity);
    EXPECT_EQ(poll.due(), kStart + c.since_activity + c.interval) << c.since_activity;
  }
}

TEST(PollSchedule, NewMessagesKeepItBrisk) {
  PollSchedule poll;
  poll.start(kStart);
  poll.saw_new_messages(kStart + 50'000);
  EXPECT_EQ(poll.interval(kStart + 109'999), 3'000);
  EXPECT_EQ(poll.interval(kStart + 110'000), 30'000);
  // A session polled through: 3 s while active, then 30 s.
  Millis now = kStart;
  std::vector<Millis> gaps;
  for (int i = 0; i < 30; ++i) {
    ASSERT_EQ(poll.due(), now);
    poll.poll_sent();
    poll.poll_done(true, now);
    gaps.push_back(*poll.due() - now);
    now = *poll.due();
  }
  // 30 polls 3 s apart end at kStart + 87'000, within 60 s of the messages seen at kStart + 50'000.
  for (const Millis gap : gaps) EXPECT_EQ(gap, 3'000);
}

TEST(PollSchedule, FailureBackoffTable) {
  PollSchedule poll;
  poll.start(kStart);
  Millis now = kStart;
  for (const Millis expected : {3'000, 6'000, 12'000, 24'000, 30'000, 30'000, 30'000}) {
    ASSERT_EQ(poll.due(), now);
    poll.poll_sent();
    poll.poll_done(false, now);
    EXPECT_EQ(*poll.due() - now, expected);
    now = *poll.due();
  }
}

TEST(PollSchedule, ManyFailuresStayCapped) {
  PollSchedule poll;
  poll.start(0);
  Millis now = 0;
  for (int i = 0; i < 1'000; ++i) {
    poll.poll_sent();
    poll.poll_done(false, now);
    ASSERT_LE(*poll.due() - now, 30'000);
    now = *poll.due();
  }
  poll.poll_sent();
  poll.poll_done(false, now);
  EXPECT_EQ(*poll.due() - now, 30'000);
}

TEST(PollSchedule, SuccessResetsTheBackoff) {
  PollSchedule poll;
  poll.start(kStart);
  Millis now = kStart;
  for (int i = 0; i < 4; ++i) {
    poll.poll_sent();
    poll.poll_done(false, now);
    now = *poll.due();
  }
  EXPECT_EQ(*poll.due() - kStart, 3'000 + 6'000 + 12'000 + 24'000);
  poll.poll_sent();
  poll.poll_done(true, now);
  poll.saw_new_messages(now);
  EXPECT_EQ(*poll.due() - now, 3'000);
  now = *poll.due();
  poll.poll_sent();
  poll.poll_done(false, now);
  EXPECT_EQ(*poll.due() - now, 3'000);  // the first failure again
}

TEST(PollSchedule, HurryTable) {
  struct Case {
    const char* name;
    Millis hurry_at;
    Millis due_after;
  };
  // A poll due at kStart + 30'000 (idle schedule).
  for (const Case c : {Case{"before the due time", kStart + 61'000, kStart + 61'000},
                       Case{"one ms before", kStart + 89'999, kStart + 89'999},
                       Case{"exactly at the due time", kStart + 90'000, kStart + 90'000},
                       Case{"after the due time: stays as it was", kStart + 95'000, kStart + 90'000}}) {
    PollSchedule poll;
    poll.start(kStart);
    poll.poll_sent();
    poll.poll_done(true, kStart + 60'000);
    ASSERT_EQ(poll.due(), kStart + 90'000);
    poll.hurry(c.hurry_at);
    EXPECT_EQ(poll.due(), c.due_after) << c.name;
  }
}

TEST(PollSchedule, StopAndRestart) {
  PollSchedule poll;
  poll.start(kStart);
  poll.poll_sent();
  poll.poll_done(false, kStart);
  poll.stop();
  EXPECT_FALSE(poll.running());
  EXPECT_EQ(poll.due(), std::nullopt);
  poll.start(kStart + 100'000);
  EXPECT_EQ(poll.due(), kStart + 100'000);
  poll.poll_sent();
  poll.poll_done(false, kStart + 100'000);
  EXPECT_EQ(poll.due(), kStart + 103'000);  // failures were forgotten
  // A restart is activity too: brisk for the next minute.
  EXPECT_EQ(poll.interval(kStart + 159'999), 3'000);
}

TEST(PollSchedule, StopWhileInFlightThenRestart) {
  PollSchedule poll;
  poll.start(kStart);
  poll.poll_sent();
  poll.stop();
  poll.start(kStart + 5);
  EXPECT_EQ(poll.due(), kStart + 5);  // not stuck "in flight"
}

}  // namespace
}  // namespace pushsync
