#include "pushsync/message_json.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "pushsync/events.h"
#include "pushsync/json_io.h"

using pushsync::append_message_json;
using pushsync::Message;
using pushsync::MessageError;
using pushsync::message_to_json;

namespace {

std::string written(const Message& m) {
  std::string out = "prefix:";  // appended, never replaced
  append_message_json(m, out);
  return out;
}

// The oracle: nlohmann's document written by message_to_json.
void expect_same(const Message& m) { EXPECT_EQ(written(m), "prefix:" + message_to_json(m)) << message_to_json(m); }

Message plain() {
  Message m;
  m.id = "m1";
  m.role = "user";
  m.content = "hello";
  m.status = "sent";
  m.timestamp = "2026-11-29T13:05:11.123Z";
  m.sequence = 1;
  return m;
}

}  // namespace

TEST(MessageJson, TheCommonMessageAsMessageToJsonWritesIt) {
  expect_same(plain());
  Message m = plain();
  m.sequence = 0;  // none sent: no sequenceNumber
  expect_same(m);
  m.updated_at = "2026-11-29T13:06:00.000Z";
  m.client_message_id = "c-1";
  m.timestamp = "2026-11-29T14:05:11+01:00";  // kept as text
  expect_same(m);
  m.content = "quote \" backslash \\ tab \t newline \n bell \x07 del \x7f é ✓ 😀 \u2028";
  expect_same(m);
  m.content.clear();
  m.role.clear();
  expect_same(m);
}

TEST(MessageJson, ActionPayloadsAsTheDecoderKeepsThem) {
  // Through the decoder, so each payload is stored the way the engine stores it.
  const std::vector<std::string> payloads = {
      R"({"action":"echo","taskId":"t1"})",
      R"({"z":1,"a":[1.5,-0,1e21,12345678901234567890,0.1],"nested":{"deeper":{"deepest":[null,true,false]}}})",
      R"({"text":"quote \" backslash \\ tab \t newline \n bell \u0007 é ✓ 😀 \u2028","empty":{},"list":[]})",
      R"("just a string")", "42", "[3,2,1]", "null", "{}",
  };
  std::string body = R"({"messages":[)";
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    if (i) body += ',';
    body += R"({"messageId":"m)" + std::to_string(i + 1) + R"(","role":"assistant","content":"x","status":"success",)" +
            R"("timestamp":"2026-11-29T13:05:11.123Z","sequenceNumber":)" + std::to_string(i + 1) +
            R"(,"actionPayload":)" + payloads[i] + "}";
  }
  body += "]}";
  const auto page = pushsync::decode_message_page(body);
  ASSERT_TRUE(page.ok()) << page.error().what;
  ASSERT_EQ(page.value().messages.size(), payloads.size());
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    const Message& m = page.value().messages[i];
    EXPECT_EQ(static_cast<bool>(m.action_payload), payloads[i] != "null") << payloads[i];  // null: none
    expect_same(m);
  }
}

TEST(MessageJson, AnErrorOrBadTextGoesThroughMessageToJson) {
  Message m = plain();
  m.error = MessageError{"bad", "it failed"};
  expect_same(m);
  for (const std::string bad : {"\xff", "caf\xc3", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80"}) {
    Message b = plain();
    b.content = bad;
    expect_same(b);
    b = plain();
    b.id = bad;
    expect_same(b);
  }
}

TEST(MessageJson, RandomMessagesAgreeWithMessageToJson) {
  std::mt19937 rng(12);
  const std::vector<std::string> pieces = {"a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f", "\x7f", "é",
                                           "✓", "😀", "\u2028", "\xff", "\xc3", "0", "{", "}"};
  auto text = [&](int max) {
    std::string s;
    for (int n = std::uniform_int_distribution<int>(0, max)(rng); n > 0; --n) s += pieces[rng() % pieces.size()];
    return s;
  };
  for (int i = 0; i < 2000; ++i) {
    Message m;
    m.id = text(6);
    m.role = text(3);
    m.content = text(20);
    m.status = text(3);
    if (rng() % 2) m.client_message_id = text(4);
    m.timestamp = rng() % 2 ? pushsync::TimeText::of_ms(static_cast<std::int64_t>(rng())) : pushsync::TimeText(text(5));
    if (rng() % 3 == 0) m.updated_at = pushsync::TimeText::of_ms(static_cast<std::int64_t>(rng()));
    m.sequence = rng() % 4 ? static_cast<std::int64_t>(rng() % 100000) : 0;
    if (rng() % 10 == 0) m.error = MessageError{text(3), text(5)};
    expect_same(m);
  }
}
