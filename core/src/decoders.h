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
std::optional<FrameError> decode_frame_into(std::string_view text, Frame& frame);

/// decode_app_event for the `data` of a frame that decode_frame_into read: its bytes are valid
/// UTF-8 already (validated on the way in, or written by the decoder), so they are not checked
/// again.
Result<AppEvent, DecodeError> decode_frame_event(std::string_view event, std::string_view data);

}  // namespace pushsync
