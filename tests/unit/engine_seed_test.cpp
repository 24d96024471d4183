// The host's copy of a session (input::Seed): shown at once, not yet loaded, and the first read
// asks only for what is newer, on a paged and on a minimal backend; a copy that does not fit is
// left out with a reason, and changes nothing. Driven as the hosts drive it.
#include <gtest/gtest.h>

#include <memory>

#include "pushsync/engine.h"
#include "pushsync/iso_time.h"
#include "pushsync/json_io.h"
#include "pushsync/persisted_state.h"
#include "support/engine_harness.h"

namespace pushsync {
namespace {

using testing::Harness;
using testing::message_json;
using testing::only;
using testing::page_json;

const std::string kMessages = "http://127.0.0.1:3000/api/session/s1/messages";

// `{messages: [...]}` for sequence numbers [first, last], as a host's copy or a minimal answer.
std::string messages_page(std::int64_t first, std::int64_t last) {
  std::string out = R"({"messages":[)";
  for (std::int64_t s = first; s <= last; ++s) out += (s > first ? "," : "") + message_json("m" + std::to_string(s), s);
  return out + "]}";
}

Config with_dialect(BackendDialect dialect) {
  Config config = testing::test_config();
  config.dialect = dialect;
  return config;
}

// The messages-read URL's `since` for the harness's message `sequence`, less the 1 ms overlap.
std::string since_of(std::int64_t sequence) {
  return percent_encode(format_iso8601_ms(1'796'032'800'000 + sequence * 1000 - 1));
}

std::vector<std::string> ids(const Engine& engine) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < engine.messages().size(); ++i) out.push_back(engine.messages().at(i).id);
  return out;
}

TEST(EngineSeed, ShowsTheCopyAtOnceNotYetLoaded) {
  Harness h;
  h.start("s1");
  h.feed(input::Seed{"s1", messages_page(1, 3)});
  EXPECT_EQ(ids(h.engine), (std::vector<std::string>{"m1", "m2", "m3"}));
  EXPECT_FALSE(h.engine.loaded());
  const auto changed = only<effect::MessagesChanged>(h.last);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].inserted, (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(h.engine.cursor(), 3);
}

TEST(EngineSeed, PagedFirstReadIsAfterTheCopy) {
  Harness h;
  h.start("s1");
  h.feed(input::Seed{"s1", messages_page(41, 50)});
  const auto read = h.subscribe(h.establish());
  EXPECT_EQ(read.url, kMessages + "?limit=50&afterSequence=50");
  h.feed(input::HttpResult{read.id, 200, page_json({message_json("m51", 51)})});
  EXPECT_TRUE(h.engine.loaded());
  EXPECT_EQ(h.engine.messages().size(), 11u);
  EXPECT_EQ(h.engine.cursor(), 51);
  EXPECT_TRUE(h.engine.gaps().empty());
}

TEST(EngineSeed, PagedHoleInTheCopyIsReadFromItsStart) {
  Harness h;
  h.start("s1");
  // m3 was never in the copy: the run ends at m2, so the read starts there.
  h.feed(input::Seed{"s1", R"({"messages":[)" + message_json("m1", 1) + "," + message_json("m2", 2) + "," +
                               message_json("m4", 4) + "]}"});
  EXPECT_EQ(h.engine.cursor(), 2);
  const auto read = h.subscribe(h.establish());
  EXPECT_EQ(read.url, kMessages + "?limit=50&afterSequence=2");
  h.feed(input::HttpResult{read.id, 200, page_json({message_json("m3", 3), message_json("m4", 4)})});
  EXPECT_EQ(ids(h.engine), (std::vector<std::string>{"m1", "m2", "m3", "m4"}));
  EXPECT_EQ(h.engine.cursor(), 4);
}

TEST(EngineSeed, MinimalFirstReadIsSinceTheNewestCachedMessage) {
  Harness h;
  h.start("s1", with_dialect(BackendDialect::Auto));
  h.feed(input::Seed{"s1", messages_page(1, 3)});
  const auto read = h.subscribe(h.establish());
  EXPECT_EQ(read.url, kMessages + "?limit=50&since=" + since_of(3));
  // The overlap (m3) proves the answer connects to the copy.
  h.feed(input::HttpResult{read.id, 200, messages_page(3, 5)});
  EXPECT_EQ(h.engine.dialect(), BackendDialect::Minimal);
  EXPECT_TRUE(h.engine.loaded());
  EXPECT_EQ(ids(h.engine), (std::vector<std::string>{"m1", "m2", "m3", "m4", "m5"}));
  EXPECT_TRUE(h.engine.gaps().empty());
}

// A copy made while a read was paging on: m4..m6 were not in it yet, m7 (pushed) was. The read
// starts at the run's end (m3), not at the newest cached message, or m4..m6 would be lost.
TEST(EngineSeed, MinimalHoleInTheCopyIsReadFromTheRunsEnd) {
  Harness h;
  h.start("s1", with_dialect(BackendDialect::Minimal));
  h.feed(input::Seed{"s1", R"({"messages":[)" + message_json("m1", 1) + "," + message_json("m2", 2) + "," +
                               message_json("m3", 3) + "," + message_json("m7", 7) + "]}"});
  const auto read = h.subscribe(h.establish());
  EXPECT_EQ(read.url, kMessages + "?limit=50&since=" + since_of(3));
  h.feed(input::HttpResult{read.id, 200, messages_page(3, 7)});
  EXPECT_EQ(h.engine.messages().size(), 7u);
  EXPECT_TRUE(h.engine.loaded());
}

// Without sequence numbers a copy proves nothing: shown, and the first read is the usual one.
TEST(EngineSeed, MinimalCopyWithoutNumbersIsOnlyShown) {
  Harness h;
  h.start("s1", with_dialect(BackendDialect::Minimal));
  const std::string unnumbered = R"({"messageId":"a1","role":"assistant","content":"hi","timestamp":"2026-11-29T10:00:05.000Z"})";
  h.feed(input::Seed{"s1", R"({"messages":[)" + unnumbered + "]}"});
  EXPECT_EQ(h.engine.messages().size(), 1u);
  const auto read = h.subscribe(h.establish());
  EXPECT_EQ(read.url, kMessages + "?limit=50");
}

// A newest-first backend that had more new messages than it gives: the part it cannot give sits
// between the copy and the answer, a gap with its size, never silently closed.
TEST(EngineSeed, MinimalAnswerThatDoesNotReachTheCopyIsAGap) {
  Harness h;
  h.start("s1", with_dialect(BackendDialect::Minimal));
  h.feed(input::Seed{"s1", messages_page(1, 3)});
  const auto read = h.subscribe(h.establish());
  h.feed(input::HttpResult{read.id, 200, messages_page(154, 203)});
  const auto wider = only<effect::HttpRequest>(h.last);
  ASSERT_EQ(wider.size(), 1u);
  h.feed(input::HttpResult{wider[0].id, 200, messages_page(104, 203)});
  ASSERT_EQ(h.engine.gaps().size(), 1u);
  EXPECT_EQ(h.engine.gaps()[0], (Gap{"m3", "m104", 100}));
}

// An Auto backend that turns out paged when asked from a known time: that answer is not the whole
// session; the engine reads on the paged way, from the copy.
TEST(EngineSeed, AutoBackendThatIsPagedReadsOnAfterTheCopy) {
  Harness h;
  h.start("s1", with_dialect(BackendDialect::Auto));
  h.feed(input::Seed{"s1", messages_page(1, 3)});
  const auto read = h.subscribe(h.establish());
  h.feed(input::HttpResult{read.id, 200, page_json({message_json("m3", 3), message_json("m4", 4)})});
  EXPECT_EQ(h.engine.dialect(), BackendDialect::Paged);
  EXPECT_FALSE(h.engine.loaded());
  const auto next = only<effect::HttpRequest>(h.last);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].url, kMessages + "?limit=50&afterSequence=4");
  h.feed(input::HttpResult{next[0].id, 200, page_json({})});
  EXPECT_TRUE(h.engine.loaded());
  EXPECT_EQ(h.engine.messages().size(), 4u);
}

// The copy's gaps come back with it: history a newest-first backend could not give stays
// reported (not silently "loaded"), and one whose ends are not in the copy is dropped.
TEST(EngineSeed, TheCopysGapsAreKept) {
  Harness h;
  h.start("s1", with_dialect(BackendDialect::Minimal));
  h.feed(input::Seed{"s1", messages_page(5, 9), {Gap{"", "m5", 4}, Gap{"m1", "m2", 0}}});
  EXPECT_EQ(h.engine.gaps(), (std::vector<Gap>{Gap{"", "m5", 4}}));
  const auto gaps = only<effect::GapsChanged>(h.last);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].gaps, h.engine.gaps());
  const auto read = h.subscribe(h.establish());
  h.feed(input::HttpResult{read.id, 200, messages_page(9, 10)});
  EXPECT_EQ(h.engine.gaps(), (std::vector<Gap>{Gap{"", "m5", 4}}));
  EXPECT_EQ(h.engine.messages().size(), 6u);
}

TEST(EngineSeed, IgnoredForAnotherSessionOrOnceLoaded) {
  Harness h;
  h.start("s1");
  h.feed(input::Seed{"s2", messages_page(1, 3)});
  EXPECT_TRUE(h.engine.messages().empty());
  EXPECT_TRUE(h.last.empty());
  const auto read = h.subscribe(h.establish());
  h.feed(input::HttpResult{read.id, 200, page_json({message_json("m1", 1)})});
  ASSERT_TRUE(h.engine.loaded());
  h.feed(input::Seed{"s1", messages_page(1, 3)});
  EXPECT_EQ(h.engine.messages().size(), 1u);  // the server's answer, not an older copy
}

TEST(EngineSeed, ACopyThatDoesNotFitIsReportedAndChangesNothing) {
  struct Case {
    const char* name;
    std::string page;
  };
  std::string big = R"({"messages":[)" + message_json("m1", 1, std::string(300, 'x')) + "]}";
  const std::vector<Case> cases = {
      {"not JSON", "{"},
      {"no messages array", R"({"messages":{}})"},
      {"over max_page_bytes", big},
  };
  for (const auto& c : cases) {
    Harness h;
    Config config = testing::test_config();
    config.max_page_bytes = 200;
    h.start("s1", config);
    h.feed(input::Seed{"s1", c.page});
    EXPECT_TRUE(h.engine.messages().empty()) << c.name;
    const auto errors = only<effect::Error>(h.last);
    ASSERT_EQ(errors.size(), 1u) << c.name;
    EXPECT_EQ(errors[0].code, ErrorCode::BadRestore) << c.name;
    // The first read is the usual one.
    const auto read = h.subscribe(h.establish());
    EXPECT_EQ(read.url, kMessages + "?limit=50&afterSequence=0") << c.name;
  }
}

TEST(EngineSeed, InvalidCachedMessagesAreSkippedTheRestKept) {
  Harness h;
  h.start("s1");
  h.feed(input::Seed{"s1", R"({"messages":[)" + message_json("m1", 1) + R"(,{"messageId":"bad"}]})"});
  EXPECT_EQ(ids(h.engine), (std::vector<std::string>{"m1"}));
  const auto errors = only<effect::Error>(h.last);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, ErrorCode::BadRestore);
}

TEST(EngineSeed, JsonInputRoundTrip) {
  const auto input = input_from_json(R"({"type":"seed","sessionId":"s1","messages":[)" + message_json("m1", 1) +
                                     R"(],"gaps":[{"afterId":"","beforeId":"m1","missing":3}]})");
  ASSERT_TRUE(input.ok()) << input.error().what;
  const auto* seed = std::get_if<input::Seed>(&input.value());
  ASSERT_NE(seed, nullptr);
  EXPECT_EQ(seed->session_id, "s1");
  EXPECT_EQ(seed->gaps, (std::vector<Gap>{Gap{"", "m1", 3}}));
  const auto again = input_from_json(input_to_json(input.value()));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), input.value());
  EXPECT_FALSE(input_from_json(R"({"type":"seed","sessionId":"s1","messages":"no"})").ok());
  EXPECT_FALSE(input_from_json(R"({"type":"seed","sessionId":"s1","messages":[],"gaps":[{"afterId":""}]})").ok());
  EXPECT_FALSE(input_from_json(R"({"type":"seed","sessionId":"s1","messages":[],"gaps":[{"beforeId":"m1","missing":-2}]})").ok());
}

// A worker restarted on its copy, against the paged reference server with the default Auto
// dialect. Learnt afresh, the first read would be by time from the copy's newest message, and a
// copy whose last millisecond holds many messages (a batch stored at once) would be read again
// whole; the persisted state keeps what the last run learnt, so the read is after the copy.
TEST(EngineSeed, AutoRestartedOnItsCopyReadsAfterItWhereTheLastRunLearntPaged) {
  Harness first;
  first.start("s1", with_dialect(BackendDialect::Auto));
  const auto read = first.subscribe(first.establish());
  EXPECT_EQ(read.url, kMessages + "?limit=50");
  first.feed(input::HttpResult{read.id, 200, page_json({message_json("m1", 1), message_json("m2", 2), message_json("m3", 3)})});
  ASSERT_EQ(first.engine.dialect(), BackendDialect::Paged);
  const auto saved = only<effect::Persist>(first.last);
  ASSERT_EQ(saved.size(), 1u) << "learning the dialect is saved at once";
  const auto state = decode_persisted_state(saved[0].value);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state.value().paged_backend, "http://127.0.0.1:3000");

  auto restarted = [&](Config config) {
    auto h = std::make_unique<Harness>();
    h->feed(input::Configure{std::move(config)});
    h->feed(input::SetToken{std::string("token-1")});
    h->feed(input::Restore{saved[0].value});
    h->feed(input::Seed{"s1", messages_page(1, 3)});
    return h;
  };
  const auto again = restarted(with_dialect(BackendDialect::Auto));
  EXPECT_EQ(again->engine.dialect(), BackendDialect::Paged);
  EXPECT_EQ(again->subscribe(again->establish()).url, kMessages + "?limit=50&afterSequence=3");

  // Another server under the same storage starts Minimal-safe, as does a configured Minimal.
  Config elsewhere = with_dialect(BackendDialect::Auto);
  elsewhere.api_base = "http://127.0.0.1:4000";
  const auto other = restarted(elsewhere);
  EXPECT_EQ(other->engine.dialect(), BackendDialect::Auto);
  EXPECT_EQ(other->subscribe(other->establish()).url.find("afterSequence"), std::string::npos);
  const auto minimal = restarted(with_dialect(BackendDialect::Minimal));
  EXPECT_EQ(minimal->subscribe(minimal->establish()).url, kMessages + "?limit=50&since=" + since_of(3));
}

// The backend behind the same address became a minimal one: the restored guess is unlearnt by
// the first refusal, the read asked again at once without the parameter, and no longer saved.
TEST(EngineSeed, ARestoredPagedGuessIsUnlearntByTheFirstRefusal) {
  Harness h;
  h.feed(input::Configure{with_dialect(BackendDialect::Auto)});
  h.feed(input::SetToken{std::string("token-1")});
  h.feed(input::Restore{encode_persisted_state({"s1", true, 1, 3, "http://127.0.0.1:3000"})});
  h.feed(input::Seed{"s1", messages_page(1, 3)});
  const auto read = h.subscribe(h.establish());
  ASSERT_EQ(read.url, kMessages + "?limit=50&afterSequence=3");
  h.feed(input::HttpResult{read.id, 400, R"({"error":{"code":"bad_request","message":"unknown parameter afterSequence"}})"});
  EXPECT_EQ(h.engine.dialect(), BackendDialect::Minimal);
  const auto saved = only<effect::Persist>(h.last);
  ASSERT_EQ(saved.size(), 1u) << "unlearning is saved at once";
  EXPECT_EQ(decode_persisted_state(saved[0].value).value().paged_backend, "");
  const auto again = only<effect::HttpRequest>(h.last);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].url, kMessages + "?limit=50&since=" + since_of(3));
  h.feed(input::HttpResult{again[0].id, 200, messages_page(3, 4)});
  EXPECT_EQ(ids(h.engine), (std::vector<std::string>{"m1", "m2", "m3", "m4"}));
}

}  // namespace
}  // namespace pushsync
