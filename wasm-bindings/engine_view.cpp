#include "engine_view.h"

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "pushsync/json_io.h"

namespace pushsync::wasm {

double EngineView::next_deadline() const {
  const auto deadline = engine_.next_deadline();
  return deadline ? static_cast<double>(*deadline) : -1.0;
}

std::string EngineView::state() const { return to_string(engine_.state()); }
std::string EngineView::state_reason() const { return engine_.state_reason(); }
std::string EngineView::state_code() const { return to_code(engine_.state_code()); }

std::string EngineView::gaps_json() const {
  nlohmann::json gaps = nlohmann::json::array();
  for (const auto& g : engine_.gaps()) {
    gaps.push_back({{"afterId", g.after_id}, {"beforeId", g.before_id},
                    {"missing", g.missing ? nlohmann::json(*g.missing) : nlohmann::json(nullptr)}});
  }
  return gaps.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string EngineView::messages_json(double first, double count) const {
  std::string out = "[";
  engine_.messages().for_each(static_cast<std::size_t>(first), static_cast<std::size_t>(count), [&](const Message& m) {
    if (out.size() > 1) out += ',';
    out += message_to_json(m);
  });
  return out + "]";
}

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

void EngineView::append_messages(const std::vector<std::size_t>& positions, std::string& out) const {
  out += '[';
  const MessageStore& store = engine_.messages();
  for (std::size_t i = 0; i < positions.size(); ++i) {
    if (i) out += ',';
    if (positions[i] >= store.size()) {
      out += "null";
      continue;
    }
    const Message& m = store.at(positions[i]);
    if (!append_plain_message(m, out)) out += message_to_json(m);
  }
  out += ']';
}

void EngineView::append_effects_json(Effects&& effects, std::string& out) {
  for (auto& e : effects) {
    one_.clear();
    one_.push_back(std::move(e));
    const std::string text = effects_to_json(one_);  // "[{...}]"
    if (text.size() < 4) continue;
    if (out.size() > 1) out += ',';
    const auto* changed = std::get_if<effect::MessagesChanged>(&one_.front());
    if (!changed || !carry_messages_) {
      out.append(text, 1, text.size() - 2);
      continue;
    }
    out.append(text, 1, text.size() - 3);  // without the closing "}]"
    out += ",\"insertedMessages\":";
    append_messages(changed->inserted, out);
    out += ",\"updatedMessages\":";
    append_messages(changed->updated, out);
    out += '}';
  }
  one_.clear();
}

std::string EngineView::counters_json() const {
  const Counters& c = engine_.counters();
  const auto n = [](std::uint64_t v) { return std::to_string(v); };
  return "{\"framesReceived\":" + n(c.frames_received) + ",\"framesRejected\":" + n(c.frames_rejected) +
         ",\"messagesInserted\":" + n(c.messages_inserted) + ",\"duplicates\":" + n(c.duplicates) +
         ",\"socketsOpened\":" + n(c.sockets_opened) + ",\"reconnects\":" + n(c.reconnects) +
         ",\"authRequests\":" + n(c.auth_requests) + ",\"syncs\":" + n(c.syncs) + ",\"resumes\":" + n(c.resumes) +
         ",\"messagesRejected\":" + n(c.messages_rejected) + ",\"restMessages\":" + n(c.rest_messages) +
         ",\"replies\":" + n(c.replies) + ",\"replyMessages\":" + n(c.reply_messages) +
         ",\"gapsFound\":" + n(c.gaps_found) + ",\"dialect\":\"" + to_string(engine_.dialect()) + "\"" +
         ",\"cursor\":" + std::to_string(engine_.cursor()) + ",\"protocol\":" + std::to_string(engine_.config().protocol) +
         "}";
}

std::string EngineView::typing_json() const {
  const Typing& t = engine_.typing();
  return nlohmann::json{{"isTyping", t.is_typing}, {"context", t.context}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pushsync::wasm
