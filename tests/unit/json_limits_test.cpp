// Nesting limits: a peer cannot make a decoder recurse past kMaxJsonDepth (a frame of 100,000
// nested arrays, 200 KB, used to overflow the native stack; the WASM stack is smaller still).
#include "../../core/src/json_limits.h"

#include <gtest/gtest.h>

#include <string>

#include "pushsync/events.h"
#include "pushsync/frame.h"

namespace pushsync {
namespace {

std::string nested_arrays(int depth) { return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']'); }

TEST(JsonLimits, DepthAtTheLimitPassesOneMoreDoesNot) {
  EXPECT_TRUE(within_depth(nested_arrays(kMaxJsonDepth)));
  EXPECT_FALSE(within_depth(nested_arrays(kMaxJsonDepth + 1)));
  // Brackets inside strings (escaped quotes included) do not count.
  EXPECT_TRUE(within_depth("[\"" + std::string(1000, '[') + "\\\"" + std::string(1000, '{') + "\"]"));
  EXPECT_TRUE(parse_bounded(nested_arrays(kMaxJsonDepth + 1)).is_discarded());
  EXPECT_FALSE(parse_bounded(nested_arrays(kMaxJsonDepth)).is_discarded());
}

TEST(JsonLimits, AHugelyNestedFrameIsRefusedNotACrash) {
  const std::string deep = nested_arrays(100'000);
  EXPECT_EQ(decode_frame(R"({"event":"new_message","data":)" + deep + "}").error(), FrameError::TooDeep);
  EXPECT_EQ(decode_frame(deep).error(), FrameError::TooDeep);
  // Nested objects, the scanner's own subset, fall through to the bounded general path.
  std::string objects;
  for (int i = 0; i < 10'000; ++i) objects += R"({"a":)";
  objects += "1" + std::string(10'000, '}');
  EXPECT_EQ(decode_frame(R"({"event":"x","data":)" + objects + "}").error(), FrameError::TooDeep);
}

TEST(JsonLimits, ADeepPayloadOrMessageIsNamedAndTheRestOfThePageApplies) {
  const auto event = decode_app_event("interact_response", R"({"sessionId":"s1","data":)" + nested_arrays(5'000) + "}");
  ASSERT_FALSE(event.ok());
  EXPECT_NE(event.error().what.find("too deeply"), std::string::npos) << event.error().what;

  const std::string good = R"({"messageId":"m1","role":"user","content":"hi","timestamp":"2026-11-29T10:00:00Z"})";
  const std::string deep = R"({"messageId":"m2","role":"user","content":"hi","timestamp":"2026-11-29T10:00:01Z","actionPayload":)" +
                           nested_arrays(kMaxJsonDepth) + "}";
  const auto page = decode_message_page(R"({"messages":[)" + good + "," + deep + "]}");
  ASSERT_FALSE(page.ok());  // the page as a whole nests too deeply: refused, nothing applied
  const auto shallow = decode_message_page(R"({"messages":[)" + good + "]}");
  ASSERT_TRUE(shallow.ok());
  EXPECT_EQ(shallow.value().messages.size(), 1u);
}

}  // namespace
}  // namespace pushsync
