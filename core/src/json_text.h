// Internal: JSON to text without ever aborting. nlohmann's default dump() throws (so, without
// exceptions, aborts) on invalid UTF-8, which any peer can send; replace it instead.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace pushsync {

inline std::string to_text(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pushsync
