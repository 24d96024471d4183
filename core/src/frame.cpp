#include "pushsync/frame.h"

#include <cstdint>
#include <nlohmann/json.hpp>

#include "json_limits.h"

#include "json_scanner.h"
#include "json_text.h"
#include "decoders.h"

namespace pushsync {

using nlohmann::json;

const char* to_string(FrameError error) {
  switch (error) {
    case FrameError::NotJson: return "frame is not valid JSON";
    case FrameError::NotAnObject: return "frame is not a JSON object";
    case FrameError::MissingEvent: return "frame has no string 'event'";
    case FrameError::BadField: return "frame field has the wrong type";
    case FrameError::TooDeep: return "frame nests arrays or objects too deeply";
  }
  return "unknown frame error";
}

namespace {

// Reads an optional string field; false when present with another type (null counts as absent).
bool optional_string(const json& object, const char* key, std::optional<std::string>& out) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

// The common frame, read without building a DOM: nullopt whenever the scanner cannot be sure,
// and nlohmann decides (including every error).
std::optional<Frame> scan_frame(std::string_view text) {
  scan::Scanner s(text);
  if (!s.begin_object()) return std::nullopt;
  Frame frame;
  bool has_event = false;
  const auto optional_string = [&](std::optional<std::string>& out) {
    const char kind = s.peek_value();
    if (kind == 'n') {
      out.reset();
      return s.null_value();
    }
    if (kind != '"') return false;
    std::string value;
    if (!s.string_value(value)) return false;
    out = std::move(value);
    return true;
  };
  std::string_view key;
  while (s.next_key(key)) {
    bool handled;
    if (key == "event") {
      handled = s.peek_value() == '"' && s.string_value(frame.event);
      has_event = handled;
    } else if (key == "data") {
      const char kind = s.peek_value();
      handled = kind == '"' ? s.string_value(frame.data) : (kind == 'n' && s.null_value() && (frame.data.clear(), true));
    } else if (key == "channel") {
      handled = optional_string(frame.channel);
    } else if (key == "user_id") {
      handled = optional_string(frame.user_id);
    } else if (key == "message_id") {
      handled = optional_string(frame.message_id);
    } else if (key == "stream_id") {
      handled = optional_string(frame.stream_id);
    } else if (key == "serial") {
      std::int64_t serial = 0;
      if (s.peek_value() == 'n') {
        handled = s.null_value();
        frame.serial.reset();
      } else {
        handled = s.integer_value(serial) && serial >= 0;
        frame.serial = serial;
      }
    } else {
      handled = s.skip_value();
    }
    if (!handled || !s.ok()) return std::nullopt;
  }
  if (!s.ok() || !s.at_end() || !has_event) return std::nullopt;
  return frame;
}

}  // namespace

Result<Frame, FrameError> decode_frame(std::string_view text) {
  if (auto frame = scan_frame(text)) return std::move(*frame);
  return decode_frame_general(text);
}

Result<Frame, FrameError> decode_frame_general(std::string_view text) {
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

std::string encode_frame(std::string_view event, std::string_view data_json, std::optional<std::string_view> channel) {
  json frame = {{"event", event}};
  if (channel) frame["channel"] = *channel;
  frame["data"] = data_json;
  return to_text(frame);
}

std::string encode_subscribe(std::string_view channel, std::string_view auth) {
  // Subscribe carries its data as an object, as pusher-js sends it and Pusher servers expect.
  return to_text(json{{"event", "pusher:subscribe"}, {"data", {{"auth", auth}, {"channel", channel}}}});
}

std::string encode_unsubscribe(std::string_view channel) {
  return to_text(json{{"event", "pusher:unsubscribe"}, {"data", {{"channel", channel}}}});
}

std::string encode_ping() { return R"({"event":"pusher:ping","data":{}})"; }
std::string encode_pong() { return R"({"event":"pusher:pong","data":{}})"; }

std::string encode_resume(const std::vector<ResumePosition>& positions) {
  json channels = json::object();
  for (const auto& p : positions) {
    json position = {{"stream_id", p.stream_id}, {"serial", p.serial}};
    if (p.last_message_id) position["last_message_id"] = *p.last_message_id;
    channels[p.channel] = std::move(position);
  }
  return to_text(json{{"event", "sockudo:resume"}, {"data", {{"channel_positions", std::move(channels)}}}});
}

}  // namespace pushsync
