#include "pushsync/typing.h"

#include <gtest/gtest.h>

namespace pushsync {
namespace {

TEST(TypingTracker, InfersTheTurnAndClearsAfterTheTimeout) {
  TypingTracker typing;
  typing.configure(TypingSource::Auto, 30'000);
  EXPECT_TRUE(typing.user_message(1'000));
  EXPECT_EQ(typing.current(), (Typing{true, "thinking"}));
  EXPECT_EQ(typing.deadline(), 31'000);
  EXPECT_TRUE(typing.turn_done());
  EXPECT_FALSE(typing.current().is_typing);
  EXPECT_EQ(typing.deadline(), std::nullopt);
  EXPECT_TRUE(typing.user_message(2'000));
  EXPECT_TRUE(typing.expire());
  EXPECT_FALSE(typing.current().is_typing);
}

TEST(TypingTracker, SourcesTable) {
  struct Case {
    TypingSource source;
    bool infers_before_server;
    bool infers_after_server;
    bool follows_server;
  };
  for (const Case c : {Case{TypingSource::Auto, true, false, true}, Case{TypingSource::Server, false, false, true},
                       Case{TypingSource::Infer, true, true, false}}) {
    TypingTracker typing;
    typing.configure(c.source, 30'000);
    EXPECT_EQ(typing.user_message(0), c.infers_before_server) << to_string(c.source);
    typing.expire();
    EXPECT_EQ(typing.server_event(true, "executing", 0), c.follows_server) << to_string(c.source);
    typing.expire();
    EXPECT_EQ(typing.user_message(0), c.infers_after_server) << to_string(c.source);
  }
}

TEST(TypingTracker, ResetAllowsInferenceAgain) {
  TypingTracker typing;
  typing.configure(TypingSource::Auto, 30'000);
  typing.server_event(false, "", 0);
  EXPECT_FALSE(typing.user_message(0));
  typing.reset();
  EXPECT_TRUE(typing.user_message(0));
}

}  // namespace
}  // namespace pushsync
