// The fast decode path (core/src/json_scanner.h) against the general one (nlohmann): wherever the
// fast path answers, both must give exactly the same frame or event. The frame fuzzer checks the
// same on random input; these are the cases written down.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../../core/src/decoders.h"
#include "pushsync/events.h"
#include "pushsync/frame.h"

namespace pushsync {
namespace {

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
  };
  for (const auto& text : cases) {
    EXPECT_EQ(decode_frame(text), decode_frame_general(text)) << text;
  }
}

TEST(FastPath, AgreesWithTheGeneralEventDecoder) {
  const std::vector<std::string> cases = {
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
  };
  for (const auto& data : cases) {
    EXPECT_EQ(decode_app_event("new_message", data), decode_app_event_general("new_message", data)) << data;
  }
}

}  // namespace
}  // namespace pushsync
