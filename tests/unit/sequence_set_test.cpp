#include "pushsync/sequence_set.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <vector>

using pushsync::SequenceSet;

namespace {

// Takes every number out, smallest first, as Recovery does.
std::vector<std::int64_t> drain(SequenceSet& set) {
  std::vector<std::int64_t> out;
  while (!set.empty()) {
    out.push_back(set.front());
    set.pop_front();
  }
  return out;
}

constexpr std::int64_t kWindow = static_cast<std::int64_t>(SequenceSet::kMaxWindowWords) * 64;

}  // namespace

TEST(SequenceSet, SmallestFirstEachOnce) {
  SequenceSet set;
  EXPECT_TRUE(set.empty());
  for (std::int64_t n : {70, 3, 64, 63, 200, 3, 70, 128, 1}) set.insert(n);
  EXPECT_EQ(set.size(), 7u);
  EXPECT_EQ(drain(set), (std::vector<std::int64_t>{1, 3, 63, 64, 70, 128, 200}));
  EXPECT_TRUE(set.empty());
}

TEST(SequenceSet, NumbersFarApartAreKeptToo) {
  // Beyond the window's span either way: a wild value far ahead, then ones far below it.
  SequenceSet set;
  const std::int64_t far = 9'007'199'254'740'991;  // kMaxSequence
  for (std::int64_t n : {std::int64_t{5}, far, 6 + kWindow * 3, std::int64_t{2}, far - 1, 7 + kWindow * 3, std::int64_t{5}, 6 + kWindow * 3}) {
    set.insert(n);
  }
  EXPECT_EQ(drain(set), (std::vector<std::int64_t>{2, 5, 6 + kWindow * 3, 7 + kWindow * 3, far - 1, far}));
}

TEST(SequenceSet, AWindowThatMovesTakesInWhatWasFar) {
  SequenceSet set;
  set.insert(1);
  set.insert(1 + kWindow + 10);  // beyond the window that starts at 1: kept far
  set.insert(1 + kWindow + 10);
  set.pop_front();               // the window empties, and starts again at the next number
  set.insert(kWindow);           // the window now reaches the far number
  set.insert(kWindow + 5);
  EXPECT_EQ(set.size(), 3u);
  EXPECT_EQ(drain(set), (std::vector<std::int64_t>{kWindow, kWindow + 5, 1 + kWindow + 10}));
}

TEST(SequenceSet, BehavesAsAnOrderedSetUnderRandomUse) {
  // Shuffled runs near a moving cursor, duplicates, and now and then a jump far away.
  std::mt19937_64 random(12);
  for (int round = 0; round < 40; ++round) {
    SequenceSet set;
    std::set<std::int64_t> truth;
    std::int64_t cursor = 0;
    for (int step = 0; step < 5000; ++step) {
      const int what = static_cast<int>(random() % 100);
      if (what < 60) {
        const std::int64_t n = cursor + 1 + static_cast<std::int64_t>(random() % 3000);
        set.insert(n);
        truth.insert(n);
      } else if (what < 63) {
        const std::int64_t n = cursor + static_cast<std::int64_t>(random() % (4 * static_cast<std::uint64_t>(kWindow)));
        set.insert(n);
        truth.insert(n);
      } else if (!truth.empty()) {
        ASSERT_FALSE(set.empty());
        ASSERT_EQ(set.front(), *truth.begin());
        cursor = *truth.begin();
        set.pop_front();
        truth.erase(truth.begin());
      }
      ASSERT_EQ(set.size(), truth.size());
      ASSERT_EQ(set.empty(), truth.empty());
      if (!truth.empty()) ASSERT_EQ(set.front(), *truth.begin());
    }
    const std::vector<std::int64_t> rest(truth.begin(), truth.end());
    ASSERT_EQ(drain(set), rest);
  }
}

TEST(SequenceSet, ClearForgetsEverything) {
  SequenceSet set;
  set.insert(4);
  set.insert(4 + 5 * kWindow);
  set.clear();
  EXPECT_TRUE(set.empty());
  set.insert(9);
  EXPECT_EQ(drain(set), (std::vector<std::int64_t>{9}));
}
