// Internal: the general decoders (nlohmann, any JSON) behind the public ones, which first try the
// scanner's fast path for the frames seen most. Exposed only so the differential tests and the
// fuzzer can check that both paths agree wherever the fast one answers.
#pragma once

#include <string_view>

#include "pushsync/events.h"
#include "pushsync/frame.h"

namespace pushsync {

Result<Frame, FrameError> decode_frame_general(std::string_view text);
Result<AppEvent, DecodeError> decode_app_event_general(std::string_view event, std::string_view data);

}  // namespace pushsync
