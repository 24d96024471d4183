// The oracle for the core's one decoder of frames, new_message payloads and message pages
// (core/src/json_scanner.h and the readers built on it): the same rules written over nlohmann's
// DOM, as the core read them before issue 12. Only the tests and the fuzzers link it; they
// check that both accept the same inputs and read them into the same values.
#include "support/json_oracle.h"

#include <nlohmann/json.hpp>

#include "../../core/src/bulk_input.h"
#include "../../core/src/json_fields.h"
#include "../../core/src/json_limits.h"
#include "../../core/src/json_reader.h"
#include "../../core/src/json_text.h"
#include "pushsync/iso_time.h"

namespace pushsync::oracle {

using nlohmann::json;

namespace {

using json_fields::Fields;
using json_fields::parse_object;

// Reads an optional string field; false when present with another type (null counts as absent).
bool optional_string(const json& object, const char* key, std::optional<std::string>& out) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}


// Reads a message as plausible backends send it: `sequenceNumber` may be absent (the store then
// orders it by timestamp among the rest), `timestamp` is ISO-8601 or epoch milliseconds, and
// `content` may be null or absent (action messages carry an `actionPayload` instead).
Result<Message, DecodeError> message_from(const json& object, std::string_view where) {
  if (!object.is_object()) return DecodeError{std::string(where) + ": message must be an object"};
  Message m;
  Fields f(object, where);
  std::string updated_at;
  if (!f.string("messageId", m.id) || !f.string("role", m.role) || !f.string("content", m.content, false) ||
      !f.string("status", m.status, false) || !f.string("updatedAt", updated_at, false) ||
      !f.error_object("error", m.error)) {
    return f.error();
  }
  m.updated_at = updated_at;
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
    const auto text = time->get<std::string>();
    const auto parsed = parse_iso8601_ms(text);
    if (!parsed) return DecodeError{std::string(where) + ": 'timestamp' is not ISO-8601: " + text.substr(0, 40)};
    m.timestamp_ms = *parsed;
    m.timestamp = text;
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

}  // namespace

Result<Frame, FrameError> decode_frame(std::string_view text) {
  if (!within_depth(text)) return FrameError::TooDeep;
  const json doc = parse_bounded(text);
  if (doc.is_discarded()) return FrameError::NotJson;
  if (!doc.is_object()) return FrameError::NotAnObject;
  const auto event = doc.find("event");
  if (event == doc.end() || !event->is_string()) return FrameError::MissingEvent;

  Frame frame;
  frame.event = event->get<std::string>();
  if (!optional_string(doc, "channel", frame.channel) || !optional_string(doc, "user_id", frame.user_id) ||
      !optional_string(doc, "message_id", frame.message_id) || !optional_string(doc, "stream_id", frame.stream_id)) {
    return FrameError::BadField;
  }
  if (const auto serial = doc.find("serial"); serial != doc.end() && !serial->is_null()) {
    // Serials count up from 1; a value beyond int64 (Sockudo's are u64) or below 0 is refused
    // rather than wrapped, since the engine sends it back in `sockudo:resume`.
    if (!serial->is_number_unsigned()) return FrameError::BadField;
    const auto value = serial->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(INT64_MAX)) return FrameError::BadField;
    frame.serial = static_cast<std::int64_t>(value);
  }
  if (const auto data = doc.find("data"); data != doc.end() && !data->is_null()) {
    frame.data = data->is_string() ? data->get<std::string>() : to_text(*data);
  }
  return frame;
}

Result<AppEvent, DecodeError> decode_app_event(std::string_view event, std::string_view data) {
  // Only new_message is the scanner's; the core reads the rarer events through nlohmann itself.
  if (event != "new_message") return pushsync::decode_app_event(event, data);
  const std::string where(event);
  if (!within_depth(data)) return DecodeError{where + ": payload nests arrays or objects too deeply"};
  const auto doc = parse_object(data);
  if (!doc) return DecodeError{where + ": payload is not a JSON object"};
  Fields f(*doc, where);
  std::string session_id;
  if (!f.string("sessionId", session_id)) return f.error();
  const auto it = doc->find("message");
  if (it == doc->end()) return DecodeError{where + ": 'message' is missing"};
  auto message = message_from(*it, where);
  if (!message) return message.error();
  return AppEvent{NewMessageEvent{std::move(session_id), std::move(message).value()}};
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

// ---- the bulk inputs (core/src/bulk_input.h), as json_io.cpp read them before issue 12 --------

std::optional<Result<Input, DecodeError>> decode_bulk_input(std::string_view text) {
  const json doc = parse_bounded(text);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  const auto kind = doc.find("type");
  if (kind == doc.end() || !kind->is_string()) return std::nullopt;
  const std::string type = kind->get<std::string>();
  json_reader::Reader r(doc);
  const auto done = [&](Input input) -> Result<Input, DecodeError> {
    if (!r.error().empty()) return DecodeError{"input " + type + ": " + r.error()};
    return input;
  };
  if (type == "httpResult") {
    input::HttpResult in;
    r.get("id", in.id).get("status", in.status).get("body", in.body);
    if (const auto it = doc.find("retryAfterMs"); it != doc.end() && !it->is_null()) {
      Millis wait = 0;
      r.get("retryAfterMs", wait);
      if (wait < 0) return DecodeError{"input httpResult: 'retryAfterMs' must not be negative"};
      in.retry_after = wait;
    }
    return done(in);
  }
  if (type == "seed") {
    input::Seed in;
    r.get("sessionId", in.session_id);
    const auto it = doc.find("messages");
    if (it == doc.end() || !it->is_array()) return DecodeError{"input seed: 'messages' must be an array"};
    in.page = to_text(json{{"messages", *it}});
    if (const auto gaps = doc.find("gaps"); gaps != doc.end() && !gaps->is_null()) {
      if (!gaps->is_array()) return DecodeError{"input seed: 'gaps' must be an array"};
      for (const auto& item : *gaps) {
        auto gap = gap_from(item);
        if (!gap) return DecodeError{"input seed: " + gap.error().what};
        in.gaps.push_back(std::move(gap).value());
      }
    }
    return done(in);
  }
  return std::nullopt;
}

bool same_input(const Input& core, const Input& oracle) {
  const auto* a = std::get_if<input::Seed>(&core);
  const auto* b = std::get_if<input::Seed>(&oracle);
  if (!a || !b) return core == oracle;
  return a->session_id == b->session_id && a->gaps == b->gaps && parse_bounded(a->page) == parse_bounded(b->page);
}

}  // namespace pushsync::oracle
