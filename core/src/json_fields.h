// Fields of a JSON object read through nlohmann's DOM, each "missing or of the wrong type" turned
// into one sentence: how the core reads its rare events (message_update, typing,
// interact_response) and how the tests' oracle reads everything the scanner reads, so both say
// the same sentence for the same fault.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "json_limits.h"
#include "pushsync/events.h"
#include "pushsync/result.h"

namespace pushsync::json_fields {

using nlohmann::json;

// A small reader that turns "field missing or of the wrong type" into one sentence.
class Fields {
 public:
  Fields(const json& object, std::string_view where) : object_(object), where_(where) {}

  bool string(const char* key, std::string& out, bool required = true) {
    const auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return !required || fail(key, "is missing");
    if (!it->is_string()) return fail(key, "must be a string");
    out = it->get<std::string>();
    return true;
  }
  bool boolean(const char* key, bool& out) {
    const auto it = object_.find(key);
    if (it == object_.end()) return fail(key, "is missing");
    if (!it->is_boolean()) return fail(key, "must be a boolean");
    out = it->get<bool>();
    return true;
  }
  bool integer(const char* key, std::int64_t& out, std::int64_t min, std::int64_t max = INT64_MAX) {
    const auto it = object_.find(key);
    if (it == object_.end()) return fail(key, "is missing");
    if (!it->is_number_integer()) return fail(key, "must be an integer");
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
      return fail(key, "must be at most " + std::to_string(max));
    }
    out = it->get<std::int64_t>();
    if (out < min) return fail(key, "must be at least " + std::to_string(min));
    if (out > max) return fail(key, "must be at most " + std::to_string(max));
    return true;
  }
  /// `out`: a std::optional<MessageError> or a message's Rare<MessageError>.
  template <class Out>
  bool error_object(const char* key, Out& out) {
    const auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return true;
    if (it->is_string()) {
      out = MessageError{"", it->get<std::string>()};
      return true;
    }
    if (!it->is_object()) return fail(key, "must be an object or a string");
    MessageError error;
    Fields inner(*it, where_);
    if (!inner.string("code", error.code, false) || !inner.string("message", error.message, false)) {
      return fail(key, "has a field of the wrong type");
    }
    out = std::move(error);
    return true;
  }
  bool fail(std::string_view key, std::string_view problem) {
    error_ = std::string(where_) + ": '" + std::string(key) + "' " + std::string(problem);
    return false;
  }
  DecodeError error() const { return {error_}; }

 private:
  const json& object_;
  std::string_view where_;
  std::string error_;
};

/// The text's JSON object (bounded in size and depth: json_limits.h), or nullopt.
inline std::optional<json> parse_object(std::string_view text) {
  json doc = parse_bounded(text);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  return doc;
}

}  // namespace pushsync::json_fields
