// The Pusher protocol's text frames: decoding what the server sends, encoding what the client sends.
//
// A frame is a JSON object `{"event": ..., "channel"?: ..., "data"?: ..., "user_id"?: ...}`. Pusher
// double-encodes `data`: it is usually a string that holds JSON. The codec keeps `data` as that
// inner text (and serialises it when a server sent an object instead), so decoding the payload is
// the event layer's business. Sockudo's protocol V2 adds `message_id`, `stream_id` and `serial`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pushsync/result.h"

namespace pushsync {

struct Frame {
  std::string event;
  std::optional<std::string> channel;
  std::string data;  ///< the inner payload text ("" when the frame had none)
  std::optional<std::string> user_id;
  // Sockudo protocol V2 delivery position, present on channel events when it is enabled.
  std::optional<std::string> message_id;
  std::optional<std::string> stream_id;
  std::optional<std::int64_t> serial;

  bool operator==(const Frame&) const = default;
};

enum class FrameError {
  NotJson,       ///< the text is not valid JSON
  NotAnObject,   ///< valid JSON, but not an object
  MissingEvent,  ///< no string `event` field
  BadField,      ///< `channel`, `user_id` or a V2 field has the wrong type
  TooDeep,       ///< arrays or objects nested deeper than any frame of this protocol (a stack attack)
};

const char* to_string(FrameError error);

/// Decodes one text frame. Never aborts: malformed input is an error value.
Result<Frame, FrameError> decode_frame(std::string_view text);

/// Encodes a frame; `data` is inner JSON text, sent double-encoded as Pusher expects.
std::string encode_frame(std::string_view event, std::string_view data_json, std::optional<std::string_view> channel = {});

std::string encode_subscribe(std::string_view channel, std::string_view auth);
std::string encode_unsubscribe(std::string_view channel);
std::string encode_ping();
std::string encode_pong();

/// A channel's V2 position, as sent in `sockudo:resume`.
struct ResumePosition {
  std::string channel;
  std::string stream_id;
  std::int64_t serial = 0;
  std::optional<std::string> last_message_id;
  bool operator==(const ResumePosition&) const = default;
};
std::string encode_resume(const std::vector<ResumePosition>& positions);

}  // namespace pushsync
