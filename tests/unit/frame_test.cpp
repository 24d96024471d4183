// The Pusher frame codec, through its public functions only: decode_frame's results for valid
// frames and for every FrameError, the exact text of every encoder, and a truncation sweep.
#include "pushsync/frame.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace pushsync {
namespace {

// ---------------------------------------------------------------------------------------------
// decode_frame: valid frames.

struct ValidCase {
  const char* name;
  std::string text;
  Frame expected;
};

TEST(DecodeFrame, ValidFramesTable) {
  const std::vector<ValidCase> cases = {
      {"event only", R"({"event":"pusher:pong"})", Frame{"pusher:pong", {}, "", {}, {}, {}, {}}},
      {"double-encoded data is kept as the inner text",
       R"({"event":"new_message","channel":"private-session-s1","data":"{\"sessionId\":\"s1\"}"})",
       Frame{"new_message", "private-session-s1", R"({"sessionId":"s1"})", {}, {}, {}, {}}},
      {"object data is serialised",
       R"({"event":"pusher:error","data":{"code":4001,"message":"App key not found"}})",
       Frame{"pusher:error", {}, R"({"code":4001,"message":"App key not found"})", {}, {}, {}, {}}},
      {"empty object data", R"({"event":"pusher:ping","data":{}})", Frame{"pusher:ping", {}, "{}", {}, {}, {}, {}}},
      {"null data is no data", R"({"event":"e","data":null})", Frame{"e", {}, "", {}, {}, {}, {}}},
      {"empty string data", R"({"event":"e","data":""})", Frame{"e", {}, "", {}, {}, {}, {}}},
      {"plain string data (not JSON) is kept", R"({"event":"e","data":"hello"})",
       Frame{"e", {}, "hello", {}, {}, {}, {}}},
      {"number data is serialised", R"({"event":"e","data":42})", Frame{"e", {}, "42", {}, {}, {}, {}}},
      {"array data is serialised", R"({"event":"e","data":[1,"a"]})", Frame{"e", {}, R"([1,"a"])", {}, {}, {}, {}}},
      {"user_id", R"({"event":"client-typing","channel":"presence-x","user_id":"u-7","data":"{}"})",
       Frame{"client-typing", "presence-x", "{}", "u-7", {}, {}, {}}},
      {"null channel and user_id count as absent", R"({"event":"e","channel":null,"user_id":null})",
       Frame{"e", {}, "", {}, {}, {}, {}}},
      {"empty event name is still an event", R"({"event":""})", Frame{"", {}, "", {}, {}, {}, {}}},
      {"V2 delivery position",
       R"({"event":"new_message","channel":"private-session-s1","data":"{}","message_id":"msg-1","stream_id":"st-9","serial":42})",
       Frame{"new_message", "private-session-s1", "{}", {}, "msg-1", "st-9", 42}},
      {"V2 serial 0", R"({"event":"e","serial":0})", Frame{"e", {}, "", {}, {}, {}, 0}},
      {"V2 serial at int64 max", R"({"event":"e","serial":9223372036854775807})",
       Frame{"e", {}, "", {}, {}, {}, std::numeric_limits<std::int64_t>::max()}},
      {"V2 null fields count as absent", R"({"event":"e","message_id":null,"stream_id":null,"serial":null})",
       Frame{"e", {}, "", {}, {}, {}, {}}},
      {"unknown fields are ignored", R"({"event":"e","extra":{"deep":[1,2,3]},"data":"x"})",
       Frame{"e", {}, "x", {}, {}, {}, {}}},
      {"surrounding whitespace", " \n\t{\"event\":\"e\"}\r\n ", Frame{"e", {}, "", {}, {}, {}, {}}},
      {"unicode escapes are decoded to UTF-8", R"({"event":"e","data":"caf\u00e9 \ud83d\ude00"})",
       Frame{"e", {}, "caf\xC3\xA9 \xF0\x9F\x98\x80", {}, {}, {}, {}}},
      {"raw UTF-8 passes through", "{\"event\":\"e\",\"channel\":\"\xE6\x97\xA5\"}",
       Frame{"e", "\xE6\x97\xA5", "", {}, {}, {}, {}}},
  };
  for (const auto& c : cases) {
    const auto result = decode_frame(c.text);
    ASSERT_TRUE(result.ok()) << c.name << ": " << to_string(result.error());
    EXPECT_EQ(result.value(), c.expected) << c.name;
  }
}

TEST(DecodeFrame, ConnectionEstablishedAsPusherSendsIt) {
  const auto result = decode_frame(
      R"({"event":"pusher:connection_established","data":"{\"socket_id\":\"123.456\",\"activity_timeout\":120}"})");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.value().event, "pusher:connection_established");
  EXPECT_EQ(result.value().data, R"({"socket_id":"123.456","activity_timeout":120})");
  EXPECT_FALSE(result.value().channel.has_value());
}

// ---------------------------------------------------------------------------------------------
// decode_frame: every FrameError.

struct ErrorCase {
  const char* name;
  std::string text;
  FrameError expected;
};

TEST(DecodeFrame, ErrorTable) {
  const std::vector<ErrorCase> cases = {
      {"empty text", "", FrameError::NotJson},
      {"whitespace only", "  \n", FrameError::NotJson},
      {"plain words", "hello", FrameError::NotJson},
      {"unterminated object", R"({"event":"e")", FrameError::NotJson},
      {"trailing garbage", R"({"event":"e"}x)", FrameError::NotJson},
      {"two objects", R"({"event":"e"}{"event":"f"})", FrameError::NotJson},
      {"trailing comma", R"({"event":"e",})", FrameError::NotJson},
      {"single quotes", R"({'event':'e'})", FrameError::NotJson},
      {"invalid UTF-8 inside a string", "{\"event\":\"\xFF\"}", FrameError::NotJson},
      {"truncated UTF-8 sequence", "{\"event\":\"\xE6\x97\"}", FrameError::NotJson},
      {"overlong UTF-8 encoding", "{\"event\":\"\xC0\xAF\"}", FrameError::NotJson},
      {"UTF-8 encoded surrogate", "{\"event\":\"\xED\xA0\x80\"}", FrameError::NotJson},
      {"lone high surrogate escape", R"({"event":"\ud83d"})", FrameError::NotJson},
      {"lone low surrogate escape", R"({"event":"\ude00"})", FrameError::NotJson},
      {"raw control character in a string", std::string("{\"event\":\"a\x01\"}"), FrameError::NotJson},
      {"NUL byte inside the object", std::string("{\"event\":\"e\"\0}", 14), FrameError::NotJson},
      {"array", R"([{"event":"e"}])", FrameError::NotAnObject},
      {"string", R"("{\"event\":\"e\"}")", FrameError::NotAnObject},
      {"number", "42", FrameError::NotAnObject},
      {"null", "null", FrameError::NotAnObject},
      {"boolean", "true", FrameError::NotAnObject},
      {"empty object", "{}", FrameError::MissingEvent},
      {"no event, other fields", R"({"channel":"c","data":"{}"})", FrameError::MissingEvent},
      {"event null", R"({"event":null})", FrameError::MissingEvent},
      {"event number", R"({"event":1})", FrameError::MissingEvent},
      {"event object", R"({"event":{"name":"e"}})", FrameError::MissingEvent},
      {"event array", R"({"event":["e"]})", FrameError::MissingEvent},
      {"channel number", R"({"event":"e","channel":1})", FrameError::BadField},
      {"channel object", R"({"event":"e","channel":{}})", FrameError::BadField},
      {"channel boolean", R"({"event":"e","channel":false})", FrameError::BadField},
      {"user_id number", R"({"event":"e","user_id":7})", FrameError::BadField},
      {"message_id number", R"({"event":"e","message_id":1})", FrameError::BadField},
      {"stream_id array", R"({"event":"e","stream_id":["s"]})", FrameError::BadField},
      {"serial string", R"({"event":"e","serial":"42"})", FrameError::BadField},
      {"serial float", R"({"event":"e","serial":4.5})", FrameError::BadField},
      {"serial float with integral value", R"({"event":"e","serial":42.0})", FrameError::BadField},
      {"serial boolean", R"({"event":"e","serial":true})", FrameError::BadField},
  };
  for (const auto& c : cases) {
    const auto result = decode_frame(c.text);
    ASSERT_FALSE(result.ok()) << c.name;
    EXPECT_EQ(result.error(), c.expected) << c.name << ": got " << to_string(result.error());
  }
}

// Sockudo's serials are unsigned 64-bit and the client echoes them back in sockudo:resume. One
// beyond int64 must be refused as a BadField, not wrapped into a negative number that the server
// would then fail to parse.
TEST(DecodeFrame, SerialBeyondInt64IsRefusedNotWrapped) {
  for (const char* text : {R"({"event":"e","serial":9223372036854775808})",
                           R"({"event":"e","serial":18446744073709551615})"}) {
    const auto result = decode_frame(text);
    ASSERT_FALSE(result.ok()) << text << " decoded as serial " << result.value().serial.value_or(0);
    EXPECT_EQ(result.error(), FrameError::BadField) << text;
  }
}

TEST(DecodeFrame, EveryErrorHasItsOwnDescription) {
  std::set<std::string> texts;
  for (const FrameError error :
       {FrameError::NotJson, FrameError::NotAnObject, FrameError::MissingEvent, FrameError::BadField,
        FrameError::TooDeep}) {
    const std::string text = to_string(error);
    EXPECT_FALSE(text.empty());
    texts.insert(text);
  }
  EXPECT_EQ(texts.size(), 5u);
}

// Random bytes and random mutations of real frames: decode_frame answers with a value or an error,
// and never aborts. (The fuzzer in tests/fuzz explores the same invariant far more widely.)
TEST(DecodeFrame, GarbageNeverCrashes) {
  const std::vector<std::string> seeds = {
      R"({"event":"new_message","channel":"private-session-s1","data":"{\"sessionId\":\"s1\"}"})",
      R"({"event":"pusher:error","data":{"code":4001,"message":"x"}})",
      R"({"event":"e","message_id":"m","stream_id":"s","serial":1})",
  };
  std::mt19937 random(20260101);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 5'000; ++i) {
    std::string text;
    if (i % 2 == 0) {
      text.resize(static_cast<std::size_t>(random() % 64));
      for (auto& c : text) c = static_cast<char>(byte(random));
    } else {
      text = seeds[static_cast<std::size_t>(i) % seeds.size()];
      for (int flips = 1 + static_cast<int>(random() % 4); flips > 0; --flips) {
        text[random() % text.size()] = static_cast<char>(byte(random));
      }
    }
    const auto result = decode_frame(text);
    if (result.ok()) {
      // Whatever was accepted is an object with a string event: encoding its data again and
      // decoding that gives the same data back.
      const auto again = decode_frame(encode_frame(result.value().event, result.value().data));
      ASSERT_TRUE(again.ok());
      EXPECT_EQ(again.value().data, result.value().data);
    }
  }
}

// Boost.Beast style: a valid frame cut at every byte offset. A whole-message decoder must refuse
// every strict prefix (an object is not closed before its last byte) and accept only the full text.
TEST(DecodeFrame, TruncatedAtEveryOffset) {
  const std::vector<std::string> frames = {
      R"({"event":"new_message","channel":"private-session-s1","data":"{\"sessionId\":\"s1\",\"message\":{\"messageId\":\"m1\",\"sequenceNumber\":1}}"})",
      R"({"event":"pusher:error","data":{"code":4009,"message":"Connection not authorized"}})",
      R"({"event":"new_message","channel":"c","data":"{}","message_id":"m-1","stream_id":"st-1","serial":1234567})",
      "{\"event\":\"e\",\"data\":\"caf\xC3\xA9 \xF0\x9F\x98\x80\"}",
  };
  for (const auto& text : frames) {
    const auto whole = decode_frame(text);
    ASSERT_TRUE(whole.ok()) << text;
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
      const auto result = decode_frame(std::string_view(text).substr(0, cut));
      if (cut == text.size()) {
        ASSERT_TRUE(result.ok());
        EXPECT_EQ(result.value(), whole.value());
      } else {
        ASSERT_FALSE(result.ok()) << "prefix of " << cut << " bytes was accepted: " << text.substr(0, cut);
        EXPECT_EQ(result.error(), FrameError::NotJson) << cut;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Encoders: the exact text Pusher and Sockudo read. nlohmann serialises keys in sorted order.

struct EncoderCase {
  const char* name;
  std::string actual;
  std::string expected;
};

TEST(Encoders, ExactText) {
  const std::vector<EncoderCase> cases = {
      {"subscribe (data as an object, as pusher-js sends it)",
       encode_subscribe("private-session-s1", "app-key:5f1c0ffee"),
       R"({"data":{"auth":"app-key:5f1c0ffee","channel":"private-session-s1"},"event":"pusher:subscribe"})"},
      {"unsubscribe", encode_unsubscribe("private-session-s1"),
       R"({"data":{"channel":"private-session-s1"},"event":"pusher:unsubscribe"})"},
      {"ping", encode_ping(), R"({"event":"pusher:ping","data":{}})"},
      {"pong", encode_pong(), R"({"event":"pusher:pong","data":{}})"},
      {"frame with channel (data double-encoded)", encode_frame("client-typing", R"({"isTyping":true})", "private-c"),
       R"({"channel":"private-c","data":"{\"isTyping\":true}","event":"client-typing"})"},
      {"frame without channel", encode_frame("e", "{}"), R"({"data":"{}","event":"e"})"},
      {"frame with empty data", encode_frame("e", ""), R"({"data":"","event":"e"})"},
      {"resume with last message id",
       encode_resume({ResumePosition{"private-session-s1", "st-1", 42, "msg-9"}}),
       R"({"data":{"channel_positions":{"private-session-s1":{"last_message_id":"msg-9","serial":42,"stream_id":"st-1"}}},"event":"sockudo:resume"})"},
      {"resume without last message id", encode_resume({ResumePosition{"c", "st-1", 0, {}}}),
       R"({"data":{"channel_positions":{"c":{"serial":0,"stream_id":"st-1"}}},"event":"sockudo:resume"})"},
      {"resume of two channels", encode_resume({{"b", "s2", 2, {}}, {"a", "s1", 1, {}}}),
       R"({"data":{"channel_positions":{"a":{"serial":1,"stream_id":"s1"},"b":{"serial":2,"stream_id":"s2"}}},"event":"sockudo:resume"})"},
      {"resume of nothing", encode_resume({}), R"({"data":{"channel_positions":{}},"event":"sockudo:resume"})"},
      {"escaping", encode_unsubscribe("a\"b\\c\nd"), R"({"data":{"channel":"a\"b\\c\nd"},"event":"pusher:unsubscribe"})"},
  };
  for (const auto& c : cases) EXPECT_EQ(c.actual, c.expected) << c.name;
}

TEST(Encoders, DecodeBackToWhatWasEncoded) {
  {
    const auto frame = decode_frame(encode_frame("client-x", R"({"a":[1,2]})", "private-session-s1"));
    ASSERT_TRUE(frame.ok());
    EXPECT_EQ(frame.value(), (Frame{"client-x", "private-session-s1", R"({"a":[1,2]})", {}, {}, {}, {}}));
  }
  {
    const auto frame = decode_frame(encode_subscribe("private-session-s1", "k:sig"));
    ASSERT_TRUE(frame.ok());
    EXPECT_EQ(frame.value().event, "pusher:subscribe");
    EXPECT_FALSE(frame.value().channel.has_value());
    EXPECT_EQ(frame.value().data, R"({"auth":"k:sig","channel":"private-session-s1"})");
  }
  for (const auto& text : {encode_ping(), encode_pong()}) {
    const auto frame = decode_frame(text);
    ASSERT_TRUE(frame.ok());
    EXPECT_EQ(frame.value().data, "{}");
  }
  {
    // Data that is not JSON at all still travels intact (Pusher only sees a string).
    const std::string odd = "not json \" \\ \x01 \xE6\x97\xA5";
    const auto frame = decode_frame(encode_frame("e", odd));
    ASSERT_TRUE(frame.ok());
    EXPECT_EQ(frame.value().data, odd);
  }
}

// Strings that reach the encoders come from the host (the session id becomes the channel name).
// A JS string with a lone surrogate, passed through embind, arrives as bytes that are not UTF-8.
// The encoders must not abort the engine on them (nlohmann's dump() under JSON_NOEXCEPTION
// calls std::abort() on invalid UTF-8). Run in a child process so a crash fails only this test.
TEST(EncodersDeathTest, InvalidUtf8FromTheHostDoesNotAbort) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string bad = "private-session-\xFF\xED\xA0\x80";
  EXPECT_EXIT(
      {
        (void)encode_subscribe(bad, "k:sig");
        std::exit(0);
      },
      testing::ExitedWithCode(0), "")
      << "encode_subscribe aborted on a channel name that is not UTF-8";
  EXPECT_EXIT(
      {
        (void)encode_unsubscribe(bad);
        std::exit(0);
      },
      testing::ExitedWithCode(0), "")
      << "encode_unsubscribe aborted";
  EXPECT_EXIT(
      {
        (void)encode_frame("e", "\xFF", bad);
        std::exit(0);
      },
      testing::ExitedWithCode(0), "")
      << "encode_frame aborted";
  EXPECT_EXIT(
      {
        (void)encode_resume({ResumePosition{bad, "st", 1, {}}});
        std::exit(0);
      },
      testing::ExitedWithCode(0), "")
      << "encode_resume aborted";
}

}  // namespace
}  // namespace pushsync
