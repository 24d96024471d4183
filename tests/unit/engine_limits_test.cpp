// What a peer can hand the engine is bounded: frames, pages and messages over their limits are
// reported and change nothing; sequence numbers stay within what JavaScript carries exactly.
#include <gtest/gtest.h>

#include "pushsync/engine.h"
#include "support/engine_harness.h"

namespace pushsync {
namespace {

using testing::Harness;
using testing::only;

Config small_limits() {
  Config config = testing::test_config();
  config.max_frame_bytes = 400;
  config.max_page_bytes = 2'000;
  config.max_message_bytes = 100;
  return config;
}

TEST(EngineLimits, AFrameOverTheLimitIsReportedAndChangesNothing) {
  Harness h;
  Config config = small_limits();
  config.max_message_bytes = 1'000;  // only the frame limit applies here
  h.connect("s1", config);
  const std::size_t overhead = testing::new_message_frame("s1", "m1", 1, "").size();
  ASSERT_LT(overhead, 400u);
  const std::string at_limit = testing::new_message_frame("s1", "m1", 1, std::string(400 - overhead, 'x'));
  ASSERT_EQ(at_limit.size(), 400u);
  h.frame(at_limit);
  EXPECT_EQ(h.engine.messages().size(), 1u);
  const std::string over = testing::new_message_frame("s1", "m2", 2, std::string(300, 'y'));
  ASSERT_GT(over.size(), 400u);
  h.frame(over);
  EXPECT_EQ(h.engine.messages().size(), 1u);
  const auto errors = only<effect::Error>(h.last);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, ErrorCode::BadFrame);
  EXPECT_EQ(h.engine.state(), ConnectionState::Connected);
}

TEST(EngineLimits, AMessageOverTheLimitIsLeftOutAndTheRestApplies) {
  Harness h;
  h.start("s1", small_limits());
  const auto first = h.subscribe(h.establish());
  h.feed(input::HttpResult{first.id, 200,
                           testing::page_json({testing::message_json("m1", 1), testing::message_json("m2", 2, std::string(101, 'z')),
                                               testing::message_json("m3", 3)})});
  EXPECT_EQ(h.engine.messages().size(), 2u);
  EXPECT_EQ(h.engine.counters().messages_rejected, 1u);
  EXPECT_EQ(only<effect::Error>(h.last).at(0).code, ErrorCode::BadPayload);
}

TEST(EngineLimits, APageOverTheLimitIsRefusedAndRetriedWithBackoff) {
  Harness h;
  h.start("s1", small_limits());
  const auto first = h.subscribe(h.establish());
  std::vector<std::string> many;
  for (int i = 1; i <= 30; ++i) many.push_back(testing::message_json("m" + std::to_string(i), i));
  h.feed(input::HttpResult{first.id, 200, testing::page_json(many)});
  EXPECT_EQ(h.engine.messages().size(), 0u);
  EXPECT_EQ(only<effect::Error>(h.last).at(0).code, ErrorCode::BadPayload);
  EXPECT_TRUE(only<effect::HttpRequest>(h.last).empty());  // not at once: after the read backoff
  EXPECT_EQ(only<effect::HttpRequest>(h.advance(1'000)).size(), 1u);
}

}  // namespace
}  // namespace pushsync
