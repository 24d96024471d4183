// The engine against the backend the roadmap describes (its §8, §11.11 and the Protocol Mapping):
// REST with `limit` and `since` only, answering `{messages}`, newest-first or oldest-first pages,
// messages that may lack a sequence number, only `new_message` and `interact_response` pushed.
// Driven as the hosts drive it: a tick only at `next_deadline()`.
#include <gtest/gtest.h>

#include "pushsync/engine.h"
#include "pushsync/iso_time.h"
#include "support/engine_harness.h"

namespace pushsync {
namespace {

using testing::Harness;
using testing::message_json;
using testing::only;

// `{messages: [...]}` for sequence numbers [first, last], ascending, nothing else.
std::string minimal_page(std::int64_t first, std::int64_t last) {
  std::string out = R"({"messages":[)";
  for (std::int64_t s = first; s <= last; ++s) {
    out += (s > first ? "," : "") + message_json("m" + std::to_string(s), s);
  }
  return out + "]}";
}

std::string since_of(std::int64_t sequence) {
  // The harness's message time for `sequence`, less the 1 ms overlap the engine asks for.
  return percent_encode(format_iso8601_ms(1'796'032'800'000 + sequence * 1000 - 1));
}

const std::string kMessages = "http://127.0.0.1:3000/api/session/s1/messages";

Config minimal_config() {
  Config config = testing::test_config();
  config.dialect = BackendDialect::Auto;  // what a user runs: detected from the answers
  return config;
}

// Connected, with messages 1..3 loaded from a minimal backend.
Harness connected_with_three() {
  Harness h;
  h.start("s1", minimal_config());
  const auto first = h.subscribe(h.establish());
  EXPECT_EQ(first.url, kMessages + "?limit=50");  // nothing a minimal backend may refuse
  h.feed(input::HttpResult{first.id, 200, minimal_page(1, 3)});
  EXPECT_EQ(h.engine.dialect(), BackendDialect::Minimal);
  EXPECT_EQ(h.engine.messages().size(), 3u);
  return h;
}

effect::HttpRequest reply(Harness& h) {
  h.frame(testing::channel_frame("interact_response", "private-session-s1",
                                 R"({"type":"interact_response","sessionId":"s1","data":{"status":"done"}})"));
  const auto requests = only<effect::HttpRequest>(h.last);
  EXPECT_EQ(requests.size(), 1u);
  return requests.empty() ? effect::HttpRequest{} : requests[0];
}

TEST(EngineMinimalBackend, ReplyReadsSinceTheNewestKnownMessage) {
  Harness h = connected_with_three();
  const auto read = reply(h);
  EXPECT_EQ(read.url, kMessages + "?limit=50&since=" + since_of(3));
  EXPECT_EQ(read.url.find("afterSequence"), std::string::npos);
  h.feed(input::HttpResult{read.id, 200, minimal_page(3, 5)});
  EXPECT_EQ(h.engine.messages().size(), 5u);
  EXPECT_EQ(h.engine.counters().reply_messages, 3u);  // the overlap and the two new ones
  EXPECT_TRUE(h.engine.gaps().empty());
}

// 80 messages while away, a newest-first backend: the first page (the newest 50) does not reach
// the cursor, so the engine asks for the backend's largest page, which does.
TEST(EngineMinimalBackend, NewestFirstOutageWithinTheLargestPageLosesNothing) {
  Harness h = connected_with_three();
  const auto read = reply(h);
  h.feed(input::HttpResult{read.id, 200, minimal_page(34, 83)});
  const auto wider = only<effect::HttpRequest>(h.last);
  ASSERT_EQ(wider.size(), 1u);
  EXPECT_EQ(wider[0].url, kMessages + "?limit=100&since=" + since_of(3));
  h.feed(input::HttpResult{wider[0].id, 200, minimal_page(3, 83)});
  EXPECT_EQ(h.engine.messages().size(), 83u);
  EXPECT_TRUE(h.engine.gaps().empty());
  EXPECT_TRUE(only<effect::Error>(h.last).empty());
}

// 200 messages while away: the backend cannot give the oldest 100 of them. That is a gap, with
// its place and its size, reported, and tried again later with backoff, never in a tight loop.
TEST(EngineMinimalBackend, NewestFirstOutageBeyondTheLargestPageIsAGapWithItsSize) {
  Harness h = connected_with_three();
  h.feed(input::Visibility{false});  // no keepalive pings to answer in the minutes below
  const auto read = reply(h);
  h.feed(input::HttpResult{read.id, 200, minimal_page(154, 203)});
  const auto wider = only<effect::HttpRequest>(h.last).at(0);
  h.feed(input::HttpResult{wider.id, 200, minimal_page(104, 203)});
  ASSERT_EQ(h.engine.gaps().size(), 1u);
  EXPECT_EQ(h.engine.gaps()[0], (Gap{"m3", "m104", 100}));
  const auto gaps = only<effect::GapsChanged>(h.last);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].gaps, h.engine.gaps());
  const auto errors = only<effect::Error>(h.last);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, ErrorCode::Incomplete);
  EXPECT_EQ(h.engine.messages().size(), 103u);

  // Tried again after 30 s (not before), from the gap's start at the largest page.
  EXPECT_TRUE(only<effect::HttpRequest>(h.advance(29'999)).empty());
  const auto retry = only<effect::HttpRequest>(h.advance(1));
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].url, kMessages + "?limit=100&since=" + since_of(3));
  h.feed(input::HttpResult{retry[0].id, 200, minimal_page(104, 203)});
  EXPECT_EQ(h.engine.gaps().size(), 1u);
  // The next retry waits twice as long (the routine catch-up from the newest message goes on).
  const std::string gap_read = kMessages + "?limit=100&since=" + since_of(3);
  const Millis retried = h.now;
  Millis next_retry = 0;
  for (int step = 0; step < 700 && !next_retry; ++step) {
    for (const auto& request : only<effect::HttpRequest>(h.advance(100))) {
      if (request.url == gap_read) next_retry = h.now;
      h.feed(input::HttpResult{request.id, 200, minimal_page(203, 203)});
    }
  }
  EXPECT_EQ(next_retry - retried, 60'000);
}

// An oldest-first backend gives the oldest 50 after the cursor: the page reaches the cursor, so
// more may follow; the engine pages on by `since` until a page is short.
TEST(EngineMinimalBackend, OldestFirstPagesForwardUntilAShortPage) {
  Harness h = connected_with_three();
  const auto read = reply(h);
  h.feed(input::HttpResult{read.id, 200, minimal_page(3, 52)});
  const auto next = only<effect::HttpRequest>(h.last);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].url, kMessages + "?limit=50&since=" + since_of(52));
  h.feed(input::HttpResult{next[0].id, 200, minimal_page(52, 80)});
  EXPECT_TRUE(only<effect::HttpRequest>(h.last).empty());
  EXPECT_EQ(h.engine.messages().size(), 80u);
  EXPECT_TRUE(h.engine.gaps().empty());
}

// A pushed message with a higher sequence number than the next: the gap is read within the grace
// (500 ms), from the last complete read; it is closed by the answer, not by "the newest arrived".
TEST(EngineMinimalBackend, SequenceGapIsBackfilledAfterTheGrace) {
  Harness h = connected_with_three();
  h.frame(testing::new_message_frame("s1", "m6", 6));
  EXPECT_LE(*h.engine.next_deadline(), h.now + 500);
  EXPECT_TRUE(only<effect::HttpRequest>(h.advance(499)).empty());
  const auto backfill = only<effect::HttpRequest>(h.advance(1));
  ASSERT_EQ(backfill.size(), 1u);
  EXPECT_EQ(backfill[0].url, kMessages + "?limit=50&since=" + since_of(3));
  h.feed(input::HttpResult{backfill[0].id, 200, minimal_page(3, 6)});
  EXPECT_EQ(h.engine.messages().size(), 6u);
  EXPECT_EQ(h.engine.cursor(), 6);
}

TEST(EngineMinimalBackend, ABadMessageIsSkippedAndTheRestApplies) {
  Harness h;
  h.start("s1", minimal_config());
  const auto first = h.subscribe(h.establish());
  h.feed(input::HttpResult{first.id, 200,
                           R"({"messages":[)" + message_json("m1", 1) + R"(,{"messageId":"m2","role":"user"},)" +
                               message_json("m3", 3) + "]}"});
  EXPECT_EQ(h.engine.messages().size(), 2u);
  EXPECT_EQ(h.engine.counters().messages_rejected, 1u);
  const auto errors = only<effect::Error>(h.last);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, ErrorCode::BadPayload);
  EXPECT_NE(errors[0].message.find("timestamp"), std::string::npos) << errors[0].message;
}

// Messages without a sequence number sit among the rest by their time, as the roadmap sorts.
TEST(EngineMinimalBackend, MessagesWithoutSequenceNumbersAreOrderedByTime) {
  Harness h;
  h.start("s1", minimal_config());
  const auto first = h.subscribe(h.establish());
  const std::string unsequenced =
      R"({"messageId":"a","role":"assistant","content":null,"timestamp":)" +
      std::to_string(1'796'032'800'000 + 2'500) + R"(,"actionPayload":{"kind":"click"}})";
  h.feed(input::HttpResult{first.id, 200,
                           R"({"messages":[)" + message_json("m2", 2) + "," + unsequenced + "," +
                               message_json("m3", 3) + "]}"});
  ASSERT_EQ(h.engine.messages().size(), 3u);
  EXPECT_EQ(h.engine.messages().at(1).id, "a");
  EXPECT_EQ(h.engine.messages().at(1).sequence, 0);
  EXPECT_EQ(h.engine.messages().at(1).content, "");
}

TEST(EngineMinimalBackend, TypingIsInferredFromTheTurnUntilTheServerSendsTyping) {
  Harness h = connected_with_three();
  h.frame(testing::new_message_frame("s1", "m4", 4));
  EXPECT_TRUE(h.engine.typing().is_typing);
  EXPECT_EQ(only<effect::TypingChanged>(h.last).size(), 1u);
  reply(h);
  EXPECT_FALSE(h.engine.typing().is_typing);

  // Without an interact_response, it clears itself after the timeout.
  h.frame(testing::new_message_frame("s1", "m5", 5));
  EXPECT_TRUE(h.engine.typing().is_typing);
  h.advance(30'000);
  EXPECT_FALSE(h.engine.typing().is_typing);

  // Once the server speaks for itself, its word is the only one.
  h.frame(testing::channel_frame("typing", "private-session-s1", R"({"sessionId":"s1","isTyping":false})"));
  h.frame(testing::new_message_frame("s1", "m6", 6));
  EXPECT_FALSE(h.engine.typing().is_typing);
}

TEST(EngineMinimalBackend, ConfiguredServerTypingNeverInfers) {
  Harness h;
  Config config = minimal_config();
  config.typing = TypingSource::Server;
  h.start("s1", config);
  const auto first = h.subscribe(h.establish());
  h.feed(input::HttpResult{first.id, 200, minimal_page(1, 1)});
  h.frame(testing::new_message_frame("s1", "m2", 2));
  EXPECT_FALSE(h.engine.typing().is_typing);
}

// A backend configured as paged that refuses afterSequence (400): the engine says so and reads in
// the minimal dialect from then on, at once.
TEST(EngineMinimalBackend, RefusedAfterSequenceSwitchesToTheMinimalDialect) {
  Harness h;
  h.start("s1", testing::test_config());  // configured paged
  const auto first = h.subscribe(h.establish());
  ASSERT_NE(first.url.find("afterSequence"), std::string::npos);
  h.feed(input::HttpResult{first.id, 400, R"({"error":{"code":"bad_request","message":"unknown afterSequence"}})"});
  EXPECT_EQ(h.engine.dialect(), BackendDialect::Minimal);
  const auto again = only<effect::HttpRequest>(h.last);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].url, kMessages + "?limit=50");
}

// While polling because push is down, push is tried again within the probe interval (8 s), so a
// push server that comes back is used again within about that long.
TEST(EngineMinimalBackend, PushIsProbedWithinTheProbeIntervalWhilePolling) {
  Harness h = connected_with_three();
  h.feed(input::SocketClosed{h.socket, 1006, "gone"});
  // Five failed reconnects (1+2+4+8+16 s of backoff) and the sixth failure falls back.
  for (int attempt = 0; attempt < 6; ++attempt) {
    h.advance(*h.engine.next_deadline() - h.now);
    if (!only<effect::OpenSocket>(h.last).empty()) h.feed(input::SocketClosed{h.socket, 1006, "refused"});
    if (h.engine.state() == ConnectionState::Polling) break;
  }
  while (h.engine.state() != ConnectionState::Polling) {
    h.advance(1'000);
    if (!only<effect::OpenSocket>(h.last).empty()) h.feed(input::SocketClosed{h.socket, 1006, "refused"});
  }
  EXPECT_EQ(h.engine.state_code(), StateReason::ServerUnreachable);
  const Millis fell_back = h.now;
  Millis opened_at = 0;
  for (Millis t = 0; t <= 8'000 && !opened_at; t += 100) {
    for (const auto& request : only<effect::HttpRequest>(h.advance(100))) {
      h.feed(input::HttpResult{request.id, 200, minimal_page(3, 3)});
    }
    if (!only<effect::OpenSocket>(h.last).empty() || h.socket != 0) {
      for (const auto& e : h.last) if (std::holds_alternative<effect::OpenSocket>(e)) opened_at = h.now;
    }
  }
  ASSERT_NE(opened_at, 0) << "no probe within 8 s of falling back";
  EXPECT_LE(opened_at - fell_back, 8'000);
}

}  // namespace
}  // namespace pushsync

namespace pushsync {
namespace {

TEST(EngineRoutes, ConfiguredRoutesAreUsedForReadsAndAuth) {
  testing::Harness h;
  Config config = minimal_config();
  config.messages_path = "/v2/chats/{session}/history";
  config.auth_path = "/v2/realtime/auth";
  h.start("s 1", config);
  const auto auth = h.establish();
  EXPECT_EQ(auth.url, "http://127.0.0.1:3000/v2/realtime/auth");
  h.feed(input::HttpResult{auth.id, 200, R"({"auth":"pushsync-key:sig"})"});
  h.frame(R"({"event":"pusher_internal:subscription_succeeded","channel":"private-session-s 1","data":"{}"})");
  const auto read = testing::only<effect::HttpRequest>(h.last);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].url, "http://127.0.0.1:3000/v2/chats/s%201/history?limit=50");
}

TEST(EngineRoutes, AMessagesPathWithoutTheSessionIsRefused) {
  testing::Harness h;
  Config config = minimal_config();
  config.messages_path = "/messages";
  const auto effects = h.feed(input::Configure{config});
  const auto errors = testing::only<effect::Error>(effects);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, ErrorCode::BadConfig);
}

}  // namespace
}  // namespace pushsync

namespace pushsync {
namespace {

// Polling a newest-first backend that writes faster than a page a poll: after a poll that came
// back full, the next comes within a second, not three, so fewer messages fall into a gap.
TEST(EngineMinimalBackend, APollThatFoundMoreThanAPageIsFollowedSooner) {
  Config config = minimal_config();
  config.ws_host.clear();  // push not configured: polling only
  testing::Harness h;
  h.start("s1", config);
  const auto first = only<effect::HttpRequest>(h.last);
  ASSERT_EQ(first.size(), 1u);
  h.feed(input::HttpResult{first[0].id, 200, minimal_page(1, 3)});
  // The next poll comes after the active interval, 3 s.
  auto poll = only<effect::HttpRequest>(h.advance(3'000));
  ASSERT_EQ(poll.size(), 1u);
  // 80 new: the newest 50, then the largest page, which reaches the cursor.
  h.feed(input::HttpResult{poll[0].id, 200, minimal_page(34, 83)});
  const auto wider = only<effect::HttpRequest>(h.last).at(0);
  h.feed(input::HttpResult{wider.id, 200, minimal_page(3, 83)});
  EXPECT_TRUE(only<effect::HttpRequest>(h.advance(999)).empty());
  EXPECT_EQ(only<effect::HttpRequest>(h.advance(1)).size(), 1u);
}

}  // namespace
}  // namespace pushsync
