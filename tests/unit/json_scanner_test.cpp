// The core's one decoder of frames, new_message payloads and message pages (built on
// core/src/json_scanner.h) against the nlohmann oracle (tests/support/json_oracle.h): the same
// answer for every input, value or error; and a new_message read in one pass out of its frame's
// escaped `data` (Layer::InString) against the same frame read the long way. The frame and page
// fuzzers check the same on random input; these are the cases written down.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <optional>

#include "../../core/src/decoders.h"
#include "pushsync/events.h"
#include "pushsync/frame.h"
#include "pushsync/json_io.h"
#include "support/json_oracle.h"

namespace pushsync {
namespace {

using namespace std::string_literals;  // "...\0..."s keeps its NUL bytes

std::string inner(const std::string& content, const std::string& extra = "") {
  return R"({"type":"new_message","sessionId":"s1","message":{"messageId":"m1","sequenceNumber":7,"role":"user","content":)" +
         content + R"(,"status":"sent","timestamp":"2026-11-29T10:00:00.000Z")" + extra + "}}";
}

TEST(FastPath, AgreesWithTheGeneralFrameDecoder) {
  const std::vector<std::string> cases = {
      R"({"event":"new_message","channel":"private-session-s1","data":"{\"a\":1}"})",
      R"({ "event" : "e" , "data" : null , "channel" : null })",
      R"({"event":"e","serial":5,"stream_id":"st","message_id":"u"})",
      R"({"event":"e","serial":-1})",
      R"({"event":"e","serial":9223372036854775808})",
      R"({"event":"e","data":{"code":4009}})",
      R"({"event":"e","event":"f"})",
      R"({"event":"e","data":"x","data":null})",
      R"({"event":"e\u00e9","data":"\ud83d\ude00 \u0000 tab\t"})",
      R"({"event":"e","data":"\ud83d"})",
      R"({"event":"e","data":"bad \x"})",
      "{\"event\":\"e\",\"data\":\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}",
      "{\"event\":\"e\",\"data\":\"\xc3\"}",
      "{\"event\":\"e\",\"data\":\"\xed\xa0\x80\"}",
      "{\"event\":\"e\",\"data\":\"\xc0\xaf\"}",
      R"({"event":"e",})",
      R"({"event":"e"} x)",
      R"({"event":"e","x":[1,2]})",
      R"({"event":"e","x":1.5})",
      R"({"event":"e","x":01})",
      R"({"event":"e","x":{"y":{"z":true}}})",
      R"({"channel":"c"})",
      R"([])",
      R"()",
      R"({"\u0065vent":"e","d\u0061ta":"x"})",
      R"({"event":"e","data":[1,2.5e3,{"b":1,"a":[true,false,null]}]})",
      R"({"event":"e","data":-0.0})",
      R"({"event":"e","serial":5.0})",
      R"({"event":"e","serial":18446744073709551616})",
      R"({"event":"e","serial":-0})",
      R"({"event":5})",
      R"({"event":"e","event":5})",
      R"({"event":"e","channel":5})",
      R"({"event":"e","channel":"c","channel":null})",
      R"({"event":"e","x":[1,]})",
      R"({"event":"e","x":1.})",
      R"({"event":"e","x":-})",
      R"({"event":"e","x":1e})",
      R"({"event":"e","x":tru})",
      R"({"event":"e","x":1e999})",
      "{\"event\":\"e\"}\t\0\0 garbage"s,
      "\"sessionId\"\0}"s,
      "\xEF\xBB\xBF{\"event\":\"e\"}",
      "\xEF\xBB{\"event\":\"e\"}",
      " \xEF\xBB\xBF{\"event\":\"e\"}",
      "{\"event\":\"e\"\0}"s,
      R"({"event":"e","x":-1e999,"data":"d"})",
      R"({"event":"e","x":1e-999})",
      R"({"event":"e","serial":1e400})",
      "{\"event\":\"e\",\"x\":1" + std::string(400, '0') + "}",
      R"("just a string")",
      R"(  12  )",
      R"([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]])",
      R"({"event":"e","x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]})",
  };
  for (const auto& text : cases) {
    EXPECT_TRUE(oracle::agree(decode_frame(text), oracle::decode_frame(text))) << text;
  }
}

// new_message payloads, valid and not: the general decoder's cases, and the one pass's (below).
std::vector<std::string> payload_cases() {
  return {
      inner(R"("hello")"),
      inner(R"("quote \" backslash \\ newline \n unicode \u00e9 \ud83d\ude00")"),
      inner(R"("x")", R"(,"updatedAt":"2026-11-29T10:00:01.000Z","extra":{"a":[1]})"),
      inner(R"("x")", R"(,"actionPayload":{"a":1})"),
      inner(R"("x")", R"(,"error":{"code":"E","message":"m"})"),
      inner(R"("x")", R"(,"status":null)"),
      inner(R"(null)"),
      inner(R"(5)"),
      R"({"type":"new_message","sessionId":"s1","message":{"messageId":"","sequenceNumber":1,"role":"u","content":"c","timestamp":"2026-11-29T10:00:00Z"}})",
      R"({"type":"new_message","sessionId":"s1","message":{"messageId":"m","sequenceNumber":0,"role":"u","content":"c","timestamp":"2026-11-29T10:00:00Z"}})",
      R"({"type":"new_message","sessionId":"s1","message":{"messageId":"m","sequenceNumber":1,"role":"u","content":"c","timestamp":"yesterday"}})",
      R"({"type":"new_message","sessionId":"s1","message":{"messageId":"m","sequenceNumber":1,"role":"u","content":"c"}})",
      R"({"type":"new_message","sessionId":5,"message":{}})",
      R"({"type":"new_message","message":{"messageId":"m","sequenceNumber":1,"role":"u","content":"c","timestamp":"2026-11-29T10:00:00Z"}})",
      R"({"sessionId":"s1","message":{"messageId":"a","sequenceNumber":1,"role":"u","content":"c","timestamp":"2026-11-29T10:00:00Z"},"message":{"messageId":"b","sequenceNumber":2,"role":"u","content":"d","timestamp":"2026-11-29T10:00:00Z"}})",
      "not json",
      inner(R"("x")", R"(,"actionPayload":{"taskId":"t","action":"echo","n":[1,2.5,-3e2]})"),
      inner(R"("x")", R"(,"actionPayload":"text")"),
      inner(R"("x")", R"(,"actionPayload":{"z":1,"a":{"y":[true,null,-0,-12,18446744073709551615],"b":"q\"\\\/\b\f\n\r\t\u0001\u007f\u00e9"},"a":2})"),
      inner(R"("x")", R"(,"actionPayload":{"\u00e9":1,"e":2,"E":3,"":4})"),
      inner(R"("x")", R"(,"actionPayload":[{"b":1,"a":0.5}])"),
      inner(R"("x")", R"(,"actionPayload":{ "a" : [ ] , "b" : { } })"),
      inner(R"("x")", R"(,"actionPayload":null)"),
      inner(R"("x")", R"(,"error":"boom")"),
      inner(R"("x")", R"(,"error":{"code":5})"),
      inner(R"("x")", R"(,"error":[1])"),
      inner(R"("x")", R"(,"clientMessageId":"c1")"),
      inner(R"("x")", R"(,"clientMessageId":5)"),
      inner(R"("x")", R"(,"sequenceNumber":1.5)"),
      inner(R"("x")", R"(,"sequenceNumber":-4)"),
      inner(R"("x")", R"(,"sequenceNumber":9007199254740992)"),
      inner(R"("x")", R"(,"sequenceNumber":null)"),
      inner(R"("x")", R"(,"timestamp":1764410400000)"),
      inner(R"("x")", R"(,"timestamp":1764410400000.5)"),
      inner(R"("x")", R"(,"timestamp":-1)"),
      inner(R"("x")", R"(,"timestamp":true)"),
      inner(R"("x")", R"(,"timestamp":1e96020300800)"),
      inner(R"("x")", R"(,"actionPayload":{"a":1e999})"),
      inner(R"("x")", R"(,"role":5)"),
      inner(R"("x")", R"(,"messageId":null)"),
      R"({"sessionId":"s1","message":null})",
      R"({"sessionId":"s1","message":[]})",
      R"({"sessionId":null,"message":{}})",
      R"({"sessionId":"s1","message":{"messageId":"m","role":"u","timestamp":"2026-11-29T10:00:00Z"},"x":})",
      R"({"sessionId":"s1","message":{"messageId":"m","role":"u","timestamp":"2026-11-29T10:00:00Z"}} [)",
      R"({"sessionId":"s1","message":{"messageId":"m","role":"u","timestamp":"2026-11-29T10:00:00Z","content":"caf\u00e9 \ud83d\ude00"}})",
      "{\"sessionId\":\"s1\",\"message\":{\"messageId\":\"m\",\"role\":\"u\",\"timestamp\":\"2026-11-29T10:00:00Z\",\"content\":\"\xff\"}}",
      "[1,2]",
  };
}

TEST(FastPath, AgreesWithTheGeneralEventDecoder) {
  for (const auto& data : payload_cases()) {
    EXPECT_TRUE(oracle::agree(decode_app_event("new_message", data), oracle::decode_app_event("new_message", data))) << data;
  }
}

// A frame read with the one pass (decode_frame_into with `hot`) against the same frame read the
// long way: the same frame or error; when the one pass read the payload, `data` is left empty and
// the event is what the long way decodes from the data. Returns whether the one pass read it.
bool one_pass_agrees(const std::string& text) {
  Frame slow;
  const auto slow_error = decode_frame_into(text, slow);
  Frame fast;
  std::optional<NewMessageEvent> hot;
  const auto fast_error = decode_frame_into(text, fast, &hot);
  EXPECT_EQ(slow_error, fast_error) << text;
  if (slow_error) {
    EXPECT_FALSE(hot.has_value()) << text;
    return false;
  }
  if (!hot) {
    EXPECT_EQ(fast, slow) << text;
    return false;
  }
  EXPECT_EQ(fast.data, "") << text;
  fast.data = slow.data;
  EXPECT_EQ(fast, slow) << text;
  const auto event = decode_frame_event(slow.event, slow.data);
  EXPECT_TRUE(event.ok()) << text;
  if (event.ok()) EXPECT_TRUE(AppEvent{*hot} == event.value()) << text;
  return true;
}

std::string frame_of(const std::string& encoded_data, const std::string& before = R"("event":"new_message",)") {
  return "{" + before + R"("channel":"private-session-s1","data":)" + encoded_data + "}";
}

// The data string as JSON writers write it (JSON.stringify's escapes: the core's own writer),
// byte for byte: bytes that are not UTF-8 stay as they are, for the reader to refuse.
std::string encoded(const std::string& data) {
  std::string out;
  append_json_string(data, out);
  return out;
}

// The same JSON string with every slash escaped, as PHP's json_encode writes it.
std::string with_escaped_slashes(std::string text) {
  for (std::size_t at = 0; (at = text.find('/', at)) != std::string::npos; at += 2) text.insert(at, "\\");
  return text;
}

TEST(OnePass, ReadsWhatTheLongWayReadsAndNothingElse) {
  int read = 0;
  int valid = 0;
  for (const auto& data : payload_cases()) {
    const bool is_valid = decode_app_event("new_message", data).ok();
    const bool is_read = one_pass_agrees(frame_of(encoded(data)));
    EXPECT_TRUE(is_valid || !is_read) << data;
    valid += is_valid ? 1 : 0;
    read += is_read ? 1 : 0;
    // The same string with its slashes escaped (PHP's json_encode writes `\/`).
    one_pass_agrees(frame_of(with_escaped_slashes(encoded(data))));
    // Written with only ASCII (`\u00e9` in the outer string): the long way reads it.
    one_pass_agrees(frame_of(nlohmann::json(data).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace)));
    // The data before the event: the long way.
    EXPECT_FALSE(one_pass_agrees("{\"data\":" + encoded(data) + R"(,"event":"new_message"})")) << data;
  }
  // Every valid payload is read in one pass but those whose actionPayload holds a fraction (only
  // nlohmann writes those as it does): 2 of the cases.
  EXPECT_EQ(read, valid - 2);
  EXPECT_GT(read, 15);
}

TEST(OnePass, TheCommonEncodingsAreReadInOnePass) {
  const std::string data =
      inner(R"("quote \" backslash \\ slash \/ newline \n tab \t caf\u00e9 \ud83d\ude00 caf\u00c3 é 😀")",
            R"(,"actionPayload":{"b":[1,-2,true,null],"a":"x/y"},"clientMessageId":"c1")");
  ASSERT_TRUE(decode_app_event("new_message", data).ok());
  EXPECT_TRUE(one_pass_agrees(frame_of(encoded(data))));
  // Pretty-printed (JSON.stringify(event, null, 2)): escaped line breaks and spaces between tokens.
  EXPECT_TRUE(one_pass_agrees(frame_of(encoded(nlohmann::json::parse(data).dump(2)))));
  EXPECT_TRUE(one_pass_agrees(frame_of(encoded("\t" + data + "\r\n "))));
  // Every slash escaped, as PHP writes it.
  EXPECT_TRUE(one_pass_agrees(frame_of(with_escaped_slashes(encoded(data)))));
  // The byte order mark, raw, before the value: skipped both ways.
  EXPECT_TRUE(one_pass_agrees(frame_of(encoded("\xEF\xBB\xBF" + data))));
}

TEST(OnePass, WhatItDoesNotReadGoesTheLongWay) {
  const std::string data = inner(R"("x")");
  const std::string plain = encoded(data);
  const auto body = plain.substr(1, plain.size() - 2);  // the string's raw inside
  const std::vector<std::string> frames = {
      // The frame as Sockudo writes it: read in one pass.
      frame_of(plain),
      // Escapes of the outer string it does not read: a \u of a character, \b, \f; the long way reads them.
      frame_of("\"\\u007b" + body.substr(1) + "\""),
      frame_of("\"" + body + "\\b\""),
      // A raw control character or NUL inside the string: not a string at all.
      frame_of("\"" + body + "\n\""),
      frame_of("\"" + body + std::string(1, '\0') + "\""),
      frame_of("\"" + body + "\\u0000 \""),
      // Unterminated, or something after the event inside the string, or after the string.
      "{\"event\":\"new_message\",\"data\":\"" + body,
      frame_of("\"" + body + " x\""),
      frame_of(plain + " x"),
      // Bad UTF-8 inside and outside the payload's strings.
      frame_of("\"" + body + " \xff\""),
      frame_of(encoded(inner("\"caf\xc3\""))),
      // Another event, or data, after the one read: the frame's last ones count.
      "{\"event\":\"new_message\",\"data\":" + plain + R"(,"event":"message_update"})",
      "{\"event\":\"new_message\",\"data\":" + plain + R"(,"data":null})",
      "{\"event\":\"new_message\",\"data\":" + plain + R"(,"data":"{}"})",
      "{\"event\":\"new_message\",\"data\":" + plain + R"(,"event":5})",  // no event: refused
      // A new_message the long way refuses: refused (the one pass does not read it).
      frame_of(encoded(inner(R"(5)"))),
      frame_of(encoded("[" + data + "]")),
  };
  int read = 0;
  for (const auto& frame : frames) read += one_pass_agrees(frame) ? 1 : 0;
  // Only the frame whose last event and data are the one read.
  EXPECT_EQ(read, 1);
}

TEST(OneDecoder, AgreesWithTheOracleOnPages) {
  const std::string ok = R"({"messageId":"a","sequenceNumber":1,"role":"user","content":"c","timestamp":"2026-11-29T10:00:00Z"})";
  const std::vector<std::string> cases = {
      R"({"messages":[]})",
      "{\"messages\":[" + ok + "],\"hasMore\":false,\"serverTime\":\"2026-11-29T10:00:01Z\"}",
      "{\"messages\":[" + ok + R"(,{"messageId":5},7,null,{"messageId":"b","role":"r","timestamp":1764410400000}],"hasMore":true})",
      R"({"messages":{}})",
      R"({"hasMore":false})",
      "{\"messages\":[" + ok + R"(],"hasMore":null})",
      "{\"messages\":[" + ok + R"(],"serverTime":5})",
      "{\"messages\":[" + ok + R"(],"messages":[]})",
      "{\"messages\":[" + ok + ",]}",
      "{\"messages\":[" + ok + "]",
      R"([])",
      "",
      "{\"messages\":[],\"hasMore\":false}\t\0\0\0"s,
      // What follows a NUL is never read, so it cannot make the text too deep (message_page_fuzz).
      "{\"messages\":[]}\0"s + std::string(300, '['),
      "{\"\":false}\t\0\0"s + std::string(200, ']') + std::string(300, '['),
  };
  for (const auto& body : cases) {
    EXPECT_TRUE(oracle::agree(decode_message_page(body), oracle::decode_message_page(body))) << body;
  }
}

// What the store keeps is what a message costs: decoded strings hold their text at its size (a
// short one inline), not the decoder's working room. Found by bench/run memory: 993 B a stored
// message instead of 844 while strings kept the room they were decoded in.
TEST(OneDecoder, DecodedStringsHoldNoSlack) {
  const std::string long_text(400, 'x');
  const auto event = decode_app_event("new_message", inner("\"" + long_text + "\\n\""));
  ASSERT_TRUE(event.ok()) << event.error().what;
  const Message& m = std::get<NewMessageEvent>(event.value()).message;
  EXPECT_EQ(m.content, long_text + "\n");
  // Less than the 16 bytes of block room past the text (an allocator's rounding may stay).
  EXPECT_LT(m.content.capacity(), m.content.size() + 16);
  EXPECT_EQ(m.role.capacity(), std::string().capacity()) << "'user' is held inline";
  EXPECT_EQ(m.status.capacity(), std::string().capacity()) << "'sent' is held inline";
}

}  // namespace
}  // namespace pushsync
