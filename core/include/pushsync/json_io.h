// Inputs, effects, configuration and messages as JSON: the engine's boundary for hosts that speak
// JSON (the WebAssembly bindings, the record/replay tools, the shared test vectors). The field
// names are the JavaScript API's (camelCase), documented in docs/core.md.
#pragma once

#include <string>
#include <string_view>

#include "pushsync/config.h"
#include "pushsync/effect.h"
#include "pushsync/events.h"
#include "pushsync/input.h"
#include "pushsync/message.h"
#include "pushsync/result.h"

namespace pushsync {

/// `{"type": "selectSession", "sessionId": "s1"}` and so on; an unknown type or a field of the
/// wrong type is an error that names it.
Result<Input, DecodeError> input_from_json(std::string_view text);
std::string input_to_json(const Input& input);

/// Missing fields keep their defaults, so `{"apiBase": "..."}` is a valid start.
Result<Config, DecodeError> config_from_json(std::string_view text);
std::string config_to_json(const Config& config);

/// A JSON array with one object per effect, in order.
std::string effects_to_json(const Effects& effects);

/// Appends `text` as a JSON string, as nlohmann's dump() writes it (ensure_ascii off): the
/// two-character escapes, \u00xx for the other control characters, everything else as it is.
void append_json_string(std::string_view text, std::string& out);

/// The wire shape (`messageId`, `sequenceNumber`, ...), as the app server sends it.
std::string message_to_json(const Message& message);

}  // namespace pushsync
