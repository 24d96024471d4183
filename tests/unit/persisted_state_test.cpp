// The value kept across host restarts: it round-trips, and anything else is refused, never guessed.
#include "pushsync/persisted_state.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace pushsync {
namespace {

TEST(PersistedState, RoundTripTable) {
  const std::vector<PersistedState> states = {
      {},
      {"s1", true, 1'000, 42},
      {"s1", false, 0, 0},
      {"", false, -5, 0},  // host clocks differ: a negative saved_at is still a value
      {"session \"quoted\" \\ \n \xE6\x97\xA5", true, 1, 1},
      {"s", true, std::numeric_limits<Millis>::max(), std::numeric_limits<std::int64_t>::max()},
      {"s", false, std::numeric_limits<Millis>::min(), 9'007'199'254'740'993},
      {"s1", true, 1, 2, "http://127.0.0.1:3000"},
  };
  for (const auto& state : states) {
    const std::string text = encode_persisted_state(state);
    const auto decoded = decode_persisted_state(text);
    ASSERT_TRUE(decoded.ok()) << text << ": " << decoded.error().what;
    EXPECT_EQ(decoded.value(), state) << text;
  }
}

TEST(PersistedState, EncodesTheDocumentedShape) {
  EXPECT_EQ(encode_persisted_state({"s1", true, 1'234, 56}),
            R"({"cursor":56,"savedAt":1234,"sessionId":"s1","v":1,"wasConnected":true})");
  EXPECT_EQ(encode_persisted_state({"s1", true, 1'234, 56, "https://chat.example"}),
            R"({"cursor":56,"pagedBackend":"https://chat.example","savedAt":1234,"sessionId":"s1","v":1,"wasConnected":true})");
  EXPECT_EQ(PersistedState::kKey, "pushsync.state");
}

TEST(PersistedState, ReadsVersionOneWrittenByHand) {
  const auto decoded =
      decode_persisted_state(R"({"v":1,"sessionId":"abc","wasConnected":false,"savedAt":7,"cursor":3,"extra":[1]})");
  ASSERT_TRUE(decoded.ok()) << decoded.error().what;
  EXPECT_EQ(decoded.value(), (PersistedState{"abc", false, 7, 3}));
}

std::string with(const std::string& field, const std::string& value) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"v", "1"}, {"sessionId", R"("s1")"}, {"wasConnected", "true"}, {"savedAt", "1000"}, {"cursor", "42"}};
  std::string out = "{";
  for (auto& [key, v] : fields) {
    const std::string& text = key == field ? value : v;
    if (text.empty()) continue;
    if (out.size() > 1) out += ",";
    out += "\"" + key + "\":" + text;
  }
  return out + "}";
}

TEST(PersistedState, RefusedTable) {
  struct Case {
    const char* name;
    std::string text;
  };
  const std::vector<Case> cases = {
      {"empty", ""},
      {"malformed JSON", R"({"v":1,)"},
      {"garbage", "\xFF\xFE"},
      {"not an object", R"([1,"s1",true,1000,42])"},
      {"null", "null"},
      {"a string holding the object", R"("{\"v\":1}")"},
      {"no version", with("v", "")},
      {"version 0", with("v", "0")},
      {"version 2 (newer than this engine)", with("v", "2")},
      {"version -1", with("v", "-1")},
      {"version as a string", with("v", R"("1")")},
      {"version as a float", with("v", "1.0")},
      {"version beyond int64", with("v", "18446744073709551615")},
      {"missing sessionId", with("sessionId", "")},
      {"sessionId null", with("sessionId", "null")},
      {"sessionId number", with("sessionId", "1")},
      {"missing wasConnected", with("wasConnected", "")},
      {"wasConnected as a number", with("wasConnected", "1")},
      {"wasConnected as a string", with("wasConnected", R"("true")")},
      {"missing savedAt", with("savedAt", "")},
      {"savedAt float", with("savedAt", "1.5")},
      {"savedAt string", with("savedAt", R"("1000")")},
      {"missing cursor", with("cursor", "")},
      {"negative cursor", with("cursor", "-1")},
      {"cursor int64 min", with("cursor", "-9223372036854775808")},
      {"cursor beyond int64", with("cursor", "9223372036854775808")},
      {"cursor float", with("cursor", "42.0")},
      {"cursor string", with("cursor", R"("42")")},
      {"pagedBackend not a string", with("v", R"(1,"pagedBackend":true)")},
  };
  for (const auto& c : cases) {
    const auto decoded = decode_persisted_state(c.text);
    EXPECT_FALSE(decoded.ok()) << c.name << ": " << c.text << " was accepted";
    if (!decoded.ok()) EXPECT_NE(decoded.error().what.find("persisted state"), std::string::npos) << c.name;
  }
}

// A version outside int's range must not be read modulo 2^32: 4294967297 is not version 1.
TEST(PersistedState, RefusesAVersionThatWrapsToOne) {
  for (const char* version : {"4294967297", "-4294967295", "8589934593"}) {
    const auto decoded = decode_persisted_state(with("v", version));
    EXPECT_FALSE(decoded.ok()) << "version " << version << " was accepted as version 1";
  }
}

TEST(PersistedState, BoundaryValuesAccepted) {
  EXPECT_TRUE(decode_persisted_state(with("cursor", "0")).ok());
  EXPECT_TRUE(decode_persisted_state(with("cursor", "9223372036854775807")).ok());
  EXPECT_TRUE(decode_persisted_state(with("sessionId", R"("")")).ok());
  EXPECT_TRUE(decode_persisted_state(with("savedAt", "-1")).ok());
}

}  // namespace
}  // namespace pushsync
