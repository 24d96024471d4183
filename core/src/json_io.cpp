#include "pushsync/json_io.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "bulk_input.h"
#include "json_limits.h"
#include "json_number.h"
#include "json_reader.h"

#include "json_text.h"

namespace pushsync {

using json_reader::Reader;
using nlohmann::json;

namespace {

template <class... Ts>
struct Overloaded : Ts... { using Ts::operator()...; };
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

Result<Config, DecodeError> config_from(const json& doc) {
  if (!doc.is_object()) return DecodeError{"config: must be an object"};
  Config c;
  Reader r(doc);
  r.get("apiBase", c.api_base).get("wsHost", c.ws_host).get("wsPort", c.ws_port).get("wsTls", c.ws_tls)
      .get("appKey", c.app_key).get("protocol", c.protocol).get("clientVersion", c.client_version)
      .get("keepaliveMs", c.keepalive).get("jitterSeed", c.jitter_seed).get("maxMessages", c.max_messages)
      .get("pageLimit", c.page_limit).get("maxReconnectAttempts", c.max_reconnect_attempts)
      .get("connectTimeoutMs", c.connect_timeout).get("pongTimeoutMs", c.pong_timeout)
      .get("requestTimeoutMs", c.request_timeout).get("typingTimeoutMs", c.typing_timeout)
      .get("persistIntervalMs", c.persist_interval).get("settleCheckMs", c.settle_check).get("gapGraceMs", c.gap_grace).get("resyncIntervalMs", c.resync_interval)
      .get("backoffBaseMs", c.backoff.base).get("backoffCapMs", c.backoff.cap).get("backoffJitter", c.backoff.jitter)
      .get("backoffFirstSpreadMs", c.backoff.first_spread)
      .get("maxPageLimit", c.max_page_limit).get("probeIntervalMs", c.probe_interval).get("gapRetryMs", c.gap_retry)
      .get("messagesPath", c.messages_path).get("authPath", c.auth_path)
      .get("maxFrameBytes", c.max_frame_bytes).get("maxPageBytes", c.max_page_bytes)
      .get("maxMessageBytes", c.max_message_bytes);
  if (!r.error().empty()) return DecodeError{"config: " + r.error()};
  std::string dialect = to_string(c.dialect), typing = to_string(c.typing);
  r.get("dialect", dialect).get("typing", typing);
  if (!r.error().empty()) return DecodeError{"config: " + r.error()};
  if (dialect == "auto") c.dialect = BackendDialect::Auto;
  else if (dialect == "minimal") c.dialect = BackendDialect::Minimal;
  else if (dialect == "paged") c.dialect = BackendDialect::Paged;
  else return DecodeError{"config: 'dialect' must be auto, minimal or paged"};
  if (typing == "auto") c.typing = TypingSource::Auto;
  else if (typing == "server") c.typing = TypingSource::Server;
  else if (typing == "infer") c.typing = TypingSource::Infer;
  else return DecodeError{"config: 'typing' must be auto, server or infer"};
  return c;
}

json config_json(const Config& c) {
  return {{"apiBase", c.api_base},
          {"wsHost", c.ws_host},
          {"wsPort", c.ws_port},
          {"wsTls", c.ws_tls},
          {"appKey", c.app_key},
          {"protocol", c.protocol},
          {"clientVersion", c.client_version},
          {"keepaliveMs", c.keepalive},
          {"jitterSeed", c.jitter_seed},
          {"maxMessages", c.max_messages},
          {"pageLimit", c.page_limit},
          {"maxReconnectAttempts", c.max_reconnect_attempts},
          {"connectTimeoutMs", c.connect_timeout},
          {"pongTimeoutMs", c.pong_timeout},
          {"requestTimeoutMs", c.request_timeout},
          {"typingTimeoutMs", c.typing_timeout},
          {"persistIntervalMs", c.persist_interval},
          {"settleCheckMs", c.settle_check},
          {"gapGraceMs", c.gap_grace},
          {"resyncIntervalMs", c.resync_interval},
          {"backoffBaseMs", c.backoff.base},
          {"backoffCapMs", c.backoff.cap},
          {"backoffJitter", c.backoff.jitter},
          {"backoffFirstSpreadMs", c.backoff.first_spread},
          {"maxPageLimit", c.max_page_limit},
          {"probeIntervalMs", c.probe_interval},
          {"gapRetryMs", c.gap_retry},
          {"messagesPath", c.messages_path},
          {"authPath", c.auth_path},
          {"maxFrameBytes", c.max_frame_bytes},
          {"maxPageBytes", c.max_page_bytes},
          {"maxMessageBytes", c.max_message_bytes},
          {"dialect", to_string(c.dialect)},
          {"typing", to_string(c.typing)}};
}

json gap_json(const Gap& g) {
  return {{"afterId", g.after_id}, {"beforeId", g.before_id}, {"missing", g.missing ? json(*g.missing) : json(nullptr)}};
}

json message_json(const Message& m) {
  json out = {{"messageId", m.id}, {"role", m.role}, {"content", m.content}, {"status", m.status},
              {"timestamp", m.timestamp.text()}};
  if (m.sequence > 0) out["sequenceNumber"] = m.sequence;  // absent when the backend sent none
  if (!m.updated_at.empty()) out["updatedAt"] = m.updated_at.text();
  if (!m.client_message_id.empty()) out["clientMessageId"] = m.client_message_id;
  if (m.action_payload) {
    json payload = parse_bounded(*m.action_payload);
    out["actionPayload"] = payload.is_discarded() ? json(*m.action_payload) : payload;
  }
  if (m.error) out["error"] = {{"code", m.error->code}, {"message", m.error->message}};
  return out;
}

}  // namespace

Result<Config, DecodeError> config_from_json(std::string_view text) {
  const json doc = parse_bounded(text);
  if (doc.is_discarded()) return DecodeError{"config: not valid JSON"};
  return config_from(doc);
}

// A gap as GapsChanged writes it (and a host gives it back in a seed).
Result<Gap, DecodeError> gap_from(const json& doc) {
  if (!doc.is_object()) return DecodeError{"gap: must be an object"};
  Gap g;
  Reader r(doc);
  r.get("afterId", g.after_id).get("beforeId", g.before_id);
  if (const auto it = doc.find("missing"); it != doc.end() && !it->is_null()) {
    std::int64_t missing = 0;
    r.get("missing", missing);
    if (missing < 0) return DecodeError{"gap: 'missing' must not be negative"};
    g.missing = missing;
  }
  if (!r.error().empty()) return DecodeError{"gap: " + r.error()};
  if (g.before_id.empty()) return DecodeError{"gap: 'beforeId' is required"};
  return g;
}

std::string config_to_json(const Config& config) { return to_text(config_json(config)); }

std::string message_to_json(const Message& message) { return to_text(message_json(message)); }

Result<Input, DecodeError> input_from_json(std::string_view text) {
  // A REST page or a session's copy: read by the scanner (bulk_input.h); everything else here.
  if (auto bulk = scan_bulk_input(text)) return std::move(*bulk);
  const json doc = parse_bounded(text);
  if (doc.is_discarded() || !doc.is_object()) return DecodeError{"input: not a JSON object"};
  std::string type;
  Reader r(doc);
  r.get("type", type);
  const auto done = [&](Input input) -> Result<Input, DecodeError> {
    if (!r.error().empty()) return DecodeError{"input " + type + ": " + r.error()};
    return input;
  };
  if (type == "configure") {
    const auto it = doc.find("config");
    if (it == doc.end()) return DecodeError{"input configure: 'config' is missing"};
    auto config = config_from(*it);
    if (!config) return config.error();
    return Input{input::Configure{std::move(config).value()}};
  }
  if (type == "selectSession") {
    input::SelectSession in;
    r.get("sessionId", in.session_id);
    return done(in);
  }
  if (type == "stop") return done(input::Stop{});
  if (type == "setToken") {
    input::SetToken in;
    if (const auto it = doc.find("token"); it != doc.end() && !it->is_null()) {
      std::string token;
      r.get("token", token);
      in.token = token;
    }
    return done(in);
  }
  if (type == "visibility") {
    input::Visibility in;
    r.get("visible", in.visible);
    return done(in);
  }
  if (type == "network") {
    input::Network in;
    r.get("online", in.online);
    return done(in);
  }
  if (type == "refresh") return done(input::Refresh{});
  if (type == "socketOpened") {
    input::SocketOpened in;
    r.get("socket", in.socket);
    return done(in);
  }
  if (type == "socketText") {
    input::SocketText in;
    r.get("socket", in.socket).get("text", in.text);
    return done(in);
  }
  if (type == "socketClosed") {
    input::SocketClosed in;
    r.get("socket", in.socket).get("code", in.code).get("reason", in.reason);
    return done(in);
  }
  if (type == "socketError") {
    input::SocketError in;
    r.get("socket", in.socket).get("message", in.message);
    return done(in);
  }
  if (type == "tick") return done(input::Tick{});
  if (type == "restore") {
    input::Restore in;
    r.get("value", in.value);
    return done(in);
  }
  return DecodeError{"input: unknown type '" + type + "'"};
}

namespace {

// A seed's messages are written as the text they came in (the page scan_bulk_input made of them),
// so that decoding the result gives back the same page; a page of another shape through nlohmann.
// Keys in nlohmann's order (sorted), as for every other input.
std::string seed_to_json(const input::Seed& in) {
  json gaps = json::array();
  for (const auto& g : in.gaps) gaps.push_back(gap_json(g));
  std::string messages;
  if (const auto text = seed_messages_text(in.page)) {
    messages = *text;
  } else {
    const json page = parse_bounded(in.page);
    messages = to_text(page.is_object() && page.contains("messages") ? page["messages"] : json::array());
  }
  return R"({"gaps":)" + to_text(gaps) + R"(,"messages":)" + messages + R"(,"sessionId":)" + to_text(json(in.session_id)) +
         R"(,"type":"seed"})";
}

}  // namespace

std::string input_to_json(const Input& input) {
  if (const auto* seed = std::get_if<input::Seed>(&input)) return seed_to_json(*seed);
  const json out = std::visit(
      Overloaded{
          [](const input::Configure& in) { return json{{"type", "configure"}, {"config", config_json(in.config)}}; },
          [](const input::SelectSession& in) { return json{{"type", "selectSession"}, {"sessionId", in.session_id}}; },
          [](const input::Stop&) { return json{{"type", "stop"}}; },
          [](const input::SetToken& in) {
            return json{{"type", "setToken"}, {"token", in.token ? json(*in.token) : json(nullptr)}};
          },
          [](const input::Visibility& in) { return json{{"type", "visibility"}, {"visible", in.visible}}; },
          [](const input::Network& in) { return json{{"type", "network"}, {"online", in.online}}; },
          [](const input::Refresh&) { return json{{"type", "refresh"}}; },
          [](const input::SocketOpened& in) { return json{{"type", "socketOpened"}, {"socket", in.socket}}; },
          [](const input::SocketText& in) { return json{{"type", "socketText"}, {"socket", in.socket}, {"text", in.text}}; },
          [](const input::SocketClosed& in) {
            return json{{"type", "socketClosed"}, {"socket", in.socket}, {"code", in.code}, {"reason", in.reason}};
          },
          [](const input::SocketError& in) {
            return json{{"type", "socketError"}, {"socket", in.socket}, {"message", in.message}};
          },
          [](const input::HttpResult& in) {
            json out{{"type", "httpResult"}, {"id", in.id}, {"status", in.status}, {"body", in.body}};
            if (in.retry_after) out["retryAfterMs"] = *in.retry_after;
            return out;
          },
          [](const input::Tick&) { return json{{"type", "tick"}}; },
          [](const input::Restore& in) { return json{{"type", "restore"}, {"value", in.value}}; },
          [](const input::Seed&) { return json(); },  // not reached: seed_to_json writes seeds
      },
      input);
  return to_text(out);
}

namespace {

// The effect of nearly every incoming frame, written without building a DOM. Only for session ids
// in plain printable ASCII (anything else goes through nlohmann, which escapes and repairs); keys in
// nlohmann's order (sorted), so both writers give the same bytes.
bool plain_ascii(std::string_view text) {
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

void append_number(std::string& out, std::size_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, static_cast<std::size_t>(end - digits));
}

bool write_messages_changed(const effect::MessagesChanged& x, std::string& out) {
  if (!plain_ascii(x.session_id)) return false;
  const auto positions = [&](const std::vector<std::size_t>& list) {
    out += '[';
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i) out += ',';
      append_number(out, list[i]);
    }
    out += ']';
  };
  out += "{\"inserted\":";
  positions(x.inserted);
  out += ",\"removedFront\":";
  append_number(out, x.removed_front);
  out += x.reset ? ",\"reset\":true" : ",\"reset\":false";
  out += ",\"sessionId\":\"";
  out += x.session_id;
  out += "\",\"size\":";
  append_number(out, x.size);
  out += ",\"type\":\"messages\",\"updated\":";
  positions(x.updated);
  out += '}';
  return true;
}

// The typing effect, as frequent as messages while a turn is inferred: the same rules.
bool write_typing_changed(const effect::TypingChanged& x, std::string& out) {
  if (!plain_ascii(x.session_id) || !plain_ascii(x.context)) return false;
  out += "{\"context\":\"";
  out += x.context;
  out += x.is_typing ? "\",\"isTyping\":true" : "\",\"isTyping\":false";
  out += ",\"sessionId\":\"";
  out += x.session_id;
  out += "\",\"type\":\"typing\"}";
  return true;
}

json effect_json(const Effect& e);

}  // namespace

std::string effects_to_json(const Effects& effects) {
  std::string out;
  out.reserve(256);  // a frame's effects (the messages diff, the typing change) fit
  out += '[';
  for (const auto& e : effects) {
    if (out.size() > 1) out += ',';
    const auto* changed = std::get_if<effect::MessagesChanged>(&e);
    const auto* typing = std::get_if<effect::TypingChanged>(&e);
    const bool written = (changed && write_messages_changed(*changed, out)) || (typing && write_typing_changed(*typing, out));
    if (!written) out += to_text(effect_json(e));
  }
  out += ']';
  return out;
}

namespace {

json effect_json(const Effect& e) {
  return std::visit(
        Overloaded{
            [](const effect::OpenSocket& x) { return json{{"type", "openSocket"}, {"socket", x.socket}, {"url", x.url}}; },
            [](const effect::SendFrame& x) { return json{{"type", "sendFrame"}, {"socket", x.socket}, {"text", x.text}}; },
            [](const effect::CloseSocket& x) {
              return json{{"type", "closeSocket"}, {"socket", x.socket}, {"code", x.code}, {"reason", x.reason}};
            },
            [](const effect::HttpRequest& x) {
              json headers = json::object();
              for (const auto& [k, v] : x.headers) headers[k] = v;
              return json{{"type", "httpRequest"}, {"id", x.id},           {"method", x.method},
                          {"url", x.url},          {"headers", headers}, {"body", x.body}};
            },
            [](const effect::Persist& x) { return json{{"type", "persist"}, {"key", x.key}, {"value", x.value}}; },
            [](const effect::StateChanged& x) {
              return json{{"type", "state"}, {"state", to_string(x.state)}, {"code", to_code(x.code)}, {"reason", x.reason}};
            },
            [](const effect::MessagesChanged& x) {
              return json{{"type", "messages"},         {"sessionId", x.session_id}, {"reset", x.reset},
                          {"removedFront", x.removed_front}, {"inserted", x.inserted},   {"updated", x.updated},
                          {"size", x.size}};
            },
            [](const effect::TypingChanged& x) {
              return json{{"type", "typing"}, {"sessionId", x.session_id}, {"isTyping", x.is_typing}, {"context", x.context}};
            },
            [](const effect::SessionChanged& x) {
              return json{{"type", "session"}, {"sessionId", x.session_id}, {"status", x.status}};
            },
            [](const effect::GapsChanged& x) {
              json gaps = json::array();
              for (const auto& g : x.gaps) gaps.push_back(gap_json(g));
              return json{{"type", "gaps"}, {"sessionId", x.session_id}, {"gaps", gaps}};
            },
            [](const effect::InteractResponse& x) {
              const json data = parse_bounded(x.data);
              return json{{"type", "interactResponse"}, {"sessionId", x.session_id},
                          {"data", data.is_discarded() ? json(x.data) : data}};
            },
            [](const effect::Error& x) {
              return json{{"type", "error"}, {"code", to_string(x.code)}, {"message", x.message}};
            },
        },
        e);
}

}  // namespace

}  // namespace pushsync
