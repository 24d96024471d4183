// A server that says "too many requests, ask again in N s" (429, or 503, with Retry-After): the
// engine backs off as told, on channel auth and on REST reads, whatever would hurry it, and never
// counts it as a failed auth. Driven as the hosts drive it: a tick only at `next_deadline()`.
#include <gtest/gtest.h>

#include "pushsync/engine.h"
#include "pushsync/json_io.h"
#include "support/engine_harness.h"

namespace pushsync {
namespace {

using testing::Harness;
using testing::only;
using testing::page_json;

bool is_messages_read(const effect::HttpRequest& request) {
  return request.url.find("/messages?") != std::string::npos;
}

std::size_t reads_in(const Effects& effects) {
  std::size_t n = 0;
  for (const auto& request : only<effect::HttpRequest>(effects)) n += is_messages_read(request);
  return n;
}

// Push not configured: the engine polls from the start.
void start_polling_only(Harness& h) {
  Config config = testing::test_config();
  config.ws_host = "";
  h.start("s1", config);
}

TEST(EngineRetryAfter, ChannelAuth429WaitsAsToldAndIsNoAuthFailure) {
  Harness h;
  h.start();
  h.feed(input::HttpResult{h.establish().id, 429, R"({"error":{"code":"rate_limited"}})", 20'000});
  const auto errors = only<effect::Error>(h.last);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, ErrorCode::HttpFailed);
  EXPECT_NE(errors[0].message.find("asked to wait 20 s"), std::string::npos) << errors[0].message;
  EXPECT_NE(h.engine.state_code(), StateReason::AuthFailed);
  // The backoff alone would retry after 1 s; the server asked for 20.
  EXPECT_TRUE(only<effect::OpenSocket>(h.advance(19'999)).empty());
  EXPECT_EQ(only<effect::OpenSocket>(h.advance(1)).size(), 1u);
}

TEST(EngineRetryAfter, ANewTokenDoesNotHurryPastIt) {
  Harness h;
  h.start();
  h.feed(input::HttpResult{h.establish().id, 429, "", 20'000});
  h.feed(input::SetToken{std::string("token-2")});
  EXPECT_TRUE(only<effect::OpenSocket>(h.last).empty());
  EXPECT_TRUE(only<effect::OpenSocket>(h.advance(19'999)).empty());
  EXPECT_EQ(only<effect::OpenSocket>(h.advance(1)).size(), 1u);
}

TEST(EngineRetryAfter, AReadRetryWaitsAsTold) {
  Harness h;
  h.start();
  const auto read = h.subscribe(h.establish());
  h.feed(input::HttpResult{read.id, 503, "", 15'000});
  EXPECT_EQ(reads_in(h.advance(14'999)), 0u);
  EXPECT_EQ(reads_in(h.advance(1)), 1u);
}

TEST(EngineRetryAfter, PollingWaitsAsToldEvenWhenAViewOpens) {
  Harness h;
  start_polling_only(h);
  ASSERT_EQ(h.engine.state(), ConnectionState::Polling);
  const auto polls = only<effect::HttpRequest>(h.last);
  ASSERT_EQ(polls.size(), 1u);
  h.feed(input::HttpResult{polls[0].id, 429, "", 40'000});
  h.feed(input::Visibility{false});
  h.feed(input::Visibility{true});  // a view opens: would poll at once
  EXPECT_EQ(reads_in(h.last), 0u);
  EXPECT_EQ(reads_in(h.advance(39'999)), 0u);
  const auto after = only<effect::HttpRequest>(h.advance(1));
  ASSERT_EQ(after.size(), 1u);
  h.feed(input::HttpResult{after[0].id, 200, page_json({})});
  EXPECT_TRUE(h.engine.loaded());
}

// Not a Retry-After case, but its neighbour: a poll that fails fast (a 500 at once, a 429 without
// Retry-After) is asked again by the poll schedule's backoff, never at once.
TEST(EngineRetryAfter, AFailedPollIsNotAskedAgainAtOnce) {
  Harness h;
  start_polling_only(h);
  std::vector<Millis> asked;
  for (int polls = 0; polls < 6; ++polls) {
    auto requests = only<effect::HttpRequest>(h.last);
    for (Millis waited = 0; requests.empty() && waited < 60'000; waited += 100) requests = only<effect::HttpRequest>(h.advance(100));
    ASSERT_EQ(requests.size(), 1u) << polls;
    asked.push_back(h.now);
    h.feed(input::HttpResult{requests[0].id, polls % 2 ? 500 : 429, ""});
    EXPECT_TRUE(only<effect::HttpRequest>(h.last).empty()) << "asked again at once after poll " << polls;
  }
  // 3, 6, 12, 24, 30 s apart.
  const std::vector<Millis> gaps = {asked[1] - asked[0], asked[2] - asked[1], asked[3] - asked[2], asked[4] - asked[3], asked[5] - asked[4]};
  EXPECT_EQ(gaps, (std::vector<Millis>{3'000, 6'000, 12'000, 24'000, 30'000}));
}

TEST(EngineRetryAfter, AnAbsurdWaitIsCappedAtTenMinutes) {
  Harness h;
  h.start();
  h.feed(input::HttpResult{h.establish().id, 429, "", 86'400'000});
  EXPECT_TRUE(only<effect::OpenSocket>(h.advance(599'999)).empty());
  EXPECT_EQ(only<effect::OpenSocket>(h.advance(1)).size(), 1u);
}

TEST(EngineRetryAfter, JsonInputCarriesIt) {
  const auto input = input_from_json(R"({"type":"httpResult","id":3,"status":429,"body":"","retryAfterMs":5000})");
  ASSERT_TRUE(input.ok()) << input.error().what;
  const auto& result = std::get<input::HttpResult>(input.value());
  EXPECT_EQ(result.retry_after, Millis{5'000});
  const auto again = input_from_json(input_to_json(input.value()));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), input.value());
  const auto none = input_from_json(R"({"type":"httpResult","id":3,"status":200,"body":""})");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(std::get<input::HttpResult>(none.value()).retry_after);
  EXPECT_FALSE(input_from_json(R"({"type":"httpResult","id":3,"status":429,"body":"","retryAfterMs":-1})").ok());
  EXPECT_FALSE(input_from_json(R"({"type":"httpResult","id":3,"status":429,"body":"","retryAfterMs":"soon"})").ok());
}

}  // namespace
}  // namespace pushsync
