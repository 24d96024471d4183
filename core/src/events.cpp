#include "pushsync/events.h"

#include <nlohmann/json.hpp>

#include "json_limits.h"

#include "json_scanner.h"
#include "json_text.h"
#include "decoders.h"
#include "pushsync/iso_time.h"

namespace pushsync {

using nlohmann::json;

namespace {

// A small reader that turns "field missing or of the wrong type" into one sentence.
class Fields {
 public:
  Fields(const json& object, std::string_view where) : object_(object), where_(where) {}

  bool string(const char* key, std::string& out, bool required = true) {
    const auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return !required || fail(key, "is missing");
    if (!it->is_string()) return fail(key, "must be a string");
    out = it->get<std::string>();
    return true;
  }
  bool boolean(const char* key, bool& out) {
    const auto it = object_.find(key);
    if (it == object_.end()) return fail(key, "is missing");
    if (!it->is_boolean()) return fail(key, "must be a boolean");
    out = it->get<bool>();
    return true;
  }
  bool integer(const char* key, std::int64_t& out, std::int64_t min, std::int64_t max = INT64_MAX) {
    const auto it = object_.find(key);
    if (it == object_.end()) return fail(key, "is missing");
    if (!it->is_number_integer()) return fail(key, "must be an integer");
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
      return fail(key, "must be at most " + std::to_string(max));
    }
    out = it->get<std::int64_t>();
    if (out < min) return fail(key, "must be at least " + std::to_string(min));
    if (out > max) return fail(key, "must be at most " + std::to_string(max));
    return true;
  }
  bool error_object(const char* key, std::optional<MessageError>& out) {
    const auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return true;
    if (it->is_string()) {
      out = MessageError{"", it->get<std::string>()};
      return true;
    }
    if (!it->is_object()) return fail(key, "must be an object or a string");
    MessageError error;
    Fields inner(*it, where_);
    if (!inner.string("code", error.code, false) || !inner.string("message", error.message, false)) {
      return fail(key, "has a field of the wrong type");
    }
    out = std::move(error);
    return true;
  }
  bool fail(std::string_view key, std::string_view problem) {
    error_ = std::string(where_) + ": '" + std::string(key) + "' " + std::string(problem);
    return false;
  }
  DecodeError error() const { return {error_}; }

 private:
  const json& object_;
  std::string_view where_;
  std::string error_;
};

std::optional<json> parse_object(std::string_view text) {
  json doc = parse_bounded(text);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  return doc;
}

// Reads a message as plausible backends send it: `sequenceNumber` may be absent (the store then
// orders it by timestamp among the rest), `timestamp` is ISO-8601 or epoch milliseconds, and
// `content` may be null or absent (action messages carry an `actionPayload` instead).
Result<Message, DecodeError> message_from(const json& object, std::string_view where) {
  if (!object.is_object()) return DecodeError{std::string(where) + ": message must be an object"};
  Message m;
  Fields f(object, where);
  if (!f.string("messageId", m.id) || !f.string("role", m.role) || !f.string("content", m.content, false) ||
      !f.string("status", m.status, false) || !f.string("updatedAt", m.updated_at, false) ||
      !f.error_object("error", m.error)) {
    return f.error();
  }
  if (const auto it = object.find("sequenceNumber"); it != object.end() && !it->is_null()) {
    if (!f.integer("sequenceNumber", m.sequence, 1, kMaxSequence)) return f.error();
  }
  if (m.id.empty()) return DecodeError{std::string(where) + ": 'messageId' is empty"};
  const auto time = object.find("timestamp");
  if (time == object.end() || time->is_null()) return DecodeError{std::string(where) + ": 'timestamp' is missing"};
  if (time->is_number_integer() || time->is_number_float()) {
    const double ms = time->get<double>();
    // Epoch milliseconds, from year 1970 to 9999.
    if (!(ms >= 0 && ms < 253'402'300'800'000.0)) {
      return DecodeError{std::string(where) + ": 'timestamp' is out of range"};
    }
    m.timestamp_ms = static_cast<std::int64_t>(ms);
    m.timestamp = format_iso8601_ms(m.timestamp_ms);
  } else if (time->is_string()) {
    m.timestamp = time->get<std::string>();
    const auto parsed = parse_iso8601_ms(m.timestamp);
    if (!parsed) return DecodeError{std::string(where) + ": 'timestamp' is not ISO-8601: " + m.timestamp.substr(0, 40)};
    m.timestamp_ms = *parsed;
  } else {
    return DecodeError{std::string(where) + ": 'timestamp' must be a string or a number"};
  }
  if (m.status.empty()) m.status = "sent";
  // Only a host's hint for matching its sends: a backend's other shape of it is ignored, the
  // message is kept.
  if (const auto it = object.find("clientMessageId"); it != object.end() && it->is_string()) {
    m.client_message_id = it->get<std::string>();
  }
  if (const auto it = object.find("actionPayload"); it != object.end() && !it->is_null()) {
    m.action_payload = to_text(*it);
  }
  return m;
}

// The common `new_message` payload, read without building a DOM. nullopt whenever the scanner
// cannot be sure (including every invalid payload): the general path below then decides.
std::optional<NewMessageEvent> scan_new_message(std::string_view data) {
  scan::Scanner s(data);
  if (!s.begin_object()) return std::nullopt;
  NewMessageEvent e;
  bool has_session = false, has_message = false;
  std::string_view key;
  while (s.next_key(key)) {
    if (key == "sessionId") {
      if (s.peek_value() != '"' || !s.string_value(e.session_id)) return std::nullopt;
      has_session = true;
    } else if (key == "message") {
      if (s.peek_value() != '{' || !s.begin_object()) return std::nullopt;
      Message m;
      bool id = false, sequence = false, role = false, content = false, timestamp = false;
      std::string_view field;
      while (s.next_key(field)) {
        const char kind = s.peek_value();
        bool handled;
        if (kind == 'n' && field != "messageId" && field != "sequenceNumber" && field != "role" &&
            field != "content" && field != "timestamp" && field != "status" && field != "updatedAt" &&
            field != "clientMessageId" && field != "actionPayload" && field != "error") {
          handled = s.null_value();
        } else if (field == "messageId") {
          handled = kind == '"' && s.string_value(m.id) && (id = true);
        } else if (field == "sequenceNumber") {
          handled = kind != '"' && kind != 'n' && s.integer_value(m.sequence) && (sequence = true);
        } else if (field == "role") {
          handled = kind == '"' && s.string_value(m.role) && (role = true);
        } else if (field == "content") {
          handled = kind == '"' && s.string_value(m.content) && (content = true);
        } else if (field == "timestamp") {
          handled = kind == '"' && s.string_value(m.timestamp) && (timestamp = true);
        } else if (field == "status") {
          handled = kind == '"' && s.string_value(m.status);
        } else if (field == "updatedAt") {
          handled = kind == '"' && s.string_value(m.updated_at);
        } else if (field == "clientMessageId") {
          handled = kind == '"' ? s.string_value(m.client_message_id) : s.skip_value();
        } else if (field == "actionPayload" || field == "error") {
          handled = false;  // kept as JSON text / decoded by the general path
        } else {
          handled = s.skip_value();
        }
        if (!handled || !s.ok()) return std::nullopt;
      }
      if (!s.ok() || !id || !sequence || !role || !content || !timestamp) return std::nullopt;
      e.message = std::move(m);
      has_message = true;
    } else if (!s.skip_value()) {
      return std::nullopt;
    }
    if (!s.ok()) return std::nullopt;
  }
  if (!s.ok() || !s.at_end() || !has_session || !has_message) return std::nullopt;
  Message& m = e.message;
  if (m.id.empty() || m.sequence < 1 || m.sequence > kMaxSequence) return std::nullopt;
  const auto ms = parse_iso8601_ms(m.timestamp);
  if (!ms) return std::nullopt;
  m.timestamp_ms = *ms;
  if (m.status.empty()) m.status = "sent";
  return e;
}

}  // namespace

bool is_app_event(std::string_view event) {
  return event == "new_message" || event == "message_update" || event == "session_update" || event == "typing" ||
         event == "interact_response" || event == "error";
}

Result<AppEvent, DecodeError> decode_app_event(std::string_view event, std::string_view data) {
  if (event == "new_message") {
    if (auto scanned = scan_new_message(data)) return AppEvent{std::move(*scanned)};
  }
  return decode_app_event_general(event, data);
}

Result<AppEvent, DecodeError> decode_app_event_general(std::string_view event, std::string_view data) {
  const std::string where(event);
  if (!within_depth(data)) return DecodeError{where + ": payload nests arrays or objects too deeply"};
  const auto doc = parse_object(data);
  if (!doc) return DecodeError{where + ": payload is not a JSON object"};
  Fields f(*doc, where);
  std::string session_id;
  if (!f.string("sessionId", session_id)) return f.error();

  if (event == "new_message") {
    const auto it = doc->find("message");
    if (it == doc->end()) return DecodeError{where + ": 'message' is missing"};
    auto message = message_from(*it, where);
    if (!message) return message.error();
    return AppEvent{NewMessageEvent{std::move(session_id), std::move(message).value()}};
  }
  if (event == "message_update") {
    MessageUpdateEvent e{std::move(session_id), {}, {}, {}, {}};
    if (!f.string("messageId", e.message_id) || !f.string("status", e.status) ||
        !f.string("updatedAt", e.updated_at, false) || !f.error_object("error", e.error)) {
      return f.error();
    }
    return AppEvent{std::move(e)};
  }
  if (event == "session_update") {
    SessionUpdateEvent e{std::move(session_id), {}, {}};
    if (!f.string("status", e.status) || !f.string("updatedAt", e.updated_at, false)) return f.error();
    return AppEvent{std::move(e)};
  }
  if (event == "typing") {
    TypingEvent e{std::move(session_id), false, {}};
    if (!f.boolean("isTyping", e.is_typing) || !f.string("context", e.context, false)) return f.error();
    return AppEvent{std::move(e)};
  }
  if (event == "interact_response") {
    const auto it = doc->find("data");
    if (it == doc->end() || !it->is_object()) return DecodeError{where + ": 'data' must be an object"};
    return AppEvent{InteractResponseEvent{std::move(session_id), to_text(*it)}};
  }
  if (event == "error") {
    ServerErrorEvent e{std::move(session_id), {}, {}};
    if (!f.string("code", e.code, false) || !f.string("message", e.message)) return f.error();
    return AppEvent{std::move(e)};
  }
  return DecodeError{where + ": unknown event"};
}

Result<MessagePage, DecodeError> decode_message_page(std::string_view body) {
  if (!within_depth(body)) return DecodeError{"messages response: nests arrays or objects too deeply"};
  const auto doc = parse_object(body);
  if (!doc) return DecodeError{"messages response: not a JSON object"};
  const auto messages = doc->find("messages");
  if (messages == doc->end() || !messages->is_array()) {
    return DecodeError{"messages response: 'messages' must be an array"};
  }
  MessagePage page;
  page.messages.reserve(messages->size());
  // One bad message costs only itself: the rest of the page applies, and the caller reports it.
  for (const auto& item : *messages) {
    auto message = message_from(item, "messages response");
    if (message) page.messages.push_back(std::move(message).value()); else page.rejected.push_back(message.error());
  }
  if (const auto time = doc->find("serverTime"); time != doc->end() && time->is_string()) {
    page.server_time = time->get<std::string>();
  }
  if (const auto more = doc->find("hasMore"); more != doc->end()) {
    if (!more->is_boolean()) return DecodeError{"messages response: 'hasMore' must be a boolean"};
    page.has_more = more->get<bool>();
  }
  return page;
}

Result<std::string, DecodeError> decode_channel_auth(std::string_view body) {
  const auto doc = parse_object(body);
  if (!doc) return DecodeError{"auth response: not a JSON object"};
  std::string auth;
  Fields f(*doc, "auth response");
  if (!f.string("auth", auth)) return f.error();
  if (auth.empty()) return DecodeError{"auth response: 'auth' is empty"};
  return auth;
}

Result<ConnectionEstablished, DecodeError> decode_connection_established(std::string_view data) {
  const auto doc = parse_object(data);
  if (!doc) return DecodeError{"pusher:connection_established: payload is not a JSON object"};
  ConnectionEstablished e;
  std::int64_t timeout = 0;
  Fields f(*doc, "pusher:connection_established");
  if (!f.string("socket_id", e.socket_id) || !f.integer("activity_timeout", timeout, 1)) return f.error();
  // Clamp absurd values: they would only postpone dead-connection detection.
  e.activity_timeout_s = static_cast<int>(timeout > 3600 ? 3600 : timeout);
  return e;
}

Result<PusherError, DecodeError> decode_pusher_error(std::string_view data) {
  const auto doc = parse_object(data);
  if (!doc) return DecodeError{"pusher:error: payload is not a JSON object"};
  PusherError e;
  if (const auto code = doc->find("code"); code != doc->end() && code->is_number_integer()) {
    const auto value = code->get<std::int64_t>();
    if (value >= 0 && value <= 65535) e.code = static_cast<int>(value);  // close codes fit; others are noise
  }
  if (const auto message = doc->find("message"); message != doc->end() && message->is_string()) {
    e.message = message->get<std::string>();
  }
  return e;
}

}  // namespace pushsync
