// What the engine accepts as configuration (config_problem): the timings that would spin the
// host's timer or overflow `now + timing`, and the backoff that would, are refused with a reason;
// the engine reports them and keeps its previous configuration. Found by tests/fuzz/input_fuzz.
#include "pushsync/config.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <variant>

#include "pushsync/engine.h"

namespace pushsync {
namespace {

Config valid() {
  Config c;
  c.api_base = "http://app.test";
  c.ws_host = "ws.test";
  c.app_key = "key";
  return c;
}

TEST(ConfigProblem, TheDefaultsWithAnApiBaseAreAccepted) {
  EXPECT_EQ(config_problem(valid()), "");
  EXPECT_EQ(config_problem(Config{}), "api_base is required");
}

TEST(ConfigProblem, EveryTimingIsFromOneMillisecondToAWeek) {
  Millis Config::*timings[] = {&Config::keepalive,       &Config::connect_timeout, &Config::pong_timeout,
                               &Config::request_timeout, &Config::typing_timeout,  &Config::persist_interval,
                               &Config::settle_check,    &Config::gap_grace,       &Config::resync_interval};
  for (const auto timing : timings) {
    Config c = valid();
    for (const Millis bad : {Millis{0}, Millis{-1}, kMaxConfigTiming + 1, std::numeric_limits<Millis>::max(),
                             std::numeric_limits<Millis>::min()}) {
      c.*timing = bad;
      EXPECT_NE(config_problem(c), "") << bad;
    }
    c.*timing = 1;
    EXPECT_EQ(config_problem(c), "");
    c.*timing = kMaxConfigTiming;
    c.backoff.cap = kMaxConfigTiming;
    EXPECT_EQ(config_problem(c), "");
  }
  Config c = valid();
  c.resync_interval = 0;
  EXPECT_EQ(config_problem(c), "resync_interval must be 1-604800000 ms");
}

TEST(ConfigProblem, BackoffBaseAtMostCapAndJitterZeroToOne) {
  Config c = valid();
  c.backoff.base = 0;
  EXPECT_NE(config_problem(c), "");  // 0 doubled stays 0: retries at once, for ever
  c = valid();
  c.backoff.base = c.backoff.cap + 1;
  EXPECT_EQ(config_problem(c), "backoff.base must not exceed backoff.cap");
  for (const double jitter : {-1.0, 1.5, std::nan(""), HUGE_VAL}) {
    c = valid();
    c.backoff.jitter = jitter;
    EXPECT_EQ(config_problem(c), "backoff.jitter must be 0-1") << jitter;
  }
  c = valid();
  c.backoff.jitter = 0;
  EXPECT_EQ(config_problem(c), "");
  c.backoff.jitter = 1;
  EXPECT_EQ(config_problem(c), "");
}

TEST(ConfigProblem, AStoreOfNoMessagesIsRefused) {
  Config c = valid();
  c.max_messages = 0;
  EXPECT_EQ(config_problem(c), "max_messages must be at least 1");
}

TEST(ConfigProblem, TheEngineReportsARefusedConfigurationAndKeepsThePreviousOne) {
  Engine engine;
  Config c = valid();
  c.resync_interval = 0;
  const Effects effects = engine.handle(input::Configure{c}, 1'000);
  ASSERT_EQ(effects.size(), 1u);
  const auto* error = std::get_if<effect::Error>(&effects[0]);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, ErrorCode::BadConfig);
  EXPECT_EQ(error->message, "configuration refused: resync_interval must be 1-604800000 ms");
  EXPECT_EQ(engine.config(), Config{});
  engine.handle(input::Configure{valid()}, 1'000);
  EXPECT_EQ(engine.config(), valid());
}

}  // namespace
}  // namespace pushsync
