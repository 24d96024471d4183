// The nlohmann oracle of the core's decoders (see json_oracle.cpp): tests and fuzzers only.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pushsync/events.h"
#include "pushsync/frame.h"
#include "pushsync/input.h"

namespace pushsync::oracle {

Result<Frame, FrameError> decode_frame(std::string_view text);
/// Any app event by name, as the core decoded it with nlohmann.
Result<AppEvent, DecodeError> decode_app_event(std::string_view event, std::string_view data);
Result<MessagePage, DecodeError> decode_message_page(std::string_view body);
/// An `httpResult` or `seed` input as input_from_json read it with nlohmann; nullopt for text that
/// is not a JSON object typed one of the two. A seed's page is nlohmann's text of its messages
/// (the core keeps the host's text: compare pages as JSON, `same_input`).
std::optional<Result<Input, DecodeError>> decode_bulk_input(std::string_view text);
/// Equal, but a seed's page compared as the JSON it holds.
bool same_input(const Input& core, const Input& oracle);

}  // namespace pushsync::oracle

namespace pushsync::oracle {

/// The core and the oracle agree: both accept and read the same value, or both refuse with the
/// same error. One difference is allowed: text that is both not JSON and nested too deeply may be
/// called either (the oracle measures the depth of the whole text first; the core finds whichever
/// comes first on its way through).
inline bool agree(const Result<Frame, FrameError>& core, const Result<Frame, FrameError>& oracle) {
  if (core == oracle) return true;
  if (core.ok() || oracle.ok()) return false;
  const auto either = [](FrameError e) { return e == FrameError::TooDeep || e == FrameError::NotJson; };
  return either(core.error()) && either(oracle.error());
}

template <class T>
bool agree(const Result<T, DecodeError>& core, const Result<T, DecodeError>& oracle) {
  if (core == oracle) return true;
  if (core.ok() || oracle.ok()) return false;
  const auto fault = [](const std::string& what) {
    return what.find("too deeply") != std::string::npos || what.find("not a JSON object") != std::string::npos;
  };
  return fault(core.error().what) && fault(oracle.error().what);
}

}  // namespace pushsync::oracle
