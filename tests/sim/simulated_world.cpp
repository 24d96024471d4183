#include "sim/simulated_world.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

#include "pushsync/json_io.h"

namespace pushsync::sim {

using nlohmann::json;

namespace {

constexpr const char* kSession = "s1";
constexpr const char* kChannel = "private-session-s1";
constexpr const char* kToken = "token-1";

std::string iso(Millis ms) {
  const std::time_t seconds = static_cast<std::time_t>(1'790'000'000 + ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return out;
}

std::string form_value(const std::string& body, const std::string& key) {
  const auto start = body.find(key + "=");
  if (start == std::string::npos) return "";
  std::string raw = body.substr(start + key.size() + 1, body.find('&', start) - start - key.size() - 1);
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size()) {
      out += static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += raw[i];
    }
  }
  return out;
}

std::string signature(const std::string& pusher_id, const std::string& channel) {
  return "pushsync-key:sig-" + pusher_id + "-" + channel;
}

}  // namespace

World::World(std::uint64_t seed, int protocol, Faults faults, Backend backend, bool unsequenced)
    : seed_(seed), protocol_(protocol), backend_(backend), unsequenced_(unsequenced), faults_(faults), rng_(seed) {}

void World::violation(std::string what) {
  report_.ok = false;
  if (report_.violations.size() < 20) report_.violations.push_back("t=" + std::to_string(now_) + " " + what);
}

// ---------------------------------------------------------------------------------------------
// The event loop: a heap of timed actions, and the engine's one timer.

struct Action {
  Millis at;
  std::uint64_t order;
  std::function<void()> run;
};

Report World::run(Millis duration) {
  std::vector<Action> heap;
  const auto later = [](const Action& a, const Action& b) { return a.at != b.at ? a.at > b.at : a.order > b.order; };
  const auto schedule = [&](Millis at, std::function<void()> run) {
    heap.push_back({at, order_++, std::move(run)});
    std::push_heap(heap.begin(), heap.end(), later);
  };
  schedule_ = schedule;

  engine_ = std::make_unique<Engine>();
  Config config;
  config.api_base = "http://app.test";
  config.ws_host = "ws.test";
  config.app_key = "pushsync-key";
  config.protocol = protocol_;
  config.jitter_seed = seed_;
  step_engine(input::Configure{config});
  step_engine(input::SetToken{std::string(kToken)});
  step_engine(input::SelectSession{kSession});

  const Millis fault_end = now_ + duration;
  // The server's own life: messages, updates of pending ones, outages.
  std::function<void()> store_next = [&] {
    if (now_ >= fault_end) return;
    if (!minimal() && !server_messages_.empty() && chance(0.1)) server_change_status(true); else server_store_message(true);
    schedule(now_ + between(100, 6'000), store_next);
  };
  schedule(now_ + between(0, 2'000), store_next);
  std::function<void()> outage;  // outlives the loop below: scheduled actions call it
  if (faults_.outages) {
    outage = [&] {
      if (now_ >= fault_end) return;
      server_down_ = true;
      for (auto& [id, conn] : connections_) deliver(input::SocketClosed{id, 1006, "server down"}, between(1, 50));
      connections_.clear();
      replay_buffer_.clear();
      stream_id_ = "stream-" + std::to_string(now_);  // a restarted Sockudo starts a new stream
      schedule(now_ + between(2'000, 90'000), [&] {
        server_down_ = false;
        schedule(now_ + between(30'000, 200'000), outage);
      });
    };
    schedule(now_ + between(10'000, 150'000), outage);
  }

  Millis end = fault_end + 150'000;
  bool tail_sent = false;
  int ticks_at_same_time = 0;
  Millis last_tick = -1;
  while (true) {
    if (now_ >= fault_end && faults_on_) {
      // The faults stop; the server is up; one more message proves a silent loss is detected.
      faults_on_ = false;
      server_down_ = false;
    }
    if (!faults_on_ && !tail_sent && now_ >= fault_end + 1'000) {
      tail_sent = true;
      server_store_message(false);
    }
    const auto timer = engine_->next_deadline();
    const std::optional<Millis> event = heap.empty() ? std::nullopt : std::optional<Millis>(heap.front().at);
    std::optional<Millis> next = timer;
    if (event && (!next || *event < *next)) next = event;
    if (!tail_sent && (!next || *next > fault_end + 1'000)) next = std::max(now_, fault_end + 1'000);
    if (!next || *next > end) break;
    now_ = std::max(now_, *next);
    if (++report_.steps > 3'000'000) {
      violation("the simulation did not settle (step limit)");
      break;
    }
    if (faults_on_ && chance(faults_.host_restart)) restart_host();
    if (timer && *timer <= now_ && (!event || *timer <= *event)) {
      ticks_at_same_time = last_tick == now_ ? ticks_at_same_time + 1 : 0;
      last_tick = now_;
      if (ticks_at_same_time > 50) {
        violation("the engine asks for a tick at the same instant again and again");
        break;
      }
      step_engine(input::Tick{});
    } else if (event && *event <= now_) {
      std::pop_heap(heap.begin(), heap.end(), later);
      Action action = std::move(heap.back());
      heap.pop_back();
      action.run();
    }
  }
  check_final();
  report_.server_messages = server_messages_.size();
  return report_;
}

void World::deliver(Input input, Millis delay) {
  const std::uint64_t generation = generation_;
  schedule_(now_ + delay, [this, input = std::move(input), generation] {
    if (generation != generation_) return;  // the host that asked is gone
    step_engine(input);
  });
}

void World::step_engine(const Input& input) {
  // The host's side of its sockets: open once the engine was told, closed once either side closed.
  if (const auto* opened = std::get_if<input::SocketOpened>(&input)) {
    auto it = host_sockets_.find(opened->socket);
    if (it == host_sockets_.end() || it->second.phase != HostSocket::Phase::Opening) return;
    it->second.phase = HostSocket::Phase::Open;
  } else if (const auto* closed = std::get_if<input::SocketClosed>(&input)) {
    auto it = host_sockets_.find(closed->socket);
    if (it == host_sockets_.end() || it->second.phase == HostSocket::Phase::Closed) return;
    it->second.phase = HostSocket::Phase::Closed;
  } else if (const auto* text = std::get_if<input::SocketText>(&input)) {
    auto it = host_sockets_.find(text->socket);
    if (it == host_sockets_.end() || it->second.phase == HostSocket::Phase::Closed) return;
  }
  carry_out(engine_->handle(input, now_));
}

void World::carry_out(const Effects& effects) {
  for (const auto& e : effects) {
    if (const auto* open = std::get_if<effect::OpenSocket>(&e)) {
      on_open(*open);
    } else if (const auto* send = std::get_if<effect::SendFrame>(&e)) {
      on_send(*send);
    } else if (const auto* close = std::get_if<effect::CloseSocket>(&e)) {
      on_close(close->socket, close->code, true);
    } else if (const auto* request = std::get_if<effect::HttpRequest>(&e)) {
      on_http(*request);
    } else if (const auto* persist = std::get_if<effect::Persist>(&e)) {
      persisted_ = persist->value;
    } else if (std::holds_alternative<effect::MessagesChanged>(e) && chance(0.3)) {
      // The host writes its copy now and then (batched), so it lags the store it copies.
      std::string copy = R"({"messages":[)";
      const MessageStore& store = engine_->messages();
      store.for_each(0, store.size(), [&](const Message& m) {
        copy += (copy.back() == '[' ? "" : ",") + message_to_json(m);
      });
      host_copy_ = copy + "]}";
      host_copy_gaps_ = engine_->gaps();
    } else if (const auto* state = std::get_if<effect::StateChanged>(&e)) {
      if (!is_legal_transition(last_state_, state->state)) {
        violation(std::string("illegal transition ") + to_string(last_state_) + " -> " + to_string(state->state));
      }
      last_state_ = state->state;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The simulated Pusher server.

void World::on_open(const effect::OpenSocket& open) {
  host_sockets_[open.socket] = HostSocket{};
  if (server_down_ || (faults_on_ && chance(faults_.connect_failure))) {
    if (chance(0.7)) deliver(input::SocketClosed{open.socket, 1006, "connect failed"}, between(5, 3'000));
    return;  // otherwise it hangs: the engine's connect timeout must notice
  }
  ServerConnection conn;
  conn.pusher_id = std::to_string(next_pusher_id_++) + "." + std::to_string(between(1, 999'999));
  const std::string established = json{{"event", protocol_ == 2 ? "sockudo:connection_established"
                                                                 : "pusher:connection_established"},
                                       {"data", json{{"socket_id", conn.pusher_id}, {"activity_timeout", 120}}.dump()}}
                                      .dump();
  connections_[open.socket] = conn;
  const Millis latency = between(1, 200);
  deliver(input::SocketOpened{open.socket}, latency);
  send_to_client(open.socket, established, latency + 1, false);
}

void World::send_to_client(SocketId socket, const std::string& frame, Millis delay, bool faulty) {
  // Frames on one connection arrive in order (TCP), unless the reorder fault delays one.
  Millis at = now_ + delay;
  auto& last = last_delivery_[socket];
  if (at < last) at = last;
  if (faulty && faults_on_ && chance(faults_.reorder)) {
    at += between(1, 3'000);
  } else {
    last = at;
  }
  const std::uint64_t generation = generation_;
  schedule_(at, [this, socket, frame, generation] {
    if (generation != generation_ || !connections_.count(socket)) return;
    step_engine(input::SocketText{socket, frame});
    if (faults_on_ && chance(faults_.socket_cut) && connections_.count(socket)) {
      connections_.erase(socket);
      static constexpr int kCodes[] = {1006, 1006, 1006, 4200, 4201, 4100};
      deliver(input::SocketClosed{socket, kCodes[between(0, 5)], "cut"}, between(1, 100));
    }
  });
}

void World::on_send(const effect::SendFrame& send) {
  ++report_.frames_sent;
  const auto host = host_sockets_.find(send.socket);
  if (host == host_sockets_.end() || host->second.phase != HostSocket::Phase::Open) {
    violation("frame sent on a socket that is not open: " + send.text);
    return;
  }
  const auto conn = connections_.find(send.socket);
  if (conn == connections_.end()) return;  // the server already dropped it; the close is on its way
  const json frame = json::parse(send.text, nullptr, false);
  if (frame.is_discarded() || !frame.is_object() || !frame.contains("event")) {
    violation("engine sent a malformed frame: " + send.text);
    return;
  }
  const std::string event = frame["event"].get<std::string>();
  const json data = frame.value("data", json::object());
  const std::string prefix = protocol_ == 2 ? "sockudo" : "pusher";
  if (event == "pusher:subscribe") {
    const std::string channel = data.value("channel", "");
    if (data.value("auth", "") != signature(conn->second.pusher_id, channel)) {
      send_to_client(send.socket,
                     json{{"event", "pusher:error"}, {"data", {{"code", 4009}, {"message", "Auth error"}}}}.dump(),
                     between(1, 50), false);
      return;
    }
    conn->second.channel = channel;
    json ok = {{"event", prefix + "_internal:subscription_succeeded"}, {"channel", channel}, {"data", "{}"}};
    if (protocol_ == 2) {
      ok["stream_id"] = stream_id_;
      ok["serial"] = 0;
    }
    send_to_client(send.socket, ok.dump(), between(1, 50), false);
  } else if (event == "pusher:unsubscribe") {
    conn->second.channel.reset();
  } else if (event == "pusher:ping" || event == "sockudo:ping") {
    send_to_client(send.socket, json{{"event", prefix + ":pong"}}.dump(), between(1, 50), false);
  } else if (event == "sockudo:resume") {
    const json position = data["channel_positions"].value(kChannel, json::object());
    const std::int64_t serial = position.value("serial", std::int64_t{-1});
    const bool covered = position.value("stream_id", "") == stream_id_ &&
                         (replay_buffer_.empty() ? serial == server_serial_
                                                 : replay_buffer_.front().first <= serial + 1);
    json result = {{"recovered", json::array()}, {"failed", json::array()}};
    if (covered) {
      for (const auto& [s, replay] : replay_buffer_) {
        if (s > serial) send_to_client(send.socket, replay, between(1, 50), false);
      }
      result["recovered"].push_back({{"channel", kChannel}, {"source", "hot"}});
    } else {
      result["failed"].push_back({{"channel", kChannel}, {"code", "position_expired"}});
    }
    send_to_client(send.socket, json{{"event", "sockudo:resume_success"}, {"data", result.dump()}}.dump(),
                   between(1, 50), false);
  } else if (event != "pusher:pong" && event != "sockudo:pong") {
    violation("engine sent an unexpected event: " + send.text);
  }
}

void World::on_close(SocketId socket, int code, bool by_engine) {
  (void)code;
  auto host = host_sockets_.find(socket);
  if (host != host_sockets_.end()) host->second.phase = HostSocket::Phase::Closed;
  connections_.erase(socket);
  // A browser still reports the close it was asked for; the engine must shrug it off.
  if (by_engine) deliver(input::SocketClosed{socket, 1000, "closed by client"}, between(1, 100));
}

void World::broadcast(const std::string& event, const std::string& data, bool faulty) {
  json frame = {{"event", event}, {"channel", kChannel}, {"data", data}};
  if (protocol_ == 2) {
    frame["message_id"] = "mid-" + std::to_string(server_serial_ + 1);
    frame["stream_id"] = stream_id_;
    frame["serial"] = ++server_serial_;
    replay_buffer_.emplace_back(server_serial_, frame.dump());
    if (replay_buffer_.size() > 100) replay_buffer_.erase(replay_buffer_.begin());
  }
  const std::string text = frame.dump();
  for (const auto& [socket, conn] : connections_) {
    if (conn.channel != std::optional<std::string>(kChannel)) continue;
    if (faulty && faults_on_ && chance(faults_.silent_drop)) continue;
    send_to_client(socket, text, between(1, 80), faulty);
    if (faulty && faults_on_ && chance(faults_.duplicate)) send_to_client(socket, text, between(1, 500), faulty);
  }
}

// ---------------------------------------------------------------------------------------------
// The simulated app server: its messages are the truth the store must end up equal to.

std::string World::message_json(const StoredMessage& m) const {
  json out = {{"messageId", m.id}, {"role", m.role}, {"content", m.content}, {"status", m.status},
              {"timestamp", m.timestamp}};
  if (!(unsequenced_ && m.role == "assistant")) out["sequenceNumber"] = m.sequence;
  if (!minimal()) out["updatedAt"] = m.updated_at;
  return out.dump();
}

void World::server_store_message(bool faulty) {
  StoredMessage m;
  m.sequence = static_cast<std::int64_t>(server_messages_.size()) + 1;
  m.id = "m-" + std::to_string(m.sequence) + "-" + std::to_string(between(0, 1 << 20));
  const bool assistant = chance(0.3);
  m.role = assistant ? "assistant" : "user";
  m.content = "message " + std::to_string(m.sequence) + " \"quoted\" \\ and unicode \u00e9";
  m.status = assistant ? "pending" : "sent";
  m.updated_at = next_write_time();
  m.timestamp = m.updated_at;
  if (minimal()) {
    // The roadmap's backend: the assistant's message is stored final and never pushed; the turn's
    // end is `interact_response`. The user's message is pushed.
    if (assistant) m.status = "success";
    server_messages_.push_back(m);
    if (assistant) {
      broadcast("interact_response",
                json{{"type", "interact_response"}, {"sessionId", kSession},
                     {"data", {{"taskId", m.id}, {"status", "done"}}}}.dump(),
                faulty);
    } else {
      broadcast("new_message",
                json{{"type", "new_message"}, {"sessionId", kSession}, {"message", json::parse(message_json(m))}}.dump(),
                faulty);
    }
    return;
  }
  server_messages_.push_back(m);
  broadcast("new_message",
            json{{"type", "new_message"}, {"sessionId", kSession}, {"message", json::parse(message_json(m))}}.dump(),
            faulty);
  if (assistant) {
    const std::size_t index = server_messages_.size() - 1;
    schedule_(now_ + between(50, 5'000), [this, index] {
      StoredMessage& stored = server_messages_[index];
      stored.status = "success";
      stored.updated_at = next_write_time();
      broadcast("message_update",
                json{{"type", "message_update"}, {"sessionId", kSession}, {"messageId", stored.id},
                     {"status", stored.status}, {"updatedAt", stored.updated_at}}
                    .dump(),
                faults_on_);
    });
  }
}

std::string World::next_write_time() {
  last_write_ms_ = std::max(last_write_ms_ + 1, now_);
  return iso(last_write_ms_);
}

void World::server_change_status(bool faulty) {
  StoredMessage& m = server_messages_[static_cast<std::size_t>(between(0, static_cast<Millis>(server_messages_.size()) - 1))];
  if (m.status == "pending") return;  // its own update is on the way
  m.status = m.status == "failure" ? "success" : "failure";
  m.updated_at = next_write_time();
  broadcast("message_update",
            json{{"type", "message_update"}, {"sessionId", kSession}, {"messageId", m.id}, {"status", m.status},
                 {"updatedAt", m.updated_at}}
                .dump(),
            faulty);
}

std::string World::page(std::int64_t after, const std::string& since, bool latest, int limit) const {
  json messages = json::array();
  bool has_more = false;
  if (latest) {
    const std::size_t n = server_messages_.size();
    const std::size_t first = n > static_cast<std::size_t>(limit) ? n - static_cast<std::size_t>(limit) : 0;
    for (std::size_t i = first; i < n; ++i) messages.push_back(json::parse(message_json(server_messages_[i])));
    has_more = first > 0;
  } else {
    for (const auto& m : server_messages_) {
      if (m.sequence <= after) continue;
      if (!since.empty() && m.updated_at <= since) continue;  // same format: text order is time order
      if (static_cast<int>(messages.size()) == limit) {
        has_more = true;
        break;
      }
      messages.push_back(json::parse(message_json(m)));
    }
  }
  // The newest write so far: anything written later has a later updatedAt.
  return json{{"messages", messages}, {"hasMore", has_more}, {"serverTime", iso(last_write_ms_)}}.dump();
}

std::string World::minimal_page(const std::string& since, int limit) const {
  limit = std::min(limit, 100);
  std::vector<const StoredMessage*> matching;
  for (const auto& m : server_messages_) {
    if (since.empty() || m.timestamp > since) matching.push_back(&m);  // same format: text order is time order
  }
  std::size_t first = 0, last = matching.size();
  if (matching.size() > static_cast<std::size_t>(limit)) {
    if (backend_ == Backend::MinimalNewestFirst) first = matching.size() - static_cast<std::size_t>(limit);
    else last = static_cast<std::size_t>(limit);
  }
  json messages = json::array();
  for (std::size_t i = first; i < last; ++i) messages.push_back(json::parse(message_json(*matching[i])));
  return json{{"messages", messages}}.dump();
}

void World::on_http(const effect::HttpRequest& request) {
  if (std::getenv("SIM_TRACE")) std::fprintf(stderr, "%lld %s\n", static_cast<long long>(now_), request.url.c_str());
  const bool has_token = std::find(request.headers.begin(), request.headers.end(),
                                   std::pair<std::string, std::string>{"Authorization", std::string("Bearer ") + kToken}) !=
                         request.headers.end();
  if (faults_on_ && chance(faults_.http_lost)) return;
  Millis latency = between(5, 400);
  if (faults_on_ && chance(0.02)) latency = between(10'000, 25'000);  // late: maybe past the timeout
  const RequestId id = request.id;
  if (faults_on_ && chance(faults_.http_error)) {
    deliver(input::HttpResult{id, chance(0.5) ? 500 : 0, ""}, latency);
    return;
  }
  if (request.url.find("/api/pusher/auth") != std::string::npos) {
    const std::string socket_id = form_value(request.body, "socket_id");
    const std::string channel = form_value(request.body, "channel_name");
    if (!has_token || channel != kChannel || (faults_on_ && chance(faults_.auth_refused))) {
      deliver(input::HttpResult{id, 403, R"({"error":"forbidden"})"}, latency);
      return;
    }
    deliver(input::HttpResult{id, 200, json{{"auth", signature(socket_id, channel)}}.dump()}, latency);
    return;
  }
  const std::string path = "/api/session/" + std::string(kSession) + "/messages?limit=";
  const auto at = request.url.find(path);
  if (at == std::string::npos || !has_token) {
    violation("unexpected request: " + request.method + " " + request.url);
    return;
  }
  const int limit = std::stoi(request.url.substr(at + path.size()));
  if (minimal()) {
    if (request.url.find("afterSequence=") != std::string::npos) {
      violation("a minimal backend was sent afterSequence: " + request.url);
    }
    const auto since_at = request.url.find("since=");
    std::string since = since_at == std::string::npos ? "" : form_value(request.url.substr(since_at), "since");
    // The server compares times, not text: normalise to its own format (both are UTC with ms).
    deliver(input::HttpResult{id, 200, minimal_page(since, limit)}, latency);
    return;
  }
  const auto after = request.url.find("afterSequence=");
  const auto since = request.url.find("since=");
  const std::string since_value = since == std::string::npos ? "" : form_value(request.url.substr(since), "since");
  // The answer reflects the server when it handles the request (now), not when it arrives.
  const std::string body =
      after == std::string::npos && since == std::string::npos
          ? page(0, "", true, limit)
          : page(after == std::string::npos ? 0 : std::stoll(request.url.substr(after + 14)), since_value, false, limit);
  deliver(input::HttpResult{id, 200, body}, latency);
}

// ---------------------------------------------------------------------------------------------
// Host restarts and the final check.

void World::restart_host() {
  ++report_.restarts;
  ++generation_;
  for (auto& [socket, conn] : connections_) (void)conn;
  connections_.clear();
  for (auto& [socket, host] : host_sockets_) host.phase = HostSocket::Phase::Closed;
  last_state_ = ConnectionState::Disconnected;
  const Config config = engine_->config();
  engine_ = std::make_unique<Engine>();
  step_engine(input::Configure{config});
  step_engine(input::SetToken{std::string(kToken)});
  if (persisted_) step_engine(input::Restore{*persisted_});
  step_engine(input::SelectSession{kSession});
  if (host_copy_ && chance(0.5)) {
    ++report_.seeded_restarts;
    if (std::getenv("SIM_TRACE")) std::fprintf(stderr, "%lld seed %s\n", static_cast<long long>(now_), host_copy_->c_str());
    step_engine(input::Seed{kSession, *host_copy_, host_copy_gaps_});
  }
}

void World::check_final() {
  if (engine_->state() != ConnectionState::Connected) {
    violation(std::string("push did not return: state ") + to_string(engine_->state()) + " (" +
              engine_->state_reason() + ")");
  }
  const MessageStore& store = engine_->messages();
  // What the engine could not load must be reported, with its size, and only where the contract
  // makes it impossible: a newest-first backend after an outage (or a restart) beyond its page.
  std::size_t reported = 0;
  for (const auto& gap : engine_->gaps()) {
    if (!gap.missing) violation("a gap without its size: after " + gap.after_id + " before " + gap.before_id);
    else reported += static_cast<std::size_t>(*gap.missing);
  }
  if (reported > 0 && backend_ != Backend::MinimalNewestFirst) {
    violation(std::to_string(reported) + " messages reported missing by a backend that can give them all");
  }
  report_.unloadable = reported;
  if (store.size() + reported != server_messages_.size()) {
    violation("store has " + std::to_string(store.size()) + " messages and " + std::to_string(reported) +
              " reported missing, the server " + std::to_string(server_messages_.size()));
  }
  // Every stored message as the server has it, in the server's order.
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < server_messages_.size(); ++i) index[server_messages_[i].id] = i;
  std::size_t previous = 0;
  bool first = true;
  store.for_each(0, store.size(), [&](const Message& m) {
    const auto it = index.find(m.id);
    if (it == index.end()) {
      violation("store has " + m.id + ", which the server does not");
      return;
    }
    const StoredMessage& s = server_messages_[it->second];
    const std::int64_t expected_sequence = unsequenced_ && s.role == "assistant" ? 0 : s.sequence;
    if (m.sequence != expected_sequence || m.content != s.content || m.status != s.status) {
      violation("store has " + m.id + "/" + std::to_string(m.sequence) + "/" + m.status + ", server " + s.id + "/" +
                std::to_string(s.sequence) + "/" + s.status);
    }
    if (!first && it->second <= previous) violation("out of order: " + m.id);
    previous = it->second;
    first = false;
  });
}

}  // namespace pushsync::sim
