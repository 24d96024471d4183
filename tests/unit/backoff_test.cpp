// Reconnect delays: the schedule as a table, jitter bounds, and determinism of the seeded jitter.
#include "pushsync/backoff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <concepts>
#include <cstdint>
#include <vector>

#include "pushsync/config.h"
#include "pushsync/input.h"

namespace pushsync {
namespace {

TEST(Backoff, DelayByAttemptTable) {
  struct Case {
    int attempt;
    Millis delay;
  };
  const BackoffPolicy policy;  // 1 s base, 30 s cap
  for (const Case c : {Case{INT_MIN, 1'000}, Case{-1, 1'000}, Case{0, 1'000}, Case{1, 1'000}, Case{2, 2'000},
                       Case{3, 4'000}, Case{4, 8'000}, Case{5, 16'000}, Case{6, 30'000}, Case{7, 30'000},
                       Case{8, 30'000}, Case{64, 30'000}, Case{1'000, 30'000}, Case{INT_MAX, 30'000}}) {
    EXPECT_EQ(backoff_delay(policy, c.attempt), c.delay) << "attempt " << c.attempt;
  }
}

TEST(Backoff, OtherPoliciesTable) {
  struct Case {
    BackoffPolicy policy;
    int attempt;
    Millis delay;
  };
  const std::vector<Case> cases = {
      {{500, 2'000, 0.2}, 1, 500},   {{500, 2'000, 0.2}, 2, 1'000}, {{500, 2'000, 0.2}, 3, 2'000},
      {{500, 2'000, 0.2}, 4, 2'000}, {{1'000, 1'000, 0.2}, 1, 1'000}, {{1'000, 1'000, 0.2}, 9, 1'000},
      {{3'000, 1'000, 0.2}, 1, 1'000},  // the cap wins over a larger base
      {{1'000, 5'000, 0.2}, 3, 4'000}, {{1'000, 5'000, 0.2}, 4, 5'000},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(backoff_delay(c.policy, c.attempt), c.delay)
        << c.policy.base << "/" << c.policy.cap << " attempt " << c.attempt;
  }
}

TEST(Backoff, JitterStaysWithinTwentyPercent) {
  const BackoffPolicy policy;
  SeededRandom random(12345);
  for (int attempt = 1; attempt <= 7; ++attempt) {
    const Millis base = backoff_delay(policy, attempt);
    Millis low = base * 2, high = 0;
    for (int i = 0; i < 2'000; ++i) {
      const Millis delay = backoff_delay(policy, attempt, random);
      ASSERT_GE(delay, base) << "attempt " << attempt;
      ASSERT_LE(delay, base + base / 5) << "attempt " << attempt;
      low = std::min(low, delay);
      high = std::max(high, delay);
    }
    // The spread is actually used, not stuck at one end.
    EXPECT_LT(low, base + base / 20) << attempt;
    EXPECT_GT(high, base + base / 5 - base / 20) << attempt;
  }
}

TEST(Backoff, ZeroJitterIsExact) {
  BackoffPolicy policy;
  policy.jitter = 0;
  SeededRandom random(1);
  for (int attempt = 1; attempt <= 7; ++attempt) {
    EXPECT_EQ(backoff_delay(policy, attempt, random), backoff_delay(policy, attempt));
  }
}

TEST(Backoff, SameSeedSameSequence) {
  const BackoffPolicy policy;
  for (const std::uint64_t seed : {0ull, 1ull, 42ull, ~0ull}) {
    SeededRandom a(seed), b(seed);
    for (int i = 0; i < 100; ++i) {
      const int attempt = 1 + i % 8;
      ASSERT_EQ(backoff_delay(policy, attempt, a), backoff_delay(policy, attempt, b)) << seed << " " << i;
    }
  }
}

TEST(Backoff, DifferentSeedsSpreadClients) {
  const BackoffPolicy policy;
  std::vector<Millis> first_delays;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    SeededRandom random(seed);
    first_delays.push_back(backoff_delay(policy, 5, random));
  }
  std::sort(first_delays.begin(), first_delays.end());
  const auto distinct = std::unique(first_delays.begin(), first_delays.end()) - first_delays.begin();
  EXPECT_GT(distinct, 40);
}

TEST(SeededRandom, BelowTable) {
  SeededRandom random(7);
  EXPECT_EQ(random.below(0), 0u);
  EXPECT_EQ(random.below(1), 0u);
  for (int i = 0; i < 1'000; ++i) {
    ASSERT_LT(random.below(3), 3u);
    ASSERT_LT(random.below(~0ull), ~0ull);
  }
}

TEST(SeededRandom, KnownSplitMix64Values) {
  // The reference SplitMix64 output for seed 0: the same natively and in WebAssembly.
  SeededRandom random(0);
  EXPECT_EQ(random.next(), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(random.next(), 0x6E789E6AA1B965F4ull);
  EXPECT_EQ(random.next(), 0x06C45D188009454Full);
}

// A node that dies cuts all its clients at once: the first retry spreads them over first_spread
// (uniformly: every 500 ms slice of a 5 s window gets about a tenth), later retries keep their
// 20% jitter, and 0 is the plain schedule.
TEST(Backoff, FirstSpreadWidensOnlyTheFirstRetry) {
  BackoffPolicy policy;
  policy.first_spread = 5'000;
  SeededRandom random(99);
  std::vector<int> slices(12, 0);
  for (int i = 0; i < 10'000; ++i) {
    const Millis delay = backoff_delay(policy, 1, random);
    ASSERT_GE(delay, 1'000);
    ASSERT_LE(delay, 1'000 + 200 + 5'000);
    ++slices[static_cast<std::size_t>((delay - 1'000) / 500)];
  }
  for (std::size_t k = 0; k < 10; ++k) {
    EXPECT_GT(slices[k], 800) << "slice " << k;
    EXPECT_LT(slices[k], 1'200) << "slice " << k;
  }
  for (int i = 0; i < 1'000; ++i) {
    const Millis delay = backoff_delay(policy, 2, random);
    ASSERT_GE(delay, 2'000);
    ASSERT_LE(delay, 2'400);
  }
  BackoffPolicy plain;
  for (int i = 0; i < 1'000; ++i) ASSERT_LE(backoff_delay(plain, 1, random), 1'200);
}

TEST(Backoff, FirstSpreadOutsideItsRangeIsRefused) {
  Config config;
  config.api_base = "http://app.test";
  config.ws_host = "ws.test";
  config.app_key = "key";
  config.backoff.first_spread = -1;
  EXPECT_EQ(config_problem(config), "backoff.first_spread must be 0-" + std::to_string(kMaxConfigTiming) + " ms");
  config.backoff.first_spread = 0;
  EXPECT_EQ(config_problem(config), "");
  config.backoff.first_spread = 5'000;
  EXPECT_EQ(config_problem(config), "");
}

// Config (which holds a BackoffPolicy) and input::Configure declare `operator== = default`; that
// default is silently deleted unless BackoffPolicy compares too, and then Inputs holding a
// Configure cannot be compared with == as the house style promises.
TEST(Backoff, PolicyIsComparableSoConfigAndConfigureAre) {
  EXPECT_TRUE(std::equality_comparable<BackoffPolicy>);
  EXPECT_TRUE(std::equality_comparable<Config>);
  EXPECT_TRUE(std::equality_comparable<input::Configure>);
}

}  // namespace
}  // namespace pushsync
