// The host's boundary as JSON (json_io.h): what the WebAssembly bindings decode on every call.
// Numbers from JavaScript arrive as doubles; every integer field takes exactly the integers its type
// holds, whole doubles included, and refuses the rest without converting first (a double at or
// past 2^63 cast to int64 is undefined behaviour; UBSan found it in tests/fuzz/input_fuzz).
#include "pushsync/json_io.h"

#include <gtest/gtest.h>

#include "support/json_oracle.h"

#include <limits>
#include <string>
#include <variant>

namespace pushsync {
namespace {

Result<Config, DecodeError> config(const std::string& fields) {
  return config_from_json(R"({"apiBase":"http://a")" + (fields.empty() ? "" : "," + fields) + "}");
}

TEST(JsonIo, IntegersTakeExactlyWhatTheirTypeHolds) {
  EXPECT_EQ(config(R"("jitterSeed":18446744073709551615)").value().jitter_seed, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(config(R"("jitterSeed":1e19)").value().jitter_seed, 10'000'000'000'000'000'000ull);
  EXPECT_FALSE(config(R"("jitterSeed":18446744073709551616)").ok());  // 2^64, as a double
  EXPECT_FALSE(config(R"("jitterSeed":-1)").ok());
  EXPECT_EQ(config(R"("keepaliveMs":9223372036854775807)").value().keepalive, std::numeric_limits<Millis>::max());
  EXPECT_EQ(config(R"("keepaliveMs":-9223372036854775808)").value().keepalive, std::numeric_limits<Millis>::min());
  EXPECT_EQ(config(R"("keepaliveMs":-9.223372036854775808e18)").value().keepalive, std::numeric_limits<Millis>::min());
  EXPECT_FALSE(config(R"("keepaliveMs":9.3e18)").ok());
  EXPECT_FALSE(config(R"("keepaliveMs":9223372036854775808)").ok());
  EXPECT_EQ(config(R"("wsPort":443.0)").value().ws_port, 443);
  EXPECT_FALSE(config(R"("wsPort":443.5)").ok());
  EXPECT_FALSE(config(R"("wsPort":2147483648)").ok());
  EXPECT_EQ(config(R"("wsPort":-2147483648)").value().ws_port, std::numeric_limits<int>::min());
  EXPECT_FALSE(config(R"("maxMessages":-0.5)").ok());
  EXPECT_EQ(config(R"("maxMessages":-0.0)").value().max_messages, 0u);
  const auto refused = config(R"("pageLimit":"50")");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().what, "config: 'pageLimit' must be an integer");
  EXPECT_EQ(config(R"("pageLimit":1e300)").error().what, "config: 'pageLimit' must be an integer in range");
}

TEST(JsonIo, ADoubleFieldTakesFiniteNumbersOnly) {
  EXPECT_EQ(config(R"("backoffJitter":0.25)").value().backoff.jitter, 0.25);
  EXPECT_FALSE(config(R"("backoffJitter":1e400)").ok());  // out of double's range: not a value JSON can carry back
  EXPECT_FALSE(config(R"("backoffJitter":null)").ok());
}

TEST(JsonIo, AConfigurationAtTheExtremesSurvivesARoundTrip) {
  Config c;
  c.api_base = "http://a";
  c.jitter_seed = std::numeric_limits<std::uint64_t>::max();
  c.keepalive = std::numeric_limits<Millis>::min();
  c.connect_timeout = std::numeric_limits<Millis>::max();
  c.max_messages = std::numeric_limits<std::size_t>::max();
  c.backoff.jitter = std::numeric_limits<double>::denorm_min();
  const auto again = config_from_json(config_to_json(c));
  ASSERT_TRUE(again.ok()) << again.error().what;
  EXPECT_EQ(again.value(), c);
  const auto input = input_from_json(input_to_json(input::Configure{c}));
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(std::get<input::Configure>(input.value()).config, c);
}

TEST(JsonIo, TheTypingEffectReadsAsNlohmannWritesIt) {
  // A writer of its own for plain ASCII (no DOM per frame); nlohmann's sorted keys and escapes.
  EXPECT_EQ(effects_to_json({effect::TypingChanged{"s1", true, "thinking"}}),
            R"([{"context":"thinking","isTyping":true,"sessionId":"s1","type":"typing"}])");
  EXPECT_EQ(effects_to_json({effect::TypingChanged{"s1", false, ""}}),
            R"([{"context":"","isTyping":false,"sessionId":"s1","type":"typing"}])");
  EXPECT_EQ(effects_to_json({effect::TypingChanged{"s\"1", false, "caf\xc3\xa9\n"}}),
            "[{\"context\":\"caf\xc3\xa9\\n\",\"isTyping\":false,\"sessionId\":\"s\\\"1\",\"type\":\"typing\"}]");
}

// The two inputs that carry bulk (a REST page, a session's copy) are read by the scanner
// (core/src/bulk_input.h); each case is also checked against the nlohmann reader it replaced.
Result<Input, DecodeError> bulk(const std::string& text) {
  const auto core = input_from_json(text);
  const auto oracle = oracle::decode_bulk_input(text);
  EXPECT_TRUE(oracle.has_value()) << text;
  if (oracle) {
    EXPECT_EQ(core.ok(), oracle->ok()) << text;
    if (core.ok() && oracle->ok()) EXPECT_TRUE(oracle::same_input(core.value(), oracle->value())) << text;
    if (!core.ok() && !oracle->ok()) EXPECT_EQ(core.error().what, oracle->error().what) << text;
  }
  return core;
}

std::string error_of(const std::string& text) {
  const auto decoded = bulk(text);
  return decoded.ok() ? "(accepted)" : decoded.error().what;
}

TEST(JsonIo, AnHttpResultIsReadInAnyKeyOrderWithItsBodyDecoded) {
  const auto a = bulk(R"({"body":"{\"messages\":[{\"content\":\"caf\u00e9 \\\"q\\\" \ud83d\ude00\"}]}","status":200,"retryAfterMs":null,"x":[1,{"y":2}],"id":7,"type":"httpResult"})");
  ASSERT_TRUE(a.ok()) << a.error().what;
  const auto& http = std::get<input::HttpResult>(a.value());
  EXPECT_EQ(http.id, 7u);
  EXPECT_EQ(http.status, 200);
  EXPECT_EQ(http.body, "{\"messages\":[{\"content\":\"caf\xc3\xa9 \\\"q\\\" \xf0\x9f\x98\x80\"}]}");
  EXPECT_FALSE(http.retry_after);
  // An escaped key is the same key; the last of a repeated key wins, as in nlohmann's DOM.
  const auto b = bulk(R"({"\u0074ype":"httpResult","status":500,"status":404,"retryAfterMs":1e3,"body":""})");
  ASSERT_TRUE(b.ok()) << b.error().what;
  EXPECT_EQ(std::get<input::HttpResult>(b.value()).status, 404);
  EXPECT_EQ(std::get<input::HttpResult>(b.value()).retry_after, 1000);
  EXPECT_EQ(std::get<input::HttpResult>(b.value()).id, 0u);  // absent: the default, as before
}

TEST(JsonIo, ABadHttpResultSaysWhichFieldAndLosesNothingElse) {
  EXPECT_EQ(error_of(R"({"type":"httpResult","id":"7","status":200})"), "input httpResult: 'id' must be an integer");
  EXPECT_EQ(error_of(R"({"type":"httpResult","id":1.5,"status":200})"), "input httpResult: 'id' must be an integer in range");
  EXPECT_EQ(error_of(R"({"type":"httpResult","id":1,"status":200,"body":null})"), "input httpResult: 'body' must be a string");
  EXPECT_EQ(error_of(R"({"type":"httpResult","id":1,"status":1e10})"), "input httpResult: 'status' must be an integer in range");
  EXPECT_EQ(error_of(R"({"type":"httpResult","id":1,"status":429,"retryAfterMs":-5})"),
            "input httpResult: 'retryAfterMs' must not be negative");
  // The first field in reading order is named, whatever the order of the text.
  EXPECT_EQ(error_of(R"({"body":5,"type":"httpResult","id":"x"})"), "input httpResult: 'id' must be an integer");
  // Not JSON, or JSON after the object: the whole input is refused, as by nlohmann.
  EXPECT_EQ(input_from_json(R"({"type":"httpResult","id":1,"body":"ab)").error().what, "input: not a JSON object");
  EXPECT_EQ(input_from_json(R"({"type":"httpResult","id":1} x)").error().what, "input: not a JSON object");
  EXPECT_EQ(input_from_json("{\"type\":\"httpResult\",\"body\":\"\xff\"}").error().what, "input: not a JSON object");
}

TEST(JsonIo, ASeedKeepsItsMessagesAsTheHostWroteThemAndSurvivesARoundTrip) {
  const std::string text =
      R"({"type":"seed","sessionId":"s1","messages":[ {"messageId":"m1","content":"a\nb","sequenceNumber":1} ],)"
      R"("gaps":[{"afterId":"m0","beforeId":"m1","missing":3}]})";
  const auto a = bulk(text);
  ASSERT_TRUE(a.ok()) << a.error().what;
  const auto& seed = std::get<input::Seed>(a.value());
  EXPECT_EQ(seed.session_id, "s1");
  EXPECT_EQ(seed.page, R"({"messages":[ {"messageId":"m1","content":"a\nb","sequenceNumber":1} ]})");
  ASSERT_EQ(seed.gaps.size(), 1u);
  EXPECT_EQ(seed.gaps[0].missing, 3);
  // Encoded again it decodes to the same page (the messages written as they came).
  const auto again = input_from_json(input_to_json(a.value()));
  ASSERT_TRUE(again.ok()) << again.error().what;
  EXPECT_EQ(again.value(), a.value());
  // A page of another shape (a host's own Seed) is written through nlohmann.
  const auto other = input_from_json(input_to_json(input::Seed{"s1", R"({"hasMore":false,"messages":[]})", {}}));
  ASSERT_TRUE(other.ok()) << other.error().what;
  EXPECT_EQ(std::get<input::Seed>(other.value()).page, R"({"messages":[]})");
}

TEST(JsonIo, ABadSeedSaysWhatIsWrong) {
  EXPECT_EQ(error_of(R"({"type":"seed","sessionId":"s1"})"), "input seed: 'messages' must be an array");
  EXPECT_EQ(error_of(R"({"type":"seed","sessionId":"s1","messages":{}})"), "input seed: 'messages' must be an array");
  EXPECT_EQ(error_of(R"({"type":"seed","sessionId":"s1","messages":[],"gaps":{}})"), "input seed: 'gaps' must be an array");
  EXPECT_EQ(error_of(R"({"type":"seed","sessionId":"s1","messages":[],"gaps":[{"afterId":"a"}]})"),
            "input seed: gap: 'beforeId' is required");
  EXPECT_EQ(error_of(R"({"type":"seed","sessionId":5,"messages":[]})"), "input seed: 'sessionId' must be a string");
  // The messages check comes first, as before.
  EXPECT_EQ(error_of(R"({"type":"seed","sessionId":5})"), "input seed: 'messages' must be an array");
}

}  // namespace
}  // namespace pushsync
