#include "pushsync/events.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "json_fields.h"
#include "json_limits.h"
#include "json_scanner.h"
#include "json_text.h"
#include "decoders.h"
#include "pushsync/iso_time.h"
#include "pushsync/json_io.h"

namespace pushsync {

using nlohmann::json;

namespace {

using json_fields::Fields;
using json_fields::parse_object;

// What the reader saw of a message field: its JSON type, as a DOM would hold the last of
// duplicate keys.
enum class Kind { Absent, Null, String, Number, Object, Other };

Kind kind_of(char c) {
  switch (c) {
    case '"': return Kind::String;
    case 'n': return Kind::Null;
    case '{': return Kind::Object;
    case '-': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
      return Kind::Number;
    default: return Kind::Other;
  }
}

// A string field read straight into its place in the message; anything else is only validated.
bool read_string_field(scan::Scanner& s, std::string& out, Kind& kind) {
  kind = kind_of(s.peek_value());
  if (kind == Kind::String) return s.string_value(out);
  out.clear();
  return s.skip_value();
}

std::string field_error(std::string_view where, std::string_view key, std::string_view problem) {
  return std::string(where) + ": '" + std::string(key) + "' " + std::string(problem);
}

// `error`, an object of optional strings `code` and `message` (or a string: the message alone).
bool read_error_object(scan::Scanner& s, MessageError& out, bool& well_typed) {
  if (!s.begin_object()) return false;
  Kind code = Kind::Absent, message = Kind::Absent;
  std::string scratch;
  std::string_view key;
  while (s.next_key(key, scratch)) {
    bool read;
    if (key == "code") read = read_string_field(s, out.code, code);
    else if (key == "message") read = read_string_field(s, out.message, message);
    else read = s.skip_value();
    if (!read) return false;
  }
  const auto fine = [](Kind k) { return k == Kind::Absent || k == Kind::Null || k == Kind::String; };
  well_typed = fine(code) && fine(message);
  return s.ok();
}

// Writes the value at the scanner as JSON text exactly as nlohmann's dump() writes the value it
// parsed (to_text): no spaces, object keys in byte order with the last of duplicates kept,
// integers as they are, strings as append_json_string. False with `has_float` when the value holds a
// fraction or an exponent, whose shortest round-trip form only nlohmann writes; false without it
// when the text is not JSON. So a value kept as JSON text (actionPayload) reads the same whether
// the backend sent its keys in one order or another, without a DOM.
bool write_like_dump(scan::Scanner& s, std::string& out, bool& has_float) {
  switch (s.peek_value()) {
    case '"': {
      std::string text;
      if (!s.string_value(text)) return false;
      append_json_string(text, out);
      return true;
    }
    case '{': {
      if (!s.begin_object()) return false;
      std::vector<std::pair<std::string, std::string>> members;
      std::string scratch;
      std::string_view key;
      while (s.next_key(key, scratch)) {
        std::string value;
        if (!write_like_dump(s, value, has_float)) return false;
        members.emplace_back(std::string(key), std::move(value));
      }
      if (!s.ok()) return false;
      // Sorted by key; of equal keys the last one read stays (stable sort, then the last of each run).
      std::stable_sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      out.push_back('{');
      bool first = true;
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i + 1 < members.size() && members[i + 1].first == members[i].first) continue;
        if (!first) out.push_back(',');
        first = false;
        append_json_string(members[i].first, out);
        out.push_back(':');
        out += members[i].second;
      }
      out.push_back('}');
      return true;
    }
    case '[': {
      if (!s.begin_array()) return false;
      out.push_back('[');
      bool first = true;
      while (s.next_element()) {
        if (!first) out.push_back(',');
        first = false;
        if (!write_like_dump(s, out, has_float)) return false;
      }
      if (!s.ok()) return false;
      out.push_back(']');
      return true;
    }
    case 't':
    case 'f': {
      bool value;
      if (!s.bool_value(value)) return false;
      out += value ? "true" : "false";
      return true;
    }
    case 'n':
      if (!s.null_value()) return false;
      out += "null";
      return true;
    default: {
      scan::Number n;
      if (!s.number_value(n)) return false;
      if (n.kind == scan::Number::Kind::Float) {
        has_float = true;
        return false;
      }
      out += n.kind == scan::Number::Kind::Unsigned ? std::to_string(n.u) : std::to_string(n.i);
      return true;
    }
  }
}

// A value kept as JSON text, as to_text(parse(raw)) would write it; `raw` is the scanner's raw
// text of it, of `layer`. Nullopt only inside a string (Layer::InString) for a value with a
// fraction or an exponent, which only nlohmann writes: the caller reads the string the long way.
std::optional<std::string> json_text_of(std::string_view raw, scan::Layer layer) {
  scan::Scanner s(raw, scan::Utf8::Valid, layer);  // part of a text the scanner validated already
  std::string out;
  bool has_float = false;
  if (write_like_dump(s, out, has_float) && s.at_end()) return out;
  if (layer == scan::Layer::InString) return std::nullopt;
  return to_text(parse_bounded(raw));
}

// One message, as plausible backends send it: `sequenceNumber` may be absent (the store then
// orders it by timestamp among the rest), `timestamp` is ISO-8601 or epoch milliseconds, and
// `content` may be null or absent (action messages carry an `actionPayload` instead). The scanner
// is before the value. Returns false only when the text is not JSON (the scanner's fault), or, read
// inside a string, holds what only the long way reads (json_text_of); a message that is JSON but
// not valid sets `problem` and leaves the scanner after it.
bool read_message(scan::Scanner& s, std::string_view where, Message& m, std::string& problem) {
  problem.clear();
  if (s.peek_value() != '{') {
    if (!s.skip_value()) return false;
    problem = std::string(where) + ": message must be an object";
    return true;
  }
  s.begin_object();
  Kind id = Kind::Absent, role = Kind::Absent, content = Kind::Absent, status = Kind::Absent,
       updated_at = Kind::Absent, error = Kind::Absent, sequence = Kind::Absent, timestamp = Kind::Absent,
       client_id = Kind::Absent, action = Kind::Absent;
  scan::Number sequence_number, time_number;
  bool error_typed = true;
  std::string error_text;
  std::string_view action_raw;
  std::string timestamp_text, updated_text;
  std::string scratch;
  std::string_view key;
  while (s.next_key(key, scratch)) {
    bool read;
    if (key == "messageId") {
      read = read_string_field(s, m.id, id);
    } else if (key == "role") {
      read = read_string_field(s, m.role, role);
    } else if (key == "content") {
      read = read_string_field(s, m.content, content);
    } else if (key == "status") {
      read = read_string_field(s, m.status, status);
    } else if (key == "updatedAt") {
      read = read_string_field(s, updated_text, updated_at);
    } else if (key == "timestamp") {
      timestamp = kind_of(s.peek_value());
      if (timestamp == Kind::String) {
        read = s.string_value(timestamp_text);
      } else {
        timestamp_text.clear();
        read = timestamp == Kind::Number ? s.number_value(time_number) : s.skip_value();
      }
    } else if (key == "clientMessageId") {
      read = read_string_field(s, m.client_message_id, client_id);
    } else if (key == "sequenceNumber") {
      sequence = kind_of(s.peek_value());
      read = sequence == Kind::Number ? s.number_value(sequence_number) : s.skip_value();
    } else if (key == "error") {
      error = kind_of(s.peek_value());
      m.error.reset();
      if (error == Kind::String) {
        read = s.string_value(error_text);
      } else if (error == Kind::Object) {
        MessageError value;
        read = read_error_object(s, value, error_typed);
        m.error = std::move(value);
      } else {
        read = s.skip_value();
      }
    } else if (key == "actionPayload") {
      action = kind_of(s.peek_value());
      read = s.raw_value(action_raw);
    } else {
      read = s.skip_value();
    }
    if (!read) return false;
  }
  if (!s.ok()) return false;

  // The checks in a fixed order, whatever the order of the keys: the first problem is named.
  const auto string_field = [&](Kind kind, const char* name, bool required) {
    if (kind == Kind::Absent || kind == Kind::Null) {
      if (required) problem = field_error(where, name, "is missing");
      return !required;
    }
    if (kind != Kind::String) {
      problem = field_error(where, name, "must be a string");
      return false;
    }
    return true;
  };
  if (!string_field(id, "messageId", true) || !string_field(role, "role", true) ||
      !string_field(content, "content", false) || !string_field(status, "status", false) ||
      !string_field(updated_at, "updatedAt", false)) {
    return true;
  }
  if (error == Kind::String) {
    m.error = MessageError{"", std::move(error_text)};
  } else if (error == Kind::Object) {
    if (!error_typed) {
      problem = field_error(where, "error", "has a field of the wrong type");
      return true;
    }
  } else if (error != Kind::Absent && error != Kind::Null) {
    problem = field_error(where, "error", "must be an object or a string");
    return true;
  }
  if (sequence != Kind::Absent && sequence != Kind::Null) {
    const auto& n = sequence_number;
    if (sequence != Kind::Number || n.kind == scan::Number::Kind::Float) {
      problem = field_error(where, "sequenceNumber", "must be an integer");
      return true;
    }
    if (n.kind == scan::Number::Kind::Unsigned && n.u > static_cast<std::uint64_t>(kMaxSequence)) {
      problem = field_error(where, "sequenceNumber", "must be at most " + std::to_string(kMaxSequence));
      return true;
    }
    const std::int64_t value = n.kind == scan::Number::Kind::Unsigned ? static_cast<std::int64_t>(n.u) : n.i;
    if (value < 1) {
      problem = field_error(where, "sequenceNumber", "must be at least 1");
      return true;
    }
    m.sequence = value;
  }
  if (m.id.empty()) {
    problem = std::string(where) + ": 'messageId' is empty";
    return true;
  }
  if (timestamp == Kind::Absent || timestamp == Kind::Null) {
    problem = std::string(where) + ": 'timestamp' is missing";
    return true;
  }
  if (timestamp == Kind::Number) {
    const double ms = time_number.value;
    // Epoch milliseconds, from year 1970 to 9999.
    if (!(ms >= 0 && ms < 253'402'300'800'000.0)) {
      problem = std::string(where) + ": 'timestamp' is out of range";
      return true;
    }
    m.timestamp_ms = static_cast<std::int64_t>(ms);
    m.timestamp = TimeText::of_ms(m.timestamp_ms);
  } else if (timestamp == Kind::String) {
    const auto parsed = parse_iso8601_ms(timestamp_text);
    if (!parsed) {
      problem = std::string(where) + ": 'timestamp' is not ISO-8601: " + timestamp_text.substr(0, 40);
      return true;
    }
    m.timestamp_ms = *parsed;
    m.timestamp = TimeText(std::move(timestamp_text), *parsed);
  } else {
    problem = std::string(where) + ": 'timestamp' must be a string or a number";
    return true;
  }
  m.updated_at = updated_at == Kind::String ? TimeText(std::move(updated_text)) : TimeText();
  if (m.status.empty()) m.status = "sent";
  // Only a host's hint for matching its sends: a backend's other shape of it is ignored, the
  // message is kept.
  if (client_id != Kind::String) m.client_message_id.clear();
  // Kept as JSON text, written as nlohmann writes it (sorted keys, no spaces): the same text
  // whichever way the backend ordered it.
  if (action != Kind::Absent && action != Kind::Null) {
    auto text = json_text_of(action_raw, s.layer());
    if (!text) return false;
    m.action_payload = std::move(*text);
  }
  return true;
}

std::string payload_fault(std::string_view where, const scan::Scanner& s) {
  return std::string(where) + (s.fault() == scan::Fault::TooDeep ? ": payload nests arrays or objects too deeply"
                                                                  : ": payload is not a JSON object");
}

// `new_message`, read by the scanner alone: every answer, the errors too (of Layer::InString, an
// error only says to read the string the long way; `length` is then set to the raw length of the
// JSON text read, up to where the scanner stopped: the string's closing quote, if any).
Result<AppEvent, DecodeError> read_new_message(std::string_view data, scan::Utf8 utf8, scan::Layer layer = scan::Layer::Text,
                                               std::size_t* length = nullptr) {
  constexpr std::string_view where = "new_message";
  scan::Scanner s(data, utf8, layer);
  if (s.peek_value() != '{') {
    s.skip_value();
    s.at_end();
    return DecodeError{payload_fault(where, s)};
  }
  s.begin_object();
  NewMessageEvent e;
  Kind session = Kind::Absent;
  bool has_message = false;
  std::string problem;
  std::string scratch;
  std::string_view key;
  while (s.next_key(key, scratch)) {
    bool read;
    if (key == "sessionId") {
      read = read_string_field(s, e.session_id, session);
    } else if (key == "message") {
      e.message = Message{};
      has_message = true;
      read = read_message(s, where, e.message, problem);
    } else {
      read = s.skip_value();
    }
    if (!read) break;
  }
  if (!s.at_end()) return DecodeError{payload_fault(where, s)};
  if (length) *length = static_cast<std::size_t>(s.mark().at - data.data());
  if (session == Kind::Absent || session == Kind::Null) return DecodeError{field_error(where, "sessionId", "is missing")};
  if (session != Kind::String) return DecodeError{field_error(where, "sessionId", "must be a string")};
  if (!has_message) return DecodeError{std::string(where) + ": 'message' is missing"};
  if (!problem.empty()) return DecodeError{std::move(problem)};
  return AppEvent{std::move(e)};
}

}  // namespace

bool is_app_event(std::string_view event) {
  return event == "new_message" || event == "message_update" || event == "session_update" || event == "typing" ||
         event == "interact_response" || event == "error";
}

std::optional<NewMessageEvent> read_new_message_in_string(std::string_view text, std::size_t& length) {
  auto event = read_new_message(text, scan::Utf8::Check, scan::Layer::InString, &length);
  if (!event) return std::nullopt;
  return std::get<NewMessageEvent>(std::move(event).value());
}

Result<AppEvent, DecodeError> decode_frame_event(std::string_view event, std::string_view data) {
  if (event == "new_message") return read_new_message(data, scan::Utf8::Valid);
  return decode_app_event(event, data);
}

Result<AppEvent, DecodeError> decode_app_event(std::string_view event, std::string_view data) {
  // The event every frame of a conversation carries: the scanner alone reads it.
  if (event == "new_message") return read_new_message(data, scan::Utf8::Check);
  // The others are rarer (a few per turn): read through nlohmann's DOM.
  const std::string where(event);
  if (!within_depth(data)) return DecodeError{where + ": payload nests arrays or objects too deeply"};
  const auto doc = parse_object(data);
  if (!doc) return DecodeError{where + ": payload is not a JSON object"};
  Fields f(*doc, where);
  std::string session_id;
  if (!f.string("sessionId", session_id)) return f.error();

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
  constexpr std::string_view where = "messages response";
  scan::Scanner s(body);
  const auto fault = [&] {
    return DecodeError{s.fault() == scan::Fault::TooDeep ? "messages response: nests arrays or objects too deeply"
                                                         : "messages response: not a JSON object"};
  };
  if (s.peek_value() != '{') {
    s.skip_value();
    s.at_end();
    return fault();
  }
  s.begin_object();
  MessagePage page;
  bool messages_array = false;
  Kind more = Kind::Absent;
  bool has_more = false;
  std::string scratch, problem;
  std::string_view key;
  while (s.next_key(key, scratch)) {
    bool read = true;
    if (key == "messages") {
      page.messages.clear();
      page.rejected.clear();
      messages_array = s.peek_value() == '[';
      if (!messages_array) {
        read = s.skip_value();
      } else {
        s.begin_array();
        // One bad message costs only itself: the rest of the page applies, and the caller reports it.
        while (s.next_element()) {
          Message m;
          if (!(read = read_message(s, where, m, problem))) break;
          if (problem.empty()) page.messages.push_back(std::move(m)); else page.rejected.push_back({problem});
        }
        read = read && s.ok();
      }
    } else if (key == "serverTime") {
      Kind kind;
      read = read_string_field(s, page.server_time, kind);
    } else if (key == "hasMore") {
      const char c = s.peek_value();
      more = c == 't' || c == 'f' ? Kind::Other : Kind::String;  // Other: a boolean; String: any other type
      read = more == Kind::Other ? s.bool_value(has_more) : s.skip_value();
    } else {
      read = s.skip_value();
    }
    if (!read) break;
  }
  if (!s.at_end()) return fault();
  if (!messages_array) return DecodeError{"messages response: 'messages' must be an array"};
  if (more == Kind::String) return DecodeError{"messages response: 'hasMore' must be a boolean"};
  if (more == Kind::Other) page.has_more = has_more;
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
