#include "pushsync/timer_table.h"

#include <gtest/gtest.h>

namespace pushsync {
namespace {

TEST(TimerTable, NextIsTheEarliestAndFireClearsOnlyWhatIsDue) {
  TimerTable timers;
  EXPECT_EQ(timers.next(), std::nullopt);
  timers.set(Timer::Poll, 300);
  timers.set(Timer::GapGrace, 100);
  timers.set(Timer::Typing, 200);
  EXPECT_EQ(timers.next(), 100);
  EXPECT_FALSE(timers.fire(Timer::GapGrace, 99));
  EXPECT_TRUE(timers.fire(Timer::GapGrace, 100));
  EXPECT_FALSE(timers.fire(Timer::GapGrace, 100));  // fired once, then gone
  EXPECT_EQ(timers.next(), 200);
  timers.clear(Timer::Typing);
  EXPECT_EQ(timers.next(), 300);
}

TEST(TimerTable, SetIfUnsetDoesNotSlide) {
  TimerTable timers;
  timers.set_if_unset(Timer::GapGrace, 500);
  timers.set_if_unset(Timer::GapGrace, 900);
  EXPECT_EQ(timers.get(Timer::GapGrace), 500);
  timers.set_or_clear(Timer::GapGrace, std::nullopt);
  EXPECT_FALSE(timers.armed(Timer::GapGrace));
}

}  // namespace
}  // namespace pushsync
