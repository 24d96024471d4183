// A test host for the engine: a fake clock, effect filters, and the steps of a Pusher handshake,
// so engine tests read as the story they check.
#pragma once

#include <string>
#include <vector>

#include <algorithm>

#include "pushsync/engine.h"
#include "pushsync/iso_time.h"

namespace pushsync::testing {

template <class T>
std::vector<T> only(const Effects& effects) {
  std::vector<T> out;
  for (const auto& e : effects) {
    if (const auto* x = std::get_if<T>(&e)) out.push_back(*x);
  }
  return out;
}

inline std::string message_json(const std::string& id, std::int64_t sequence, const std::string& content = "hi",
                                 const std::string& status = "sent", const std::string& role = "user") {
  // One second a message from 2026-11-29T10:00:00Z: time order is sequence order, at any length.
  const std::string ts = format_iso8601_ms(1'796'032'800'000 + sequence * 1000);
  return R"({"messageId":")" + id + R"(","sequenceNumber":)" + std::to_string(sequence) + R"(,"role":")" + role +
         R"(","content":")" + content + R"(","status":")" + status + R"(","timestamp":")" + ts + R"("})";
}

/// Escapes inner JSON for a Pusher frame's double-encoded `data`.
inline std::string quoted(const std::string& json) {
  std::string out = "\"";
  for (char c : json) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

inline std::string channel_frame(const std::string& event, const std::string& channel, const std::string& data) {
  return R"({"event":")" + event + R"(","channel":")" + channel + R"(","data":)" + quoted(data) + "}";
}

inline std::string new_message_frame(const std::string& session, const std::string& id, std::int64_t sequence,
                                     const std::string& content = "hi") {
  return channel_frame("new_message", "private-session-" + session,
                       R"({"type":"new_message","sessionId":")" + session + R"(","message":)" +
                           message_json(id, sequence, content) + "}");
}

inline std::string established_frame(const std::string& socket_id = "123.456", int activity_timeout = 120) {
  return R"({"event":"pusher:connection_established","data":)" +
         quoted(R"({"socket_id":")" + socket_id + R"(","activity_timeout":)" + std::to_string(activity_timeout) + "}") +
         "}";
}

inline std::string succeeded_frame(const std::string& session) {
  return R"({"event":"pusher_internal:subscription_succeeded","channel":"private-session-)" + session +
         R"(","data":"{}"})";
}

inline std::string page_json(const std::vector<std::string>& messages, bool has_more = false) {
  std::string out = R"({"messages":[)";
  for (std::size_t i = 0; i < messages.size(); ++i) out += (i ? "," : "") + messages[i];
  return out + R"(],"hasMore":)" + (has_more ? "true" : "false") + "}";
}

inline Config test_config() {
  Config config;
  config.api_base = "http://127.0.0.1:3000";
  config.ws_host = "127.0.0.1";
  config.ws_port = 3005;
  config.app_key = "pushsync-key";
  config.backoff.jitter = 0;  // exact boundaries; jitter has tests of its own
  config.dialect = BackendDialect::Paged;  // the reference server; the minimal dialect has its own tests
  return config;
}

class Harness {
 public:
  Engine engine;
  Millis now = 1'000'000;
  Effects last;
  SocketId socket = 0;

  Effects feed(const Input& input) {
    last = engine.handle(input, now);
    if (const auto open = only<effect::OpenSocket>(last); !open.empty()) socket = open.back().socket;
    return last;
  }
  /// Lets `ms` pass the way a host does: a tick only when `next_deadline()` comes, so a deadline
  /// the engine forgets to report is a deadline that never fires here either. Returns every
  /// effect of the ticks on the way, in order.
  Effects advance(Millis ms) {
    const Millis target = now + ms;
    Effects all;
    int ticks = 0;
    while (const auto deadline = engine.next_deadline()) {
      if (*deadline > target) break;
      now = std::max(now, *deadline);
      for (auto& effect : feed(input::Tick{})) all.push_back(std::move(effect));
      if (++ticks > 10'000) break;  // a deadline that does not move: the test will see it
    }
    now = target;
    last = all;
    return all;
  }
  Effects frame(const std::string& text) { return feed(input::SocketText{socket, text}); }

  /// Configure, log in and select `session`: the engine asks for a socket.
  void start(const std::string& session = "s1", Config config = test_config()) {
    feed(input::Configure{std::move(config)});
    feed(input::SetToken{std::string("token-1")});
    feed(input::SelectSession{session});
  }
  /// Opens the socket and establishes the Pusher connection: the engine asks for channel auth.
  effect::HttpRequest establish(int activity_timeout = 120) {
    feed(input::SocketOpened{socket});
    frame(established_frame("123.456", activity_timeout));
    const auto requests = only<effect::HttpRequest>(last);
    return requests.empty() ? effect::HttpRequest{} : requests.back();
  }
  /// Answers the auth request and confirms the subscription: the engine asks for a backfill.
  effect::HttpRequest subscribe(const effect::HttpRequest& auth, const std::string& session = "s1") {
    feed(input::HttpResult{auth.id, 200, R"({"auth":"pushsync-key:sig"})"});
    frame(succeeded_frame(session));
    const auto requests = only<effect::HttpRequest>(last);
    return requests.empty() ? effect::HttpRequest{} : requests.back();
  }
  /// start + establish + subscribe + an empty backfill: Connected, nothing in flight.
  void connect(const std::string& session = "s1", Config config = test_config()) {
    start(session, std::move(config));
    const auto backfill = subscribe(establish(), session);
    feed(input::HttpResult{backfill.id, 200, page_json({})});
  }
};

}  // namespace pushsync::testing
