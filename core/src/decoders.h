// Internal: the frame decoder in the form the engine calls it, once per frame, into a Frame it
// keeps between frames so the strings' buffers are reused (the public decode_frame makes a new
// one each time).
#pragma once

#include <optional>
#include <string_view>

#include "pushsync/events.h"
#include "pushsync/frame.h"

namespace pushsync {

/// Decodes `text` into `frame` (every field replaced); nullopt when it is a frame, else the error.
///
/// With `hot`: a `new_message` frame whose `data` string comes after its `event` (the order Sockudo
/// and Pusher write) has its payload decoded on the way, straight out of the escaped string
/// (json_scanner.h, Layer::InString), into `*hot`, and `frame.data` is left empty. When that one
/// pass cannot read it (an escape it does not read, or a payload that is not a valid new_message),
/// `*hot` is empty and `frame.data` holds the text as without `hot`: decode_frame_event then reads
/// it, or names the error.
std::optional<FrameError> decode_frame_into(std::string_view text, Frame& frame, std::optional<NewMessageEvent>* hot = nullptr);

/// A `new_message` payload read out of the raw text of the JSON string that holds it (`text`
/// starts after its opening quote and may run past its end), with `length` the raw length read:
/// the string's closing quote is text[length] when the string ended there. Nullopt when that one
/// pass does not read it (then the string, decoded, is read the usual way).
std::optional<NewMessageEvent> read_new_message_in_string(std::string_view text, std::size_t& length);

/// decode_app_event for the `data` of a frame that decode_frame_into read: its bytes are valid
/// UTF-8 already (validated on the way in, or written by the decoder), so they are not checked
/// again.
Result<AppEvent, DecodeError> decode_frame_event(std::string_view event, std::string_view data);

}  // namespace pushsync
