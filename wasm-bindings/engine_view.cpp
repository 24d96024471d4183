#include "engine_view.h"

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
