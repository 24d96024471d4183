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

// A value the frame reader saw for an optional string field: the last occurrence counts, as in a
// DOM (nlohmann keeps the last of duplicate keys).
enum class Seen { Absent, Null, String, Other };

bool read_optional_string(scan::Scanner& s, std::optional<std::string>& out, Seen& seen) {
  const char kind = s.peek_value();
  if (kind == '"') {
    if (!out) out.emplace();
    seen = Seen::String;
    return s.string_value(*out);
  }
  seen = kind == 'n' ? Seen::Null : Seen::Other;
  out.reset();
  return s.skip_value();
}

FrameError fault_error(const scan::Scanner& s) {
  return s.fault() == scan::Fault::TooDeep ? FrameError::TooDeep : FrameError::NotJson;
}

}  // namespace

std::optional<FrameError> decode_frame_into(std::string_view text, Frame& frame, std::optional<NewMessageEvent>* hot) {
  scan::Scanner s(text);
  if (hot) hot->reset();
  // Where the data string read in one pass starts: a later key that makes it not the frame's
  // payload (another event, another data) puts its text back into frame.data.
  std::optional<scan::Scanner::Mark> hot_data;
  const auto drop_hot = [&] {
    if (!hot_data) return;
    hot->reset();
    scan::Scanner again(text);
    again.rewind(*hot_data);
    again.string_value(frame.data);  // read once already: it decodes
    hot_data.reset();
  };
  if (s.peek_value() != '{') {
    // Not an object: but is it JSON at all?
    if (s.skip_value() && s.at_end()) return FrameError::NotAnObject;
    return fault_error(s);
  }
  s.begin_object();
  frame.event.clear();
  frame.data.clear();
  frame.serial.reset();
  Seen event = Seen::Absent, channel = Seen::Absent, user_id = Seen::Absent, message_id = Seen::Absent,
       stream_id = Seen::Absent;
  bool serial_bad = false;
  std::string scratch;
  std::string_view key;
  const auto clear_if_absent = [](std::optional<std::string>& field, Seen seen) {
    if (seen == Seen::Absent) field.reset();
  };
  while (s.next_key(key, scratch)) {
    bool read;
    if (key == "event") {
      const bool is_string = s.peek_value() == '"';
      event = is_string ? Seen::String : Seen::Other;
      read = is_string ? s.string_value(frame.event) : s.skip_value();
      if (!is_string || frame.event != "new_message") drop_hot();
    } else if (key == "data") {
      const char kind = s.peek_value();
      hot_data.reset();
      if (hot) hot->reset();
      const scan::Scanner::Mark before = s.mark();  // at the string's opening quote
      std::size_t length = 0;
      const auto after_quote = static_cast<std::size_t>(before.at - text.data()) + 1;
      if (kind == '"' && hot && event == Seen::String && frame.event == "new_message" &&
          (*hot = read_new_message_in_string(text.substr(after_quote), length)) &&
          after_quote + length < text.size() && text[after_quote + length] == '"') {
        frame.data.clear();
        hot_data = before;
        s.rewind({text.data() + after_quote + length + 1});  // past the closing quote
        read = true;
      } else if (kind == '"') {
        if (hot) hot->reset();
        read = s.string_value(frame.data);
      } else if (kind == 'n') {
        frame.data.clear();
        read = s.null_value();
      } else {
        // Data sent as an object (or any other value): kept as its JSON text, as a DOM writes it.
        std::string_view raw;
        read = s.raw_value(raw);
        if (read) frame.data = to_text(parse_bounded(raw));
      }
    } else if (key == "channel") {
      read = read_optional_string(s, frame.channel, channel);
    } else if (key == "user_id") {
      read = read_optional_string(s, frame.user_id, user_id);
    } else if (key == "message_id") {
      read = read_optional_string(s, frame.message_id, message_id);
    } else if (key == "stream_id") {
      read = read_optional_string(s, frame.stream_id, stream_id);
    } else if (key == "serial") {
      // Serials count up from 1; a value beyond int64 (Sockudo's are u64), below 0 or not an
      // integer is refused rather than wrapped, since the engine sends it back in `sockudo:resume`.
      const char kind = s.peek_value();
      frame.serial.reset();
      serial_bad = false;
      if (kind == 'n') {
        read = s.null_value();
      } else if (kind == '-' || (kind >= '0' && kind <= '9')) {
        scan::Number n;
        read = s.number_value(n);
        if (n.kind == scan::Number::Kind::Unsigned && n.u <= static_cast<std::uint64_t>(INT64_MAX)) {
          frame.serial = static_cast<std::int64_t>(n.u);
        } else {
          serial_bad = true;
        }
      } else {
        serial_bad = true;
        read = s.skip_value();
      }
    } else {
      read = s.skip_value();
    }
    if (!read) break;
  }
  const auto refused = [&](FrameError error) {
    if (hot) hot->reset();  // no frame, no payload
    return error;
  };
  if (!s.at_end()) return refused(fault_error(s));
  clear_if_absent(frame.channel, channel);
  clear_if_absent(frame.user_id, user_id);
  clear_if_absent(frame.message_id, message_id);
  clear_if_absent(frame.stream_id, stream_id);
  if (event != Seen::String) return refused(FrameError::MissingEvent);
  if (channel == Seen::Other || user_id == Seen::Other || message_id == Seen::Other || stream_id == Seen::Other ||
      serial_bad) {
    return refused(FrameError::BadField);
  }
  return std::nullopt;
}

Result<Frame, FrameError> decode_frame(std::string_view text) {
  Frame frame;
  if (const auto error = decode_frame_into(text, frame)) return *error;
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
