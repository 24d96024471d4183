// The engine as a whole, through its one entry point: pusher-js's behaviours as a checklist, the
// roadmap's unit cases, and the rules of the issue (backoff, fallback, recovery, V2 resume).
#include "pushsync/engine.h"

#include <gtest/gtest.h>

#include "pushsync/persisted_state.h"
#include "support/engine_harness.h"

namespace pushsync {
namespace {

using testing::Harness;
using testing::only;

std::vector<std::string> sent_frames(const Effects& effects) {
  std::vector<std::string> out;
  for (const auto& f : only<effect::SendFrame>(effects)) out.push_back(f.text);
  return out;
}

bool has_frame(const Effects& effects, const std::string& needle) {
  for (const auto& f : sent_frames(effects)) {
    if (f.find(needle) != std::string::npos) return true;
  }
  return false;
}

std::vector<std::int64_t> sequences(const Engine& engine) {
  std::vector<std::int64_t> out;
  engine.messages().for_each(0, engine.messages().size(), [&](const Message& m) { out.push_back(m.sequence); });
  return out;
}

// --- pusher-js checklist ------------------------------------------------------------------------

TEST(EngineConnect, OpensTheProtocol7UrlWithClientAndVersion) {
  Harness h;
  h.start();
  const auto open = only<effect::OpenSocket>(h.last);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].url, "ws://127.0.0.1:3005/app/pushsync-key?protocol=7&client=pushsync&version=0.1.0");
  EXPECT_EQ(h.engine.state(), ConnectionState::Connecting);
}

TEST(EngineConnect, AuthRequestCarriesBearerTokenAndForm) {
  Harness h;
  h.start();
  const auto auth = h.establish();
  EXPECT_EQ(auth.method, "POST");
  EXPECT_EQ(auth.url, "http://127.0.0.1:3000/api/pusher/auth");
  EXPECT_EQ(auth.body, "socket_id=123.456&channel_name=private-session-s1");
  const auto& headers = auth.headers;
  EXPECT_NE(std::find(headers.begin(), headers.end(), std::pair<std::string, std::string>{"Authorization", "Bearer token-1"}),
            headers.end());
  EXPECT_NE(std::find(headers.begin(), headers.end(),
                      std::pair<std::string, std::string>{"Content-Type", "application/x-www-form-urlencoded"}),
            headers.end());
}

TEST(EngineConnect, SubscribesWithTheSignatureAndIsConnectedOnSuccess) {
  Harness h;
  h.start();
  const auto auth = h.establish();
  h.feed(input::HttpResult{auth.id, 200, R"({"auth":"pushsync-key:sig"})"});
  EXPECT_EQ(sent_frames(h.last),
            std::vector<std::string>{
                R"({"data":{"auth":"pushsync-key:sig","channel":"private-session-s1"},"event":"pusher:subscribe"})"});
  EXPECT_EQ(h.engine.state(), ConnectionState::Connecting);
  h.frame(testing::succeeded_frame("s1"));
  EXPECT_EQ(h.engine.state(), ConnectionState::Connected);
  // Subscribing is followed by a backfill from the cursor, so nothing sent before is missed.
  const auto backfill = only<effect::HttpRequest>(h.last);
  ASSERT_EQ(backfill.size(), 1u);
  EXPECT_EQ(backfill[0].url, "http://127.0.0.1:3000/api/session/s1/messages?limit=50&afterSequence=0");
}

TEST(EngineConnect, DecodesDoubleEncodedMessageData) {
  Harness h;
  h.connect();
  h.frame(testing::new_message_frame("s1", "m1", 1, "hello \\\"quoted\\\""));
  ASSERT_EQ(h.engine.messages().size(), 1u);
  EXPECT_EQ(h.engine.messages().at(0).content, "hello \"quoted\"");
  const auto changed = only<effect::MessagesChanged>(h.last);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].inserted, std::vector<std::size_t>{0});
}

TEST(EngineConnect, HandshakeWithoutActivityTimeoutFails) {
  Harness h;
  h.start();
  h.feed(input::SocketOpened{h.socket});
  h.frame(R"({"event":"pusher:connection_established","data":"{\"socket_id\":\"1.2\"}"})");
  EXPECT_EQ(only<effect::CloseSocket>(h.last).size(), 1u);
  EXPECT_EQ(only<effect::HttpRequest>(h.last).size(), 0u);
  EXPECT_EQ(h.engine.state(), ConnectionState::Reconnecting);
}

TEST(EngineHeartbeat, PingsAfterTheSmallerOfKeepaliveAndActivityTimeout) {
  Harness h;  // keepalive 20 s, server 120 s: 20 s wins
  h.connect();
  EXPECT_TRUE(sent_frames(h.advance(19'999)).empty());
  EXPECT_TRUE(has_frame(h.advance(1), "pusher:ping"));

  Harness slow;  // server 10 s, keepalive 20 s: 10 s wins
  slow.start();
  slow.subscribe(slow.establish(10));
  EXPECT_TRUE(sent_frames(slow.advance(9'999)).empty());
  EXPECT_TRUE(has_frame(slow.advance(1), "pusher:ping"));
}

TEST(EngineHeartbeat, HiddenHostPingsOnlyAtTheServersActivityTimeout) {
  Harness h;
  h.connect();
  h.feed(input::Visibility{false});
  EXPECT_TRUE(sent_frames(h.advance(20'000)).empty());
  EXPECT_TRUE(has_frame(h.advance(100'000), "pusher:ping"));
}

TEST(EngineHeartbeat, AnyFrameResetsTheSilenceTimer) {
  Harness h;
  h.connect();
  h.advance(15'000);
  h.frame(testing::new_message_frame("s1", "m1", 1));
  EXPECT_TRUE(sent_frames(h.advance(19'999)).empty());
  EXPECT_TRUE(has_frame(h.advance(1), "pusher:ping"));
}

TEST(EngineHeartbeat, ReconnectsWhenNoPongWithin30Seconds) {
  Harness h;
  h.connect();
  h.advance(20'000);  // ping
  const SocketId first = h.socket;
  EXPECT_TRUE(only<effect::CloseSocket>(h.advance(29'999)).empty());
  const auto effects = h.advance(1);
  ASSERT_EQ(only<effect::CloseSocket>(effects).size(), 1u);
  EXPECT_EQ(only<effect::CloseSocket>(effects)[0].socket, first);
  EXPECT_EQ(only<effect::OpenSocket>(effects).size(), 1u);  // at once, as pusher-js does
  EXPECT_EQ(h.engine.state(), ConnectionState::Reconnecting);
}

TEST(EngineHeartbeat, PongKeepsTheConnection) {
  Harness h;
  h.connect();
  h.advance(20'000);
  h.frame(R"({"event":"pusher:pong","data":"{}"})");
  EXPECT_TRUE(only<effect::CloseSocket>(h.advance(30'000)).empty());
  EXPECT_EQ(h.engine.state(), ConnectionState::Connected);
}

TEST(EngineHeartbeat, AnswersServerPings) {
  Harness h;
  h.connect();
  EXPECT_EQ(sent_frames(h.frame(R"({"event":"pusher:ping","data":"{}"})")),
            std::vector<std::string>{R"({"event":"pusher:pong","data":{}})"});
}

TEST(EngineConnect, ConnectTimeoutIsTenSeconds) {
  Harness h;
  h.start();
  EXPECT_TRUE(only<effect::CloseSocket>(h.advance(9'999)).empty());
  EXPECT_EQ(only<effect::CloseSocket>(h.advance(1)).size(), 1u);
  EXPECT_EQ(h.engine.state(), ConnectionState::Reconnecting);
}

TEST(EngineReconnect, ResubscribesAfterReconnect) {
  Harness h;
  h.connect();
  h.feed(input::SocketClosed{h.socket, 1006, "gone"});
  EXPECT_EQ(h.engine.state(), ConnectionState::Reconnecting);
  EXPECT_TRUE(only<effect::OpenSocket>(h.advance(999)).empty());
  ASSERT_EQ(only<effect::OpenSocket>(h.advance(1)).size(), 1u);
  const auto auth = h.establish();
  EXPECT_EQ(auth.body, "socket_id=123.456&channel_name=private-session-s1");
  const auto backfill = h.subscribe(auth);
  EXPECT_EQ(h.engine.state(), ConnectionState::Connected);
  EXPECT_NE(backfill.url.find("afterSequence=0"), std::string::npos);
}

TEST(EngineReconnect, BacksOffExponentiallyThenPolls) {
  Harness h;
  h.connect();
  h.feed(input::SocketClosed{h.socket, 1006, ""});
  std::size_t reads_while_reconnecting = 0;
  for (const Millis delay : {1'000, 2'000, 4'000, 8'000, 16'000}) {
    reads_while_reconnecting += only<effect::HttpRequest>(h.last).size();
    EXPECT_TRUE(only<effect::OpenSocket>(h.advance(delay - 1)).empty()) << delay;
    reads_while_reconnecting += only<effect::HttpRequest>(h.last).size();
    ASSERT_EQ(only<effect::OpenSocket>(h.advance(1)).size(), 1u) << delay;
    EXPECT_EQ(h.engine.state(), ConnectionState::Reconnecting);
    h.feed(input::SocketClosed{h.socket, 1006, ""});
  }
  // From the third failure (a 4 s wait) REST reads keep messages coming while push is retried;
  // the first two retries need none.
  EXPECT_GE(reads_while_reconnecting, 1u);
  // Five retries failed: polling, with a reason.
  EXPECT_EQ(h.engine.state(), ConnectionState::Polling);
  EXPECT_EQ(h.engine.state_code(), StateReason::ServerUnreachable);
  EXPECT_EQ(h.engine.state_reason(), "Server unreachable");
}

// A poll that succeeds while push is backing off brings the next attempt closer: the app server
// answers, so the push server may be back too (within probe_interval / 2, jittered).
TEST(EngineReconnect, ASuccessfulPollBringsTheNextAttemptCloser) {
  Harness h;
  h.connect();
  h.feed(input::SocketClosed{h.socket, 1006, ""});
  for (const Millis delay : {1'000, 2'000, 4'000}) {
    h.advance(delay);
    h.feed(input::SocketClosed{h.socket, 1006, ""});
  }
  // Four failures: the next attempt would wait 16 s. A poll is due; it succeeds.
  EXPECT_EQ(h.engine.state(), ConnectionState::Reconnecting);
  Millis opened_after = 0;
  for (Millis t = 100; t <= 16'000 && !opened_after; t += 100) {
    const auto effects = h.advance(100);
    for (const auto& request : only<effect::HttpRequest>(effects)) h.feed(input::HttpResult{request.id, 200, testing::page_json({})});
    if (!only<effect::OpenSocket>(effects).empty()) opened_after = t;
  }
  ASSERT_NE(opened_after, 0);
  EXPECT_LE(opened_after, 8'000);  // not the 16 s of the backoff
}

TEST(EngineReconnect, BackoffCapsAt30Seconds) {
  Config config = testing::test_config();
  config.max_reconnect_attempts = 8;
  Harness h;
  h.connect("s1", config);
  h.feed(input::SocketClosed{h.socket, 1006, ""});
  for (const Millis delay : {1'000, 2'000, 4'000, 8'000, 16'000, 30'000, 30'000}) {
    EXPECT_TRUE(only<effect::OpenSocket>(h.advance(delay - 1)).empty()) << delay;
    ASSERT_EQ(only<effect::OpenSocket>(h.advance(1)).size(), 1u) << delay;
    h.feed(input::SocketClosed{h.socket, 1006, ""});
  }
}

TEST(EngineReconnect, PushReturnsByItselfFromPolling) {
  Harness h;
  h.connect();
  h.feed(input::SocketClosed{h.socket, 1006, ""});
  for (const Millis delay : {1'000, 2'000, 4'000, 8'000, 16'000}) {
    h.advance(delay);
    h.feed(input::SocketClosed{h.socket, 1006, ""});
  }
  ASSERT_EQ(h.engine.state(), ConnectionState::Polling);
  // The background probe comes at the capped interval; polling goes on meanwhile.
  Effects probe;
  for (int i = 0; i < 40 && only<effect::OpenSocket>(probe).empty(); ++i) {
    probe = h.advance(1'000);
    for (const auto& r : only<effect::HttpRequest>(probe)) h.feed(input::HttpResult{r.id, 200, testing::page_json({})});
  }
  ASSERT_EQ(only<effect::OpenSocket>(probe).size(), 1u);
  EXPECT_EQ(h.engine.state(), ConnectionState::Polling);  // a probe does not make the badge flicker
  h.subscribe(h.establish());
  EXPECT_EQ(h.engine.state(), ConnectionState::Connected);
}

TEST(EngineCloseCodes, FollowPushersClasses) {
  struct Row {
    int code;
    ConnectionState state;
    Millis reopen_after;  // -1: never
  };
  for (const Row& row : {Row{4001, ConnectionState::Polling, -1}, Row{4099, ConnectionState::Polling, -1},
                         Row{4100, ConnectionState::Reconnecting, 1'000}, Row{4199, ConnectionState::Reconnecting, 1'000},
                         Row{4200, ConnectionState::Reconnecting, 0}, Row{4201, ConnectionState::Reconnecting, 0},
                         Row{1006, ConnectionState::Reconnecting, 1'000}, Row{1001, ConnectionState::Reconnecting, 1'000}}) {
    Harness h;
    h.connect();
    const auto closed = h.feed(input::SocketClosed{h.socket, row.code, ""});
    EXPECT_EQ(h.engine.state(), row.state) << row.code;
    if (row.reopen_after == 0) {
      EXPECT_EQ(only<effect::OpenSocket>(h.advance(0)).size(), 1u) << row.code;
    } else if (row.reopen_after > 0) {
      EXPECT_TRUE(only<effect::OpenSocket>(h.advance(row.reopen_after - 1)).empty()) << row.code;
      EXPECT_EQ(only<effect::OpenSocket>(h.advance(1)).size(), 1u) << row.code;
    } else {
      EXPECT_EQ(h.engine.state_reason(), "Refused (" + std::to_string(row.code) + ")");
      for (int i = 0; i < 10; ++i) EXPECT_TRUE(only<effect::OpenSocket>(h.advance(30'000)).empty()) << row.code;
    }
  }
}

TEST(EngineAuth, RefusedAuthPollsAndDoesNotLoop) {
  Harness h;
  h.start();
  const auto auth = h.establish();
  const auto effects = h.feed(input::HttpResult{auth.id, 403, R"({"error":"forbidden"})"});
  EXPECT_EQ(h.engine.state(), ConnectionState::Polling);
  EXPECT_EQ(h.engine.state_reason(), "Auth failed");
  EXPECT_EQ(only<effect::CloseSocket>(effects).size(), 1u);
  // Over two minutes, retries of auth are spaced out by backoff, never back to back.
  int auth_requests = 0;
  for (int i = 0; i < 120; ++i) {
    for (const auto& r : only<effect::HttpRequest>(h.advance(1'000))) {
      if (r.url.find("/messages") != std::string::npos) h.feed(input::HttpResult{r.id, 403, "{}"});
    }
    if (!only<effect::OpenSocket>(h.last).empty()) {
      const auto retry = h.establish();
      ++auth_requests;
      h.feed(input::HttpResult{retry.id, 403, "{}"});
    }
  }
  EXPECT_GE(auth_requests, 2);
  EXPECT_LE(auth_requests, 8);
  EXPECT_EQ(h.engine.state_reason(), "Auth failed");
}

TEST(EngineAuth, NewTokenRetriesAtOnce) {
  Harness h;
  h.start();
  h.feed(input::HttpResult{h.establish().id, 403, "{}"});
  ASSERT_EQ(h.engine.state_reason(), "Auth failed");
  h.feed(input::SetToken{std::string("token-2")});
  EXPECT_EQ(only<effect::OpenSocket>(h.last).size(), 1u);
  EXPECT_EQ(h.engine.state(), ConnectionState::Connecting);
}

TEST(EngineAuth, Sockudo4009WhileSubscribingIsAuthFailure) {
  Harness h;
  h.start();
  h.feed(input::HttpResult{h.establish().id, 200, R"({"auth":"pushsync-key:bad"})"});
  h.frame(R"({"event":"pusher:error","data":{"code":4009,"message":"Authentication error"}})");
  EXPECT_EQ(h.engine.state(), ConnectionState::Polling);
  EXPECT_EQ(h.engine.state_reason(), "Auth failed");
}

TEST(EngineAuth, NoTokenMeansPollingWithoutRequests) {
  Harness h;
  h.feed(input::Configure{testing::test_config()});
  h.feed(input::SelectSession{"s1"});
  EXPECT_EQ(h.engine.state(), ConnectionState::Polling);
  EXPECT_EQ(h.engine.state_reason(), "No token");
  EXPECT_TRUE(only<effect::OpenSocket>(h.last).empty());
  EXPECT_TRUE(only<effect::HttpRequest>(h.advance(60'000)).empty());
}

TEST(EngineAuth, NotConfiguredPollsRest) {
  Config config = testing::test_config();
  config.app_key.clear();
  Harness h;
  h.start("s1", config);
  EXPECT_EQ(h.engine.state(), ConnectionState::Polling);
  EXPECT_EQ(h.engine.state_reason(), "Not configured");
  EXPECT_EQ(only<effect::HttpRequest>(h.last).size(), 1u);
}

TEST(EngineErrors, PusherErrorDoesNotChangeState) {
  Harness h;
  h.connect();
  const auto effects = h.frame(R"({"event":"pusher:error","data":{"code":4301,"message":"rate"}})");
  EXPECT_EQ(h.engine.state(), ConnectionState::Connected);
  EXPECT_EQ(only<effect::Error>(effects).size(), 1u);
  EXPECT_TRUE(only<effect::StateChanged>(effects).empty());
}

TEST(EngineErrors, MalformedFramesAndPayloadsAreReportedAndChangeNothing) {
  Harness h;
  h.connect();
  for (const std::string bad : {std::string("not json"), std::string("[1,2]"), std::string(R"({"channel":"x"})"),
                                testing::channel_frame("new_message", "private-session-s1", "{not json"),
                                testing::channel_frame("new_message", "private-session-s1",
                                                       R"({"type":"new_message","sessionId":"s1","message":{"messageId":"m"}})")}) {
    const auto effects = h.frame(bad);
    EXPECT_EQ(only<effect::Error>(effects).size(), 1u) << bad;
    EXPECT_TRUE(only<effect::MessagesChanged>(effects).empty()) << bad;
  }
  EXPECT_EQ(h.engine.messages().size(), 0u);
  EXPECT_EQ(h.engine.counters().frames_rejected, 5u);
  EXPECT_EQ(h.engine.state(), ConnectionState::Connected);
}

TEST(EngineSessions, SubUnsubSubOnTheSameSocket) {
  Harness h;
  h.connect("a");
  const SocketId socket = h.socket;
  h.frame(testing::new_message_frame("a", "a1", 1));
  h.feed(input::SelectSession{"b"});
  EXPECT_EQ(sent_frames(h.last),
            std::vector<std::string>{R"({"data":{"channel":"private-session-a"},"event":"pusher:unsubscribe"})"});
  EXPECT_EQ(h.engine.messages().size(), 0u);
  EXPECT_TRUE(only<effect::MessagesChanged>(h.last).at(0).reset);
  EXPECT_EQ(h.engine.state(), ConnectionState::Connecting);
  const auto auth_b = only<effect::HttpRequest>(h.last).at(0);
  EXPECT_EQ(auth_b.body, "socket_id=123.456&channel_name=private-session-b");
  // Late events of the old channel do not leak into the new session.
  h.frame(testing::new_message_frame("a", "a2", 2));
  EXPECT_EQ(h.engine.messages().size(), 0u);
  h.feed(input::SelectSession{"a"});
  EXPECT_TRUE(sent_frames(h.last).empty());  // b was still authorizing: nothing to unsubscribe
  const auto auth_a = only<effect::HttpRequest>(h.last).at(0);
  h.feed(input::HttpResult{auth_b.id, 200, R"({"auth":"k:late"})"});  // the stale answer is ignored
  EXPECT_TRUE(sent_frames(h.last).empty());
  h.subscribe(auth_a, "a");
  EXPECT_EQ(h.engine.state(), ConnectionState::Connected);
  EXPECT_EQ(h.socket, socket);
  EXPECT_EQ(h.engine.counters().sockets_opened, 1u);
}

// --- the roadmap's unit cases --------------------------------------------------------------------

TEST(EngineLifecycle, ConnectThenStop) {
  Harness h;
  h.connect();
  const auto effects = h.feed(input::Stop{});
  EXPECT_EQ(only<effect::CloseSocket>(effects).size(), 1u);
  EXPECT_EQ(h.engine.state(), ConnectionState::Disconnected);
  EXPECT_EQ(h.engine.next_deadline(), std::nullopt);
  EXPECT_TRUE(h.advance(120'000).empty());
}

TEST(EngineStore, DeduplicatesById) {
  Harness h;
  h.connect();
  h.frame(testing::new_message_frame("s1", "m1", 1));
  const auto again = h.frame(testing::new_message_frame("s1", "m1", 1));
  EXPECT_EQ(h.engine.messages().size(), 1u);
  EXPECT_TRUE(only<effect::MessagesChanged>(again).empty());
  EXPECT_EQ(h.engine.counters().duplicates, 1u);
}

TEST(EngineStore, OrdersBySequenceNumberAndBackfillsTheGap) {
  Harness h;
  h.connect();
  h.frame(testing::new_message_frame("s1", "m3", 3));
  // 1 and 2 are missing: after a grace for late pushes, a backfill from the cursor is asked for.
  EXPECT_TRUE(only<effect::HttpRequest>(h.last).empty());
  EXPECT_TRUE(only<effect::HttpRequest>(h.advance(499)).empty());
  const auto backfill = only<effect::HttpRequest>(h.advance(1));
  ASSERT_EQ(backfill.size(), 1u);
  EXPECT_NE(backfill[0].url.find("afterSequence=0"), std::string::npos);
  h.frame(testing::new_message_frame("s1", "m1", 1));
  h.feed(input::HttpResult{backfill[0].id, 200,
                           testing::page_json({testing::message_json("m1", 1), testing::message_json("m2", 2),
                                               testing::message_json("m3", 3)})});
  EXPECT_EQ(sequences(h.engine), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(h.engine.cursor(), 3);
  const auto changed = only<effect::MessagesChanged>(h.last).at(0);
  EXPECT_EQ(changed.inserted, std::vector<std::size_t>{1});
}

TEST(EngineStore, AGapThatClosesWithinTheGraceNeedsNoRequest) {
  Harness h;
  h.connect();
  h.frame(testing::new_message_frame("s1", "m2", 2));
  h.frame(testing::new_message_frame("s1", "m1", 1));  // a concurrent writer's push, a bit late
  EXPECT_TRUE(only<effect::HttpRequest>(h.advance(500)).empty());
  EXPECT_EQ(h.engine.cursor(), 2);
}

TEST(EngineRecovery, CatchUpReadsChangesSinceTheServerTimeOfTheLastCompleteRead) {
  Harness h;
  h.start();
  const auto first = h.subscribe(h.establish());
  EXPECT_NE(first.url.find("afterSequence=0"), std::string::npos);  // the whole session, once
  h.feed(input::HttpResult{first.id, 200,
                           R"({"messages":[)" + testing::message_json("m1", 1, "hi", "success", "assistant") +
                               R"(],"hasMore":false,"serverTime":"2026-11-29T10:00:05.000Z"})"});
  // Push goes down; while it is down the server changes m1 (push missed it).
  h.feed(input::SocketClosed{h.socket, 1006, ""});
  h.advance(1'000);
  const auto catch_up = h.subscribe(h.establish());
  EXPECT_EQ(catch_up.url,
            "http://127.0.0.1:3000/api/session/s1/messages?limit=50&since=2026-11-29T10%3A00%3A05.000Z");
  h.feed(input::HttpResult{catch_up.id, 200,
                           R"({"messages":[{"messageId":"m1","sequenceNumber":1,"role":"assistant","content":"hi","status":"failure","timestamp":"2026-11-29T10:00:01.000Z","updatedAt":"2026-11-29T10:00:07.000Z"}],"hasMore":false,"serverTime":"2026-11-29T10:00:09.000Z"})"});
  EXPECT_EQ(h.engine.messages().at(0).status, "failure");
  EXPECT_EQ(only<effect::MessagesChanged>(h.last).at(0).updated, std::vector<std::size_t>{0});
}

TEST(EngineStore, PagesUntilTheServerHasNoMore) {
  Harness h;
  h.start();
  const auto first = h.subscribe(h.establish());
  h.feed(input::HttpResult{first.id, 200, testing::page_json({testing::message_json("m1", 1)}, true)});
  const auto next = only<effect::HttpRequest>(h.last);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_NE(next[0].url.find("afterSequence=1"), std::string::npos);
  h.feed(input::HttpResult{next[0].id, 200, testing::page_json({testing::message_json("m2", 2)})});
  EXPECT_TRUE(only<effect::HttpRequest>(h.last).empty());
  EXPECT_EQ(h.engine.cursor(), 2);
}

TEST(EngineEvents, TypingShowsAndClearsItselfAfter30Seconds) {
  Harness h;
  h.connect();
  h.frame(testing::channel_frame("typing", "private-session-s1",
                                 R"({"type":"typing","sessionId":"s1","isTyping":true,"context":"thinking"})"));
  EXPECT_EQ(only<effect::TypingChanged>(h.last).at(0), (effect::TypingChanged{"s1", true, "thinking"}));
  h.feed(input::Visibility{false});  // no pings in the way
  EXPECT_TRUE(only<effect::TypingChanged>(h.advance(29'999)).empty());
  EXPECT_EQ(only<effect::TypingChanged>(h.advance(1)).at(0), (effect::TypingChanged{"s1", false, ""}));
}

TEST(EngineEvents, MessageUpdateChangesStatusInPlace) {
  Harness h;
  h.connect();
  h.frame(testing::new_message_frame("s1", "m1", 1));
  h.frame(testing::channel_frame(
      "message_update", "private-session-s1",
      R"({"type":"message_update","sessionId":"s1","messageId":"m1","status":"failure","error":{"code":"E1","message":"boom"}})"));
  EXPECT_EQ(h.engine.messages().at(0).status, "failure");
  EXPECT_EQ(h.engine.messages().at(0).error, (MessageError{"E1", "boom"}));
  EXPECT_EQ(only<effect::MessagesChanged>(h.last).at(0).updated, std::vector<std::size_t>{0});
}

// The turn is over: read only what is new (the changes since the last complete read), not the
// newest page: a reply costs the messages it added, not 50.
TEST(EngineEvents, InteractResponseReadsOnlyWhatIsNew) {
  Harness h;
  h.start();
  const auto first = h.subscribe(h.establish());
  h.feed(input::HttpResult{first.id, 200, R"({"messages":[],"hasMore":false,"serverTime":"2026-11-29T10:00:00.000Z"})"});
  h.frame(testing::channel_frame("interact_response", "private-session-s1",
                                 R"({"type":"interact_response","sessionId":"s1","data":{"taskId":"t","status":"done"}})"));
  const auto read = only<effect::HttpRequest>(h.last);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].url, "http://127.0.0.1:3000/api/session/s1/messages?limit=50&since=2026-11-29T10%3A00%3A00.000Z");
  EXPECT_EQ(only<effect::InteractResponse>(h.last).size(), 1u);
  h.feed(input::HttpResult{read[0].id, 200,
                           R"({"messages":[)" + testing::message_json("u1", 1) + "," +
                               testing::message_json("a2", 2, "reply", "success", "assistant") +
                               R"(],"hasMore":false,"serverTime":"2026-11-29T10:00:03.000Z"})"});
  EXPECT_EQ(h.engine.counters().replies, 1u);
  EXPECT_EQ(h.engine.counters().reply_messages, 2u);
}

TEST(EngineEvents, SessionUpdateIsReportedAndOtherSessionsAreIgnored) {
  Harness h;
  h.connect();
  h.frame(testing::channel_frame("session_update", "private-session-s1",
                                 R"({"type":"session_update","sessionId":"s1","status":"completed"})"));
  EXPECT_EQ(only<effect::SessionChanged>(h.last).at(0), (effect::SessionChanged{"s1", "completed"}));
  h.frame(testing::channel_frame("new_message", "private-session-s1",
                                 R"({"type":"new_message","sessionId":"other","message":)" +
                                     testing::message_json("x", 1) + "}"));
  EXPECT_EQ(h.engine.messages().size(), 0u);
}

TEST(EnginePolling, ThreeSecondsWhileActiveThirtyWhenIdle) {
  Config config = testing::test_config();
  config.ws_host.clear();
  Harness h;
  h.start("s1", config);
  auto poll = only<effect::HttpRequest>(h.last).at(0);
  h.feed(input::HttpResult{poll.id, 200, testing::page_json({testing::message_json("m1", 1)})});
  EXPECT_TRUE(only<effect::HttpRequest>(h.advance(2'999)).empty());
  poll = only<effect::HttpRequest>(h.advance(1)).at(0);
  EXPECT_NE(poll.url.find("afterSequence=1"), std::string::npos);  // server-side cursor
  // No new messages for a minute: polling slows to 30 s.
  Millis waited = 3'000;
  h.feed(input::HttpResult{poll.id, 200, testing::page_json({})});
  while (waited < 60'000) {
    poll = only<effect::HttpRequest>(h.advance(3'000)).at(0);
    waited += 3'000;
    h.feed(input::HttpResult{poll.id, 200, testing::page_json({})});
  }
  EXPECT_TRUE(only<effect::HttpRequest>(h.advance(29'999)).empty());
  EXPECT_EQ(only<effect::HttpRequest>(h.advance(1)).size(), 1u);
}

TEST(EngineNetwork, OfflineStopsEverythingAndOnlineRetriesAtOnce) {
  Harness h;
  h.connect();
  h.feed(input::Network{false});
  EXPECT_EQ(h.engine.state(), ConnectionState::Offline);
  EXPECT_EQ(only<effect::CloseSocket>(h.last).size(), 1u);
  EXPECT_TRUE(h.advance(60'000).empty());
  h.feed(input::Network{true});
  EXPECT_EQ(only<effect::OpenSocket>(h.last).size(), 1u);
  EXPECT_EQ(h.engine.state(), ConnectionState::Connecting);
}

TEST(EngineSafety, NeverSendsOnASocketItClosed) {
  Harness h;
  h.connect();
  const SocketId old = h.socket;
  h.feed(input::SocketClosed{old, 1006, ""});
  // Frames and closes of the old socket arriving late are ignored; nothing is sent on it.
  h.feed(input::SocketText{old, R"({"event":"pusher:ping","data":"{}"})"});
  EXPECT_TRUE(sent_frames(h.last).empty());
  for (int i = 0; i < 100; ++i) {
    for (const auto& f : only<effect::SendFrame>(h.advance(500))) EXPECT_NE(f.socket, old);
  }
}

TEST(EngineV2, ResumesAfterReconnectWithoutRestBackfill) {
  Config config = testing::test_config();
  config.protocol = 2;
  Harness h;
  h.connect("s1", config);
  EXPECT_NE(h.engine.config().protocol, 7);
  h.frame(R"({"event":"new_message","channel":"private-session-s1","data":)" +
          testing::quoted(R"({"type":"new_message","sessionId":"s1","message":)" + testing::message_json("m1", 1) + "}") +
          R"(,"message_id":"u1","stream_id":"st","serial":7})");
  h.feed(input::SocketClosed{h.socket, 1006, ""});
  h.advance(1'000);
  const auto syncs_before = h.engine.counters().syncs;
  h.feed(input::HttpResult{h.establish().id, 200, R"({"auth":"k:s"})"});
  h.frame(R"({"event":"sockudo_internal:subscription_succeeded","channel":"private-session-s1","data":"{}"})");
  EXPECT_EQ(sent_frames(h.last), std::vector<std::string>{
                                     R"({"data":{"channel_positions":{"private-session-s1":{"last_message_id":"u1","serial":7,"stream_id":"st"}}},"event":"sockudo:resume"})"});
  h.frame(R"({"event":"sockudo:resume_success","data":"{\"recovered\":[{\"channel\":\"private-session-s1\",\"replayed\":0}],\"failed\":[]}"})");
  EXPECT_EQ(h.engine.counters().syncs, syncs_before);
  EXPECT_TRUE(only<effect::HttpRequest>(h.advance(10'000)).empty());
}

TEST(EngineV2, FailedResumeFallsBackToRest) {
  Config config = testing::test_config();
  config.protocol = 2;
  Harness h;
  h.connect("s1", config);
  EXPECT_EQ(only<effect::OpenSocket>(std::vector<Effect>{}).size(), 0u);
  h.frame(R"({"event":"new_message","channel":"private-session-s1","data":)" +
          testing::quoted(R"({"type":"new_message","sessionId":"s1","message":)" + testing::message_json("m1", 1) + "}") +
          R"(,"message_id":"u1","stream_id":"st","serial":7})");
  h.feed(input::SocketClosed{h.socket, 1006, ""});
  h.advance(1'000);
  h.feed(input::HttpResult{h.establish().id, 200, R"({"auth":"k:s"})"});
  h.frame(R"({"event":"sockudo_internal:subscription_succeeded","channel":"private-session-s1","data":"{}"})");
  h.frame(R"({"event":"sockudo:resume_success","data":"{\"recovered\":[],\"failed\":[{\"channel\":\"private-session-s1\",\"code\":\"stream_reset\"}]}"})");
  const auto backfill = only<effect::HttpRequest>(h.last);
  ASSERT_EQ(backfill.size(), 1u);
  EXPECT_NE(backfill[0].url.find("afterSequence=1"), std::string::npos);
}

TEST(EnginePersistence, PersistsTheSelectionAndRestoresIt) {
  Harness h;
  h.connect();
  std::vector<effect::Persist> saved;
  h.frame(testing::new_message_frame("s1", "m1", 1));
  for (int i = 0; i < 3; ++i) {
    for (const auto& p : only<effect::Persist>(h.advance(5'000))) saved.push_back(p);
    h.frame(R"({"event":"pusher:pong","data":"{}"})");
  }
  ASSERT_FALSE(saved.empty());
  const auto state = decode_persisted_state(saved.back().value);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state.value().session_id, "s1");
  EXPECT_EQ(state.value().cursor, 1);
  EXPECT_TRUE(state.value().was_connected);

  // A restarted host: restore selects the session again and reloads it.
  Harness again;
  again.feed(input::Configure{testing::test_config()});
  again.feed(input::SetToken{std::string("token-1")});
  again.feed(input::Restore{saved.back().value});
  EXPECT_EQ(again.engine.session_id(), "s1");
  const auto backfill = again.subscribe(again.establish());
  EXPECT_NE(backfill.url.find("afterSequence=0"), std::string::npos);
}

TEST(EnginePersistence, BadRestoreIsReportedAndIgnored) {
  Harness h;
  h.feed(input::Configure{testing::test_config()});
  const auto effects = h.feed(input::Restore{"{garbage"});
  EXPECT_EQ(only<effect::Error>(effects).at(0).code, ErrorCode::BadRestore);
  EXPECT_EQ(h.engine.session_id(), "");
}

TEST(EngineConfig, RefusesUnusableConfiguration) {
  Harness h;
  Config config = testing::test_config();
  config.api_base.clear();
  const auto effects = h.feed(input::Configure{config});
  EXPECT_EQ(only<effect::Error>(effects).at(0).code, ErrorCode::BadConfig);
  h.feed(input::SelectSession{"s1"});
  EXPECT_EQ(h.engine.state(), ConnectionState::Disconnected);
}

TEST(EngineDeadline, EarlyTickDoesNothing) {
  Harness h;
  h.connect();
  const auto deadline = h.engine.next_deadline();
  ASSERT_TRUE(deadline.has_value());
  h.now = *deadline - 1;
  EXPECT_TRUE(h.feed(input::Tick{}).empty());
  h.now = *deadline;
  EXPECT_FALSE(h.feed(input::Tick{}).empty());
}

}  // namespace
}  // namespace pushsync
