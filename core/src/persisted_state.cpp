#include "pushsync/persisted_state.h"

#include <nlohmann/json.hpp>

#include "json_limits.h"

#include "json_text.h"

namespace pushsync {

using nlohmann::json;

std::string encode_persisted_state(const PersistedState& state) {
  json value = {{"v", PersistedState::kVersion},
                {"sessionId", state.session_id},
                {"wasConnected", state.was_connected},
                {"savedAt", state.saved_at},
                {"cursor", state.cursor}};
  if (!state.paged_backend.empty()) value["pagedBackend"] = state.paged_backend;
  return to_text(value);
}

Result<PersistedState, DecodeError> decode_persisted_state(std::string_view text) {
  const json doc = parse_bounded(text);
  if (doc.is_discarded() || !doc.is_object()) return DecodeError{"persisted state: not a JSON object"};
  const auto version = doc.find("v");
  if (version == doc.end() || !version->is_number_integer()) return DecodeError{"persisted state: no version"};
  if (version->get<std::int64_t>() < 1 || version->get<std::int64_t>() > PersistedState::kVersion) {
    return DecodeError{"persisted state: unsupported version " + to_text(*version)};
  }
  PersistedState state;
  const auto session = doc.find("sessionId");
  const auto connected = doc.find("wasConnected");
  const auto saved = doc.find("savedAt");
  const auto cursor = doc.find("cursor");
  if (session == doc.end() || !session->is_string() || connected == doc.end() || !connected->is_boolean() ||
      saved == doc.end() || !saved->is_number_integer() || cursor == doc.end() || !cursor->is_number_integer() ||
      cursor->get<std::int64_t>() < 0) {
    return DecodeError{"persisted state: a field is missing or of the wrong type"};
  }
  state.session_id = session->get<std::string>();
  state.was_connected = connected->get<bool>();
  state.saved_at = saved->get<Millis>();
  state.cursor = cursor->get<std::int64_t>();
  if (const auto paged = doc.find("pagedBackend"); paged != doc.end()) {
    if (!paged->is_string()) return DecodeError{"persisted state: 'pagedBackend' must be a string"};
    state.paged_backend = paged->get<std::string>();
  }
  return state;
}

}  // namespace pushsync
