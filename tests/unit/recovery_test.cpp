// The REST cursor and gap tracking: what the engine knows it has, and where a sync starts.
#include "pushsync/recovery.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

namespace pushsync {
namespace {

TEST(Recovery, StartsAtZero) {
  const Recovery recovery;
  EXPECT_EQ(recovery.cursor(), 0);
  EXPECT_FALSE(recovery.has_gap());
  EXPECT_EQ(recovery.sync_from(), 0);
  EXPECT_EQ(recovery.position(), std::nullopt);
}

TEST(Recovery, CursorAdvancesOverContiguousRuns) {
  Recovery recovery;
  for (std::int64_t s = 1; s <= 100; ++s) {
    EXPECT_FALSE(recovery.stored(s)) << s;
    EXPECT_EQ(recovery.cursor(), s);
  }
  EXPECT_FALSE(recovery.has_gap());
  EXPECT_EQ(recovery.sync_from(), 100);
}

TEST(Recovery, StoredSequenceTable) {
  struct Case {
    const char* name;
    std::vector<std::int64_t> sequences;
    std::vector<bool> gaps;  // what stored() returned for each
    std::int64_t cursor;
    bool has_gap;
  };
  const std::vector<Case> cases = {
      {"next in line", {1}, {false}, 1, false},
      {"skips one: a gap", {2}, {true}, 0, true},
      {"gap filled", {2, 1}, {true, false}, 2, false},
      {"duplicates below the cursor are ignored", {1, 2, 1, 2}, {false, false, false, false}, 2, false},
      {"zero and negatives are below any cursor", {0, -5}, {false, false}, 0, false},
      {"out of order fill closes the gap", {1, 5, 3, 4, 2}, {false, true, true, true, false}, 5, false},
      {"partly filled gap stays open", {1, 4, 6, 2}, {false, true, true, false}, 2, true},
      {"fill reaches the first island only", {1, 3, 5, 2}, {false, true, true, false}, 3, true},
      {"a far jump", {1, 1'000'000}, {false, true}, 1, true},
  };
  for (const auto& c : cases) {
    Recovery recovery;
    for (std::size_t i = 0; i < c.sequences.size(); ++i) {
      EXPECT_EQ(recovery.stored(c.sequences[i]), c.gaps[i]) << c.name << " #" << i;
    }
    EXPECT_EQ(recovery.cursor(), c.cursor) << c.name;
    EXPECT_EQ(recovery.has_gap(), c.has_gap) << c.name;
  }
}

TEST(Recovery, ShuffledArrivalEndsContiguous) {
  std::vector<std::int64_t> sequences(5'000);
  std::iota(sequences.begin(), sequences.end(), 1);
  std::shuffle(sequences.begin(), sequences.end(), std::mt19937(31337));
  Recovery recovery;
  std::int64_t last_cursor = 0;
  for (const auto s : sequences) {
    recovery.stored(s);
    ASSERT_GE(recovery.cursor(), last_cursor);  // never moves back
    last_cursor = recovery.cursor();
  }
  EXPECT_EQ(recovery.cursor(), 5'000);
  EXPECT_FALSE(recovery.has_gap());
}

TEST(Recovery, CompleteThroughTable) {
  struct Case {
    const char* name;
    std::vector<std::int64_t> stored;
    std::int64_t newest;
    std::int64_t cursor;
    bool has_gap;
  };
  const std::vector<Case> cases = {
      {"empty session", {}, 0, 0, false},
      {"numbers the server never used", {1, 2}, 5, 5, false},
      {"older than the cursor: no change", {1, 2, 3}, 2, 3, false},
      {"swallows the islands below", {1, 3, 5}, 6, 6, false},
      {"joins an island just above", {1, 5, 6, 7}, 4, 7, false},
      {"a farther island stays a gap", {1, 9}, 4, 4, true},
      {"swallows one island, joins the next", {1, 3, 6, 7}, 5, 7, false},
  };
  for (const auto& c : cases) {
    Recovery recovery;
    for (const auto s : c.stored) recovery.stored(s);
    recovery.complete_through(c.newest);
    EXPECT_EQ(recovery.cursor(), c.cursor) << c.name;
    EXPECT_EQ(recovery.has_gap(), c.has_gap) << c.name;
  }
}

TEST(Recovery, SyncFromTable) {
  struct Case {
    const char* name;
    std::vector<std::int64_t> unsettled;
    std::vector<std::int64_t> settled_again;
    std::int64_t sync_from;
  };
  // Cursor at 10 in every case.
  const std::vector<Case> cases = {
      {"nothing unsettled", {}, {}, 10},
      {"refetch from below the oldest unsettled", {7}, {}, 6},
      {"the oldest of several", {9, 4, 8}, {}, 3},
      {"the first message unsettled", {1}, {}, 0},
      {"the newest one unsettled", {10}, {}, 9},
      {"just above the cursor: the cursor already covers it", {11}, {}, 10},
      {"above the cursor", {15}, {}, 10},
      {"settled again", {7}, {7}, 10},
      {"the oldest settled, the next one counts", {4, 8}, {4}, 7},
      {"settling an unknown one changes nothing", {7}, {3}, 6},
  };
  for (const auto& c : cases) {
    Recovery recovery;
    for (std::int64_t s = 1; s <= 10; ++s) recovery.stored(s);
    for (const auto s : c.unsettled) recovery.set_unsettled(s, true);
    for (const auto s : c.settled_again) recovery.set_unsettled(s, false);
    EXPECT_EQ(recovery.sync_from(), c.sync_from) << c.name;
    EXPECT_EQ(recovery.cursor(), 10) << c.name;
  }
}

TEST(Recovery, ResetForgetsEverything) {
  Recovery recovery;
  recovery.stored(1);
  recovery.stored(5);
  recovery.set_unsettled(1, true);
  recovery.set_position(ResumePosition{"private-session-s1", "st", 3, "m"});
  recovery.reset(20);
  EXPECT_EQ(recovery.cursor(), 20);
  EXPECT_FALSE(recovery.has_gap());
  EXPECT_EQ(recovery.sync_from(), 20);
  EXPECT_EQ(recovery.position(), std::nullopt);
  EXPECT_FALSE(recovery.stored(5));  // below the new cursor
  EXPECT_FALSE(recovery.stored(21));
  EXPECT_EQ(recovery.cursor(), 21);

  recovery.reset();
  EXPECT_EQ(recovery.cursor(), 0);
  EXPECT_TRUE(recovery.stored(2));
}

TEST(Recovery, PositionIsKeptAsGiven) {
  Recovery recovery;
  const ResumePosition position{"private-session-s1", "stream-1", 42, "msg-42"};
  recovery.set_position(position);
  EXPECT_EQ(recovery.position(), position);
  recovery.set_position(std::nullopt);
  EXPECT_EQ(recovery.position(), std::nullopt);
}

}  // namespace
}  // namespace pushsync

namespace pushsync {
namespace {

TEST(Recovery, AnUnnumberedPendingMessageDoesNotMoveTheSyncStart) {
  Recovery recovery;
  for (std::int64_t s = 1; s <= 5; ++s) recovery.stored(s);
  recovery.set_unsettled(0, true);
  EXPECT_FALSE(recovery.has_unsettled());
  EXPECT_EQ(recovery.sync_from(), 5);
  recovery.set_unsettled(3, true);
  EXPECT_EQ(recovery.sync_from(), 2);
}

TEST(Recovery, KnownThroughOnlyMovesForward) {
  Recovery recovery;
  EXPECT_EQ(recovery.known_through(), std::nullopt);
  recovery.known_through(500);
  recovery.known_through(400);
  EXPECT_EQ(recovery.known_through(), 500);
  recovery.reset();
  EXPECT_EQ(recovery.known_through(), std::nullopt);
}

}  // namespace
}  // namespace pushsync
