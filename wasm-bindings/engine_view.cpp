#include "engine_view.h"

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "pushsync/json_io.h"
#include "pushsync/message_json.h"

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


// The same writer as the carried messages: a host that reads ranges of the store on demand
// (readMessages) pays for it on every read.
std::string EngineView::messages_json(double first, double count) const {
  std::string out = "[";
  engine_.messages().for_each(static_cast<std::size_t>(first), static_cast<std::size_t>(count), [&](const Message& m) {
    if (out.size() > 1) out += ',';
    append_message_json(m, out);
  });
  return out + "]";
}

void EngineView::append_messages(const std::vector<std::size_t>& positions, std::string& out) const {
  out += '[';
  const MessageStore& store = engine_.messages();
  for (std::size_t i = 0; i < positions.size(); ++i) {
    if (i) out += ',';
    if (positions[i] >= store.size()) {
      out += "null";
      continue;
    }
    append_message_json(store.at(positions[i]), out);
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
