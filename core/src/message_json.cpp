#include "pushsync/message_json.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pushsync/iso_time.h"
#include "pushsync/json_io.h"

namespace pushsync {

namespace {

/// Whether `text` is well-formed UTF-8 (what nlohmann writes unchanged; anything else goes through
/// it, which repairs).
bool valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t n;
    std::uint32_t cp;
    if ((c & 0xe0) == 0xc0) n = 1, cp = c & 0x1fu;
    else if ((c & 0xf0) == 0xe0) n = 2, cp = c & 0x0fu;
    else if ((c & 0xf8) == 0xf0) n = 3, cp = c & 0x07u;
    else return false;
    if (static_cast<std::size_t>(end - p) <= n) return false;
    for (std::size_t i = 1; i <= n; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3fu);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    p += n + 1;
  }
  return true;
}

/// `message_to_json` for the common message (no error, well-formed text), written straight into
/// `out` with the same bytes; false (nothing written) otherwise. An action payload is copied as
/// it is stored: the decoder keeps it as nlohmann's own dump of the value it parsed
/// (events.cpp), which parsing and dumping again, as `message_to_json` does, gives back unchanged.
bool append_plain_message(const Message& m, std::string& out) {
  if (m.error) return false;
  char timestamp_buffer[kIso8601MsLength], updated_buffer[kIso8601MsLength];
  const std::string_view timestamp = m.timestamp.view(timestamp_buffer);
  const std::string_view updated_at = m.updated_at.view(updated_buffer);
  for (const std::string_view s : {std::string_view(m.id), std::string_view(m.role), std::string_view(m.content),
                                   std::string_view(m.status), timestamp, updated_at, std::string_view(m.client_message_id)}) {
    if (!valid_utf8(s)) return false;
  }
  if (m.action_payload && (m.action_payload->empty() || !valid_utf8(*m.action_payload))) return false;
  // nlohmann's keys in order (sorted); optional ones only when set.
  if (m.action_payload) {
    out += "{\"actionPayload\":";
    out += *m.action_payload;
    out += ',';
  } else {
    out += '{';
  }
  if (!m.client_message_id.empty()) {
    out += "\"clientMessageId\":";
    append_json_string(m.client_message_id, out);
    out += ',';
  }
  out += "\"content\":";
  append_json_string(m.content, out);
  out += ",\"messageId\":";
  append_json_string(m.id, out);
  out += ",\"role\":";
  append_json_string(m.role, out);
  if (m.sequence > 0) {
    out += ",\"sequenceNumber\":";
    out += std::to_string(m.sequence);
  }
  out += ",\"status\":";
  append_json_string(m.status, out);
  out += ",\"timestamp\":";
  append_json_string(timestamp, out);
  if (!updated_at.empty()) {
    out += ",\"updatedAt\":";
    append_json_string(updated_at, out);
  }
  out += '}';
  return true;
}

}  // namespace

void append_message_json(const Message& message, std::string& out) {
  if (!append_plain_message(message, out)) out += message_to_json(message);
}

}  // namespace pushsync
