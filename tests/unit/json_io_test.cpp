// The host's boundary as JSON (json_io.h): what the WebAssembly bindings decode on every call.
// Numbers from JavaScript arrive as doubles; every integer field takes exactly the integers its type
// holds, whole doubles included, and refuses the rest without converting first (a double at or
// past 2^63 cast to int64 is undefined behaviour; UBSan found it in tests/fuzz/input_fuzz).
#include "pushsync/json_io.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace pushsync
