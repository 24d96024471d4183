// Application events and REST bodies, through decode_app_event and the other public decoders:
// each valid shape once, then tables of invalid payloads whose error must name the field.
#include "pushsync/events.h"
#include "pushsync/iso_time.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "pushsync/frame.h"

namespace pushsync {
namespace {

constexpr const char* kTimestamp = "2026-11-29T13:05:11.123Z";
constexpr std::int64_t kTimestampMs = 1795957511123;

// A wire message with some fields replaced (or removed when the value is empty).
std::string wire_message_with(const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"messageId", R"("m1")"}, {"sequenceNumber", "1"},          {"role", R"("user")"},
      {"content", R"("hi")"},   {"timestamp", std::string("\"") + kTimestamp + "\""},
  };
  for (const auto& [field, value] : overrides) {
    bool replaced = false;
    for (auto& [key, v] : fields) {
      if (key == field) {
        v = value;
        replaced = true;
      }
    }
    if (!replaced) fields.emplace_back(field, value);
  }
  std::string out = "{";
  for (const auto& [key, v] : fields) {
    if (v.empty()) continue;
    if (out.size() > 1) out += ",";
    out += "\"" + key + "\":" + v;
  }
  return out + "}";
}

std::string wire_message(const std::string& field = "", const std::string& value = "") {
  if (field.empty()) return wire_message_with({});
  return wire_message_with({{field, value}});
}

std::string new_message_payload(const std::string& message) {
  return R"({"sessionId":"s1","message":)" + message + "}";
}

Message expected_message() {
  Message m;
  m.id = "m1";
  m.sequence = 1;
  m.role = "user";
  m.content = "hi";
  m.status = "sent";  // the default when the server sends none
  m.timestamp = kTimestamp;
  m.timestamp_ms = kTimestampMs;
  return m;
}

// ---------------------------------------------------------------------------------------------
// Valid events.

TEST(DecodeAppEvent, NewMessageMinimal) {
  const auto result = decode_app_event("new_message", new_message_payload(wire_message()));
  ASSERT_TRUE(result.ok()) << result.error().what;
  EXPECT_EQ(result.value(), AppEvent(NewMessageEvent{"s1", expected_message()}));
}

TEST(DecodeAppEvent, NewMessageWithEveryField) {
  const std::string message = R"({"messageId":"m-42","sequenceNumber":9007199254740991,"role":"assistant",)"
                              R"("content":"<b>not markup</b>","status":"pending","timestamp":"2026-11-29T14:05:11+01:00",)"
                              R"("updatedAt":"2026-11-29T13:06:00.000Z","actionPayload":{"tool":"click","x":[1,2]},)"
                              R"("error":{"code":"E_TIMEOUT","message":"took too long"},"clientMessageId":"c-9","unknownField":true})";
  const auto result = decode_app_event("new_message", new_message_payload(message));
  ASSERT_TRUE(result.ok()) << result.error().what;
  Message m;
  m.id = "m-42";
  m.sequence = 9007199254740991;  // 2^53 - 1: the largest JavaScript carries exactly
  m.role = "assistant";
  m.content = "<b>not markup</b>";
  m.status = "pending";
  m.timestamp = "2026-11-29T14:05:11+01:00";
  m.timestamp_ms = 1795957511000;
  m.updated_at = "2026-11-29T13:06:00.000Z";
  m.action_payload = R"({"tool":"click","x":[1,2]})";
  m.error = MessageError{"E_TIMEOUT", "took too long"};
  m.client_message_id = "c-9";
  EXPECT_EQ(result.value(), AppEvent(NewMessageEvent{"s1", m}));
}

TEST(DecodeAppEvent, NewMessageOptionalFieldsTable) {
  struct Case {
    const char* name;
    std::string field;
    std::string value;
    Message expected;
  };
  Message error_as_string = expected_message();
  error_as_string.error = MessageError{"", "plain text error"};
  Message error_partial = expected_message();
  error_partial.error = MessageError{"", "only a message"};
  Message payload_scalar = expected_message();
  payload_scalar.action_payload = "\"go\"";
  Message max_sequence = expected_message();
  max_sequence.sequence = kMaxSequence;
  Message with_client_id = expected_message();
  with_client_id.client_message_id = "c-1";
  const std::vector<Case> cases = {
      {"clientMessageId kept", "clientMessageId", R"("c-1")", with_client_id},
      {"clientMessageId as a number is ignored, the message kept", "clientMessageId", "17", expected_message()},
      {"clientMessageId as an object is ignored, the message kept", "clientMessageId", R"({"a":[1]})", expected_message()},
      {"clientMessageId null", "clientMessageId", "null", expected_message()},
      {"status null becomes sent", "status", "null", expected_message()},
      {"status empty becomes sent", "status", R"("")", expected_message()},
      {"updatedAt null", "updatedAt", "null", expected_message()},
      {"error null", "error", "null", expected_message()},
      {"error as a string", "error", R"("plain text error")", error_as_string},
      {"error object without code", "error", R"({"message":"only a message"})", error_partial},
      {"actionPayload null", "actionPayload", "null", expected_message()},
      {"actionPayload scalar kept as JSON text", "actionPayload", R"("go")", payload_scalar},
      {"sequenceNumber at 2^53 - 1", "sequenceNumber", "9007199254740991", max_sequence},
  };
  for (const auto& c : cases) {
    const auto result = decode_app_event("new_message", new_message_payload(wire_message(c.field, c.value)));
    ASSERT_TRUE(result.ok()) << c.name << ": " << result.error().what;
    EXPECT_EQ(result.value(), AppEvent(NewMessageEvent{"s1", c.expected})) << c.name;
  }
}

TEST(DecodeAppEvent, OtherEventsValid) {
  struct Case {
    const char* event;
    std::string data;
    AppEvent expected;
  };
  const std::vector<Case> cases = {
      {"message_update", R"({"sessionId":"s1","messageId":"m1","status":"success"})",
       MessageUpdateEvent{"s1", "m1", "success", "", {}}},
      {"message_update",
       R"({"sessionId":"s1","messageId":"m1","status":"failure","updatedAt":"2026-11-29T13:06:00Z","error":{"code":"E1","message":"bad"}})",
       MessageUpdateEvent{"s1", "m1", "failure", "2026-11-29T13:06:00Z", MessageError{"E1", "bad"}}},
      {"message_update", R"({"sessionId":"s1","messageId":"m1","status":"failure","error":"boom"})",
       MessageUpdateEvent{"s1", "m1", "failure", "", MessageError{"", "boom"}}},
      {"session_update", R"({"sessionId":"s1","status":"completed"})", SessionUpdateEvent{"s1", "completed", ""}},
      {"session_update", R"({"sessionId":"s1","status":"active","updatedAt":"2026-11-29T13:06:00Z"})",
       SessionUpdateEvent{"s1", "active", "2026-11-29T13:06:00Z"}},
      {"typing", R"({"sessionId":"s1","isTyping":true,"context":"thinking"})", TypingEvent{"s1", true, "thinking"}},
      {"typing", R"({"sessionId":"s1","isTyping":false})", TypingEvent{"s1", false, ""}},
      {"typing", R"({"sessionId":"s1","isTyping":true,"context":null})", TypingEvent{"s1", true, ""}},
      {"interact_response",
       R"({"sessionId":"s1","data":{"taskId":"t1","action":"click","thought":"ok","status":"done"}})",
       InteractResponseEvent{"s1", R"({"action":"click","status":"done","taskId":"t1","thought":"ok"})"}},
      {"interact_response", R"({"sessionId":"s1","data":{}})", InteractResponseEvent{"s1", "{}"}},
      {"error", R"({"sessionId":"s1","code":"RATE_LIMIT","message":"slow down"})",
       ServerErrorEvent{"s1", "RATE_LIMIT", "slow down"}},
      {"error", R"({"sessionId":"s1","message":"no code"})", ServerErrorEvent{"s1", "", "no code"}},
  };
  for (const auto& c : cases) {
    const auto result = decode_app_event(c.event, c.data);
    ASSERT_TRUE(result.ok()) << c.event << " " << c.data << ": " << result.error().what;
    EXPECT_EQ(result.value(), c.expected) << c.event << " " << c.data;
  }
}

TEST(DecodeAppEvent, ThroughAFrameAsPusherDeliversIt) {
  const std::string text =
      R"({"event":"typing","channel":"private-session-s1","data":"{\"sessionId\":\"s1\",\"isTyping\":true,\"context\":\"executing\"}"})";
  const auto frame = decode_frame(text);
  ASSERT_TRUE(frame.ok());
  const auto event = decode_app_event(frame.value().event, frame.value().data);
  ASSERT_TRUE(event.ok()) << event.error().what;
  EXPECT_EQ(event.value(), AppEvent(TypingEvent{"s1", true, "executing"}));
}

// ---------------------------------------------------------------------------------------------
// Invalid events: each error is a DecodeError naming the event and the field.

struct InvalidCase {
  std::string event;
  std::string data;
  std::string names;  // the error text must contain this
};

void expect_refused(const std::vector<InvalidCase>& cases) {
  for (const auto& c : cases) {
    const auto result = decode_app_event(c.event, c.data);
    ASSERT_FALSE(result.ok()) << c.event << " accepted " << c.data;
    EXPECT_NE(result.error().what.find(c.names), std::string::npos)
        << c.event << " " << c.data << ": error '" << result.error().what << "' does not name " << c.names;
    EXPECT_NE(result.error().what.find(c.event), std::string::npos)
        << "error '" << result.error().what << "' does not name the event " << c.event;
  }
}

TEST(DecodeAppEvent, InvalidNewMessageTable) {
  const auto with = [](const std::string& field, const std::string& value) {
    return new_message_payload(wire_message(field, value));
  };
  const auto without = [](const std::string& field) { return new_message_payload(wire_message(field, "")); };
  expect_refused({
      {"new_message", "", "payload"},
      {"new_message", "{", "payload"},
      {"new_message", "not json", "payload"},
      {"new_message", "[]", "payload"},
      {"new_message", R"("a string")", "payload"},
      {"new_message", "null", "payload"},
      {"new_message", "42", "payload"},
      {"new_message", "{}", "sessionId"},
      {"new_message", R"({"sessionId":5,"message":{}})", "sessionId"},
      {"new_message", R"({"sessionId":null,"message":{}})", "sessionId"},
      {"new_message", R"({"sessionId":"s1"})", "message"},
      {"new_message", R"({"sessionId":"s1","message":"text"})", "message"},
      {"new_message", R"({"sessionId":"s1","message":[]})", "message"},
      {"new_message", R"({"sessionId":"s1","message":null})", "message"},
      {"new_message", without("messageId"), "messageId"},
      {"new_message", with("messageId", "7"), "messageId"},
      {"new_message", with("messageId", R"("")"), "messageId"},
      {"new_message", with("messageId", "null"), "messageId"},
      {"new_message", with("sequenceNumber", "0"), "sequenceNumber"},
      {"new_message", with("sequenceNumber", "-1"), "sequenceNumber"},
      {"new_message", with("sequenceNumber", "-9223372036854775808"), "sequenceNumber"},
      {"new_message", with("sequenceNumber", "1.5"), "sequenceNumber"},
      {"new_message", with("sequenceNumber", "1.0"), "sequenceNumber"},
      {"new_message", with("sequenceNumber", "1e3"), "sequenceNumber"},
      {"new_message", with("sequenceNumber", R"("3")"), "sequenceNumber"},
      {"new_message", with("sequenceNumber", "true"), "sequenceNumber"},
      // Beyond 2^53 - 1 (JavaScript's exact range), and beyond int64: refused, never wrapped.
      {"new_message", with("sequenceNumber", "9007199254740992"), "sequenceNumber"},
      {"new_message", with("sequenceNumber", "9223372036854775807"), "sequenceNumber"},
      {"new_message", with("sequenceNumber", "9223372036854775808"), "sequenceNumber"},
      {"new_message", with("sequenceNumber", "18446744073709551615"), "sequenceNumber"},
      {"new_message", without("role"), "role"},
      {"new_message", with("role", "1"), "role"},
      {"new_message", with("content", R"({"text":"hi"})"), "content"},
      {"new_message", without("timestamp"), "timestamp"},
      {"new_message", with("timestamp", R"("yesterday")"), "timestamp"},
      {"new_message", with("timestamp", R"("")"), "timestamp"},
      {"new_message", with("timestamp", R"("2026-13-01T00:00:00Z")"), "timestamp"},
      {"new_message", with("timestamp", "-1"), "timestamp"},
      {"new_message", with("timestamp", "1e300"), "timestamp"},
      {"new_message", with("timestamp", "true"), "timestamp"},
      {"new_message", with("timestamp", "null"), "timestamp"},
      {"new_message", with("status", "5"), "status"},
      {"new_message", with("updatedAt", "false"), "updatedAt"},
      {"new_message", with("error", "5"), "error"},
      {"new_message", with("error", "[]"), "error"},
      {"new_message", with("error", R"({"code":5,"message":"x"})"), "error"},
      {"new_message", with("error", R"({"code":"E","message":{}})"), "error"},
  });
}

// What a minimal backend plausibly sends is read, not refused (roadmap: messages may lack a
// sequence number; action messages carry no content; dates come in several forms).
TEST(DecodeAppEvent, LenientMessageFields) {
  const auto decode = [](const std::string& message) {
    auto result = decode_app_event("new_message", new_message_payload(message));
    EXPECT_TRUE(result.ok()) << message << (result.ok() ? "" : ": " + result.error().what);
    return result.ok() ? std::get<NewMessageEvent>(result.value()).message : Message{};
  };
  EXPECT_EQ(decode(wire_message("sequenceNumber", "")).sequence, 0);
  EXPECT_EQ(decode(wire_message("sequenceNumber", "null")).sequence, 0);
  EXPECT_EQ(decode(wire_message("content", "")).content, "");
  EXPECT_EQ(decode(wire_message("content", "null")).content, "");
  const Message numeric = decode(wire_message("timestamp", std::to_string(kTimestampMs)));
  EXPECT_EQ(numeric.timestamp_ms, kTimestampMs);
  EXPECT_EQ(parse_iso8601_ms(numeric.timestamp.text()), kTimestampMs) << numeric.timestamp.text();
  const Message compact = decode(wire_message("timestamp", R"("2026-11-29T14:05:11+0100")"));
  EXPECT_EQ(compact.timestamp_ms, 1795957511000);
}

TEST(DecodeAppEvent, InvalidOtherEventsTable) {
  expect_refused({
      {"message_update", "{", "payload"},
      {"message_update", R"({"messageId":"m1","status":"success"})", "sessionId"},
      {"message_update", R"({"sessionId":"s1","status":"success"})", "messageId"},
      {"message_update", R"({"sessionId":"s1","messageId":1,"status":"success"})", "messageId"},
      {"message_update", R"({"sessionId":"s1","messageId":"m1"})", "status"},
      {"message_update", R"({"sessionId":"s1","messageId":"m1","status":2})", "status"},
      {"message_update", R"({"sessionId":"s1","messageId":"m1","status":"x","updatedAt":1})", "updatedAt"},
      {"message_update", R"({"sessionId":"s1","messageId":"m1","status":"x","error":true})", "error"},
      {"session_update", "[]", "payload"},
      {"session_update", R"({"status":"active"})", "sessionId"},
      {"session_update", R"({"sessionId":"s1"})", "status"},
      {"session_update", R"({"sessionId":"s1","status":["active"]})", "status"},
      {"session_update", R"({"sessionId":"s1","status":"active","updatedAt":{}})", "updatedAt"},
      {"typing", "true", "payload"},
      {"typing", R"({"isTyping":true})", "sessionId"},
      {"typing", R"({"sessionId":"s1"})", "isTyping"},
      {"typing", R"({"sessionId":"s1","isTyping":"true"})", "isTyping"},
      {"typing", R"({"sessionId":"s1","isTyping":1})", "isTyping"},
      {"typing", R"({"sessionId":"s1","isTyping":null})", "isTyping"},
      {"typing", R"({"sessionId":"s1","isTyping":true,"context":5})", "context"},
      {"interact_response", "", "payload"},
      {"interact_response", R"({"data":{}})", "sessionId"},
      {"interact_response", R"({"sessionId":"s1"})", "data"},
      {"interact_response", R"({"sessionId":"s1","data":"{\"taskId\":\"t\"}"})", "data"},
      {"interact_response", R"({"sessionId":"s1","data":[]})", "data"},
      {"interact_response", R"({"sessionId":"s1","data":null})", "data"},
      {"error", "x", "payload"},
      {"error", R"({"message":"m"})", "sessionId"},
      {"error", R"({"sessionId":"s1"})", "message"},
      {"error", R"({"sessionId":"s1","message":5})", "message"},
      {"error", R"({"sessionId":"s1","code":500,"message":"m"})", "code"},
  });
}

TEST(DecodeAppEvent, UnknownEventIsAnErrorThatSaysSo) {
  for (const char* event : {"bogus", "", "NEW_MESSAGE", "new_message ", "pusher:ping", "client-typing"}) {
    const auto result = decode_app_event(event, R"({"sessionId":"s1"})");
    ASSERT_FALSE(result.ok()) << event;
    EXPECT_NE(result.error().what.find("unknown event"), std::string::npos) << result.error().what;
  }
}

// ---------------------------------------------------------------------------------------------
// decode_message_page.

TEST(DecodeMessagePage, Valid) {
  Message second = expected_message();
  second.id = "m2";
  second.sequence = 2;
  const std::string body = R"({"messages":[)" + wire_message() + "," +
                           wire_message_with({{"messageId", R"("m2")"}, {"sequenceNumber", "2"}}) +
                           R"(],"hasMore":true})";
  const auto result = decode_message_page(body);
  ASSERT_TRUE(result.ok()) << result.error().what;
  EXPECT_EQ(result.value(), (MessagePage{{expected_message(), second}, {}, true, ""}));
}

TEST(DecodeMessagePage, TableOfShapes) {
  struct Case {
    const char* name;
    std::string body;
    bool ok;
    std::size_t count;
    std::optional<bool> has_more;
    std::string names;  // for errors: the text must contain this; for pages, a skipped message's
  };
  const std::vector<Case> cases = {
      {"empty list", R"({"messages":[]})", true, 0, std::nullopt, ""},
      {"empty list, hasMore false", R"({"messages":[],"hasMore":false})", true, 0, false, ""},
      {"empty list, hasMore true", R"({"messages":[],"hasMore":true})", true, 0, true, ""},
      {"one message", R"({"messages":[)" + wire_message() + "]}", true, 1, std::nullopt, ""},
      {"extra fields ignored", R"({"messages":[],"total":0,"page":1})", true, 0, std::nullopt, ""},
      {"not JSON", "<html>502</html>", false, 0, false, "not a JSON object"},
      {"array body", "[]", false, 0, false, "not a JSON object"},
      {"no messages", R"({"hasMore":false})", false, 0, false, "messages"},
      {"messages not an array", R"({"messages":{}})", false, 0, false, "messages"},
      {"messages null", R"({"messages":null})", false, 0, false, "messages"},
      {"hasMore not a boolean", R"({"messages":[],"hasMore":"yes"})", false, 0, false, "hasMore"},
      {"hasMore null", R"({"messages":[],"hasMore":null})", false, 0, false, "hasMore"},
      // One bad message costs only itself: the rest applies, the bad one is named.
      {"one bad message is skipped",
       R"({"messages":[)" + wire_message() + "," + wire_message("sequenceNumber", "0") + R"(],"hasMore":false})",
       true, 1, false, "sequenceNumber"},
      {"a message that is not an object", R"({"messages":[)" + wire_message() + R"(,42]})", true, 1, std::nullopt,
       "message"},
      {"a bad timestamp", R"({"messages":[)" + wire_message("timestamp", R"("noon")") + "]}", true, 0, std::nullopt,
       "timestamp"},
  };
  for (const auto& c : cases) {
    const auto result = decode_message_page(c.body);
    ASSERT_EQ(result.ok(), c.ok) << c.name << (result.ok() ? "" : ": " + result.error().what);
    if (c.ok) {
      EXPECT_EQ(result.value().messages.size(), c.count) << c.name;
      EXPECT_EQ(result.value().has_more, c.has_more) << c.name;
      if (!c.names.empty()) {
        ASSERT_EQ(result.value().rejected.size(), 1u) << c.name;
        EXPECT_NE(result.value().rejected[0].what.find(c.names), std::string::npos) << c.name;
      } else {
        EXPECT_TRUE(result.value().rejected.empty()) << c.name;
      }
    } else {
      EXPECT_NE(result.error().what.find(c.names), std::string::npos) << c.name << ": " << result.error().what;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// decode_channel_auth.

TEST(DecodeChannelAuth, Table) {
  struct Case {
    std::string body;
    bool ok;
    std::string expected;  // the auth value, or a word the error must contain
  };
  const std::vector<Case> cases = {
      {R"({"auth":"app-key:0123abcd"})", true, "app-key:0123abcd"},
      {R"({"auth":"app-key:0123abcd","channel_data":"{}"})", true, "app-key:0123abcd"},
      {R"({})", false, "auth"},
      {R"({"auth":""})", false, "auth"},
      {R"({"auth":null})", false, "auth"},
      {R"({"auth":42})", false, "auth"},
      {"Forbidden", false, "not a JSON object"},
      {R"(["auth"])", false, "not a JSON object"},
  };
  for (const auto& c : cases) {
    const auto result = decode_channel_auth(c.body);
    ASSERT_EQ(result.ok(), c.ok) << c.body;
    if (c.ok) {
      EXPECT_EQ(result.value(), c.expected);
    } else {
      EXPECT_NE(result.error().what.find(c.expected), std::string::npos) << c.body << ": " << result.error().what;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// decode_connection_established.

TEST(DecodeConnectionEstablished, Table) {
  struct Case {
    const char* name;
    std::string data;
    bool ok;
    int timeout_s;
    std::string names;
  };
  const std::vector<Case> cases = {
      {"Pusher's usual", R"({"socket_id":"123.456","activity_timeout":120})", true, 120, ""},
      {"lowest", R"({"socket_id":"1.2","activity_timeout":1})", true, 1, ""},
      {"at the clamp", R"({"socket_id":"1.2","activity_timeout":3600})", true, 3600, ""},
      {"just above the clamp", R"({"socket_id":"1.2","activity_timeout":3601})", true, 3600, ""},
      {"beyond int", R"({"socket_id":"1.2","activity_timeout":4294967296})", true, 3600, ""},
      {"int64 max", R"({"socket_id":"1.2","activity_timeout":9223372036854775807})", true, 3600, ""},
      {"missing activity_timeout", R"({"socket_id":"1.2"})", false, 0, "activity_timeout"},
      {"activity_timeout 0", R"({"socket_id":"1.2","activity_timeout":0})", false, 0, "activity_timeout"},
      {"activity_timeout negative", R"({"socket_id":"1.2","activity_timeout":-5})", false, 0, "activity_timeout"},
      {"activity_timeout string", R"({"socket_id":"1.2","activity_timeout":"120"})", false, 0, "activity_timeout"},
      {"activity_timeout float", R"({"socket_id":"1.2","activity_timeout":120.5})", false, 0, "activity_timeout"},
      {"activity_timeout null", R"({"socket_id":"1.2","activity_timeout":null})", false, 0, "activity_timeout"},
      {"activity_timeout beyond uint64 sign", R"({"socket_id":"1.2","activity_timeout":18446744073709551615})", false,
       0, "activity_timeout"},
      {"missing socket_id", R"({"activity_timeout":120})", false, 0, "socket_id"},
      {"socket_id number", R"({"socket_id":123.456,"activity_timeout":120})", false, 0, "socket_id"},
      {"not an object", R"("socket")", false, 0, "payload"},
      {"not JSON", "", false, 0, "payload"},
  };
  for (const auto& c : cases) {
    const auto result = decode_connection_established(c.data);
    ASSERT_EQ(result.ok(), c.ok) << c.name << (result.ok() ? "" : ": " + result.error().what);
    if (c.ok) {
      EXPECT_EQ(result.value().activity_timeout_s, c.timeout_s) << c.name;
      EXPECT_FALSE(result.value().socket_id.empty());
    } else {
      EXPECT_NE(result.error().what.find(c.names), std::string::npos) << c.name << ": " << result.error().what;
    }
  }
}

TEST(DecodeConnectionEstablished, ThroughTheFrame) {
  const auto frame = decode_frame(
      R"({"event":"pusher:connection_established","data":"{\"socket_id\":\"8123.2391\",\"activity_timeout\":120}"})");
  ASSERT_TRUE(frame.ok());
  const auto result = decode_connection_established(frame.value().data);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.value(), (ConnectionEstablished{"8123.2391", 120}));
}

// ---------------------------------------------------------------------------------------------
// decode_pusher_error.

TEST(DecodePusherError, ObjectDataThroughTheFrame) {
  // Pusher and Sockudo send pusher:error's data as an object, not a string.
  const auto frame =
      decode_frame(R"({"event":"pusher:error","data":{"code":4009,"message":"Connection not authorized"}})");
  ASSERT_TRUE(frame.ok());
  const auto result = decode_pusher_error(frame.value().data);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.value(), (PusherError{4009, "Connection not authorized"}));
}

TEST(DecodePusherError, Table) {
  struct Case {
    std::string data;
    bool ok;
    PusherError expected;
  };
  const std::vector<Case> cases = {
      {R"({"code":4001,"message":"App key not in this cluster"})", true, {4001, "App key not in this cluster"}},
      {R"({"code":null,"message":"no code"})", true, {std::nullopt, "no code"}},
      {R"({"message":"no code"})", true, {std::nullopt, "no code"}},
      {R"({"code":4100})", true, {4100, ""}},
      {R"({})", true, {std::nullopt, ""}},
      {R"({"code":"4001","message":7})", true, {std::nullopt, ""}},
      {R"({"code":4001.5,"message":"x"})", true, {std::nullopt, "x"}},
      {"not json", false, {}},
      {R"("text")", false, {}},
  };
  for (const auto& c : cases) {
    const auto result = decode_pusher_error(c.data);
    ASSERT_EQ(result.ok(), c.ok) << c.data;
    if (c.ok) EXPECT_EQ(result.value(), c.expected) << c.data;
    if (!c.ok) EXPECT_NE(result.error().what.find("pusher:error"), std::string::npos);
  }
}

// A code outside int's range must not alias onto a real close-code class: 2^32 + 4009 read as
// 4009 would make the engine treat a garbled error as "subscription refused".
TEST(DecodePusherError, CodeOutsideIntRangeDoesNotAlias) {
  for (const char* data : {R"({"code":4294971305,"message":"x"})", R"({"code":-4294963287,"message":"x"})",
                           R"({"code":18446744073709551615,"message":"x"})"}) {
    const auto result = decode_pusher_error(data);
    if (!result.ok()) continue;  // refusing the payload is acceptable too
    EXPECT_FALSE(result.value().code.has_value()) << data << " decoded as code " << *result.value().code;
  }
}

}  // namespace
}  // namespace pushsync
