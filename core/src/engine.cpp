#include "pushsync/engine.h"

#include <algorithm>
#include <cassert>
#include <nlohmann/json.hpp>

#include "pushsync/close_policy.h"
#include "pushsync/persisted_state.h"

namespace pushsync {

namespace {

// Pusher's own events; Sockudo's protocol V2 renames the prefixes, so both are read alike.
std::string_view normalized_event(std::string_view event) {
  if (event.rfind("sockudo_internal:", 0) == 0) return event.substr(17);
  if (event.rfind("pusher_internal:", 0) == 0) return event.substr(16);
  if (event.rfind("sockudo:", 0) == 0) return event.substr(8);
  if (event.rfind("pusher:", 0) == 0) return event.substr(7);
  return {};
}

bool is_protocol_event(std::string_view event) {
  return event.rfind("pusher", 0) == 0 || event.rfind("sockudo", 0) == 0;
}

std::string form_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

template <class... Ts>
struct Overloaded : Ts... { using Ts::operator()...; };
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// Background probes of push, while polling, come at the capped backoff: any attempt number past
// the cap gives it.
constexpr int kProbeAttempt = 64;

void earliest(std::optional<Millis>& best, std::optional<Millis> candidate) {
  if (candidate && (!best || *candidate < *best)) best = candidate;
}

}  // namespace

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::BadFrame: return "bad_frame";
    case ErrorCode::BadPayload: return "bad_payload";
    case ErrorCode::ServerError: return "server_error";
    case ErrorCode::HttpFailed: return "http_failed";
    case ErrorCode::BadConfig: return "bad_config";
    case ErrorCode::BadRestore: return "bad_restore";
  }
  return "unknown";
}

std::string socket_url(const Config& config) {
  return std::string(config.ws_tls ? "wss://" : "ws://") + config.ws_host + ":" + std::to_string(config.ws_port) +
         "/app/" + config.app_key + "?protocol=" + std::to_string(config.protocol) +
         "&client=pushsync&version=" + config.client_version;
}

Engine::Engine() : store_(config_.max_messages) {}

const std::string& Engine::socket_id() const {
  static const std::string kNone;
  return socket_ && socket_->phase == Socket::Phase::Established ? socket_->pusher_id : kNone;
}

Effects Engine::handle(const Input& input, Millis now) {
  out_.clear();
  changes_ = Changes{};
  changes_.evicted_before = store_.evicted();
  std::visit([&](const auto& in) { on(in, now); }, input);
  reconcile(now);
  publish_changes();
  publish_state();
  maybe_persist(now, false);
  return std::move(out_);
}

std::optional<Millis> Engine::next_deadline() const {
  std::optional<Millis> next;
  if (socket_) {
    if (socket_->phase != Socket::Phase::Established) {
      earliest(next, socket_->connect_deadline);
    } else if (socket_->ping_sent_at) {
      earliest(next, *socket_->ping_sent_at + config_.pong_timeout);
    } else {
      earliest(next, socket_->last_received + activity_interval());
    }
    earliest(next, socket_->resume_deadline);
  }
  earliest(next, subscription_.deadline());
  earliest(next, reconnect_at_);
  earliest(next, probe_at_);
  // A poll that falls due while another sync is in flight waits for it: its end reschedules polling.
  if (!sync_) earliest(next, polling_.due());
  earliest(next, sync_retry_at_);
  earliest(next, settle_check_at_);
  if (!sync_) earliest(next, resync_at_);
  if (sync_) earliest(next, sync_->deadline);
  if (refresh_) earliest(next, refresh_->deadline);
  earliest(next, typing_until_);
  earliest(next, persist_at_);
  return next;
}

// ---------------------------------------------------------------------------------------------
// Commands from the host.

void Engine::on(const input::Configure& in, Millis now) {
  (void)now;
  std::string problem;
  if (in.config.api_base.empty()) problem = "api_base is required";
  else if (in.config.protocol != 7 && in.config.protocol != 2) problem = "protocol must be 7 or 2";
  else if (in.config.ws_port <= 0 || in.config.ws_port > 65535) problem = "ws_port must be 1-65535";
  else if (in.config.page_limit < 1 || in.config.page_limit > 200) problem = "page_limit must be 1-200";
  else if (in.config.max_reconnect_attempts < 0) problem = "max_reconnect_attempts must not be negative";
  if (!problem.empty()) {
    report(ErrorCode::BadConfig, "configuration refused: " + problem);
    return;
  }
  const bool first = !configured_;
  const bool connection_changed = first || socket_url(in.config) != socket_url(config_);
  config_ = in.config;
  configured_ = true;
  if (first) random_ = SeededRandom(config_.jitter_seed);
  store_.set_capacity(config_.max_messages);
  if (connection_changed) {
    // New server or key: whatever failed before may work now.
    close_socket(1000, "configuration changed");
    fallback_.reset();
    failed_attempts_ = 0;
    auth_failures_ = 0;
    reconnect_at_.reset();
    probe_at_.reset();
  }
}

void Engine::on(const input::SelectSession& in, Millis now) {
  (void)now;
  if (stopped_) {
    stopped_ = false;
    resync_wanted_ = true;  // whatever came while stopped
  }
  if (in.session_id == session_id_) return;
  switch_session(in.session_id);
}

void Engine::switch_session(const std::string& session_id) {
  if (socket_ && socket_->phase == Socket::Phase::Established &&
      subscription_.phase() != Subscription::Phase::Unsubscribed &&
      subscription_.phase() != Subscription::Phase::Authorizing) {
    send(encode_unsubscribe(subscription_.channel()));
  }
  subscription_.reset();
  if (socket_) socket_->resume_deadline.reset();
  session_id_ = session_id;
  store_.clear();
  recovery_.reset();
  sync_.reset();
  refresh_.reset();
  sync_retry_at_.reset();
  settle_check_at_.reset();
  sync_failures_ = 0;
  backfill_wanted_ = false;
  resync_wanted_ = !session_id.empty();
  gap_check_at_.reset();
  polling_.stop();
  clear_typing();
  changes_ = Changes{};
  changes_.reset = true;
  changes_.evicted_before = store_.evicted();
  persisted_cursor_ = -1;  // a new session is always persisted
  out_.push_back(effect::SessionChanged{session_id_, ""});
}

void Engine::on(const input::Stop& in, Millis now) {
  (void)in;
  (void)now;
  stopped_ = true;
}

void Engine::on(const input::SetToken& in, Millis now) {
  (void)now;
  if (in.token == token_) return;
  token_ = in.token;
  // A new token may be what push was missing: try at once, counting from zero.
  auth_failures_ = 0;
  failed_attempts_ = 0;
  reconnect_at_.reset();
  if (fallback_ && *fallback_ == reason::kAuthFailed) {
    fallback_.reset();
    probe_at_.reset();
  }
  // A refused sync may have been a token problem: retry with the new one at once.
  if (sync_retry_at_) sync_retry_at_ = now;
}

void Engine::on(const input::Visibility& in, Millis now) {
  // Only a visible host wants the keepalive (see activity_interval); a view that opens wants
  // fresh messages now.
  visible_ = in.visible;
  if (visible_) polling_.hurry(now);
}

void Engine::on(const input::Network& in, Millis now) {
  (void)now;
  if (in.online == online_) return;
  online_ = in.online;
  if (!online_) {
    close_socket(1000, "offline");
    return;
  }
  // Back online: try push at once, as if nothing had failed.
  failed_attempts_ = 0;
  reconnect_at_.reset();
  probe_at_.reset();
  if (fallback_ && *fallback_ == reason::kServerUnreachable) fallback_.reset();
  resync_wanted_ = true;
}

void Engine::on(const input::Refresh& in, Millis now) {
  (void)in;
  if (!running() || !token_) return;
  if (refresh_) return;
  start_sync(Sync::Kind::Refresh, now);
  polling_.hurry(now);
}

// ---------------------------------------------------------------------------------------------
// The socket.

void Engine::on(const input::SocketOpened& in, Millis now) {
  (void)now;
  if (!socket_ || socket_->id != in.socket || socket_->phase != Socket::Phase::Opening) return;
  socket_->phase = Socket::Phase::Open;
}

void Engine::on(const input::SocketClosed& in, Millis now) {
  if (!socket_ || socket_->id != in.socket) return;  // a socket the engine already let go of
  socket_.reset();
  socket_lost(in.code, now);
}

void Engine::on(const input::SocketError& in, Millis now) {
  (void)now;
  if (!socket_ || socket_->id != in.socket) return;
  // Browsers follow an error with a close, which is where the engine acts.
  report(ErrorCode::ServerError, "socket error: " + in.message);
}

void Engine::on(const input::SocketText& in, Millis now) {
  if (!socket_ || socket_->id != in.socket) return;
  if (socket_->phase == Socket::Phase::Opening) socket_->phase = Socket::Phase::Open;  // a frame proves it
  ++counters_.frames_received;
  socket_->last_received = now;
  socket_->ping_sent_at.reset();  // any frame proves the connection is alive
  auto decoded = decode_frame(in.text);
  if (!decoded) {
    ++counters_.frames_rejected;
    report(ErrorCode::BadFrame, std::string(to_string(decoded.error())) + ": " + in.text.substr(0, 200));
    return;
  }
  const Frame& frame = decoded.value();
  if (frame.event == "sockudo:resume_success" || frame.event == "sockudo:resume_failed") {
    on_resume_result(frame, frame.event == "sockudo:resume_success", now);
    return;
  }
  if (!is_protocol_event(frame.event)) {
    on_channel_event(frame, now);
    return;
  }
  const std::string_view name = normalized_event(frame.event);
  if (name == "connection_established") {
    on_connection_established(frame, now);
  } else if (name == "ping") {
    send(config_.protocol == 2 ? std::string(R"({"event":"sockudo:pong","data":{}})") : encode_pong());
  } else if (name == "pong") {
    // Already counted as activity above.
  } else if (name == "subscription_succeeded") {
    on_subscription_succeeded(frame, now);
  } else if (name == "subscription_error") {
    if (frame.channel && *frame.channel == subscription_.channel()) auth_failed(now);
  } else if (name == "error") {
    on_pusher_error(frame, now);
  }
  // Other protocol events (member_added, cache_miss, ...) do not concern a private channel.
}

void Engine::on_connection_established(const Frame& frame, Millis now) {
  if (socket_->phase == Socket::Phase::Established) return;
  auto established = decode_connection_established(frame.data);
  if (!established) {
    // Without an activity timeout the heartbeat cannot work: this server is not usable as is.
    ++counters_.frames_rejected;
    report(ErrorCode::BadPayload, established.error().what);
    close_socket(4000, "bad connection_established");
    socket_lost(1006, now);
    return;
  }
  socket_->phase = Socket::Phase::Established;
  socket_->pusher_id = established.value().socket_id;
  socket_->server_activity_timeout = static_cast<Millis>(established.value().activity_timeout_s) * 1000;
  socket_->last_received = now;
}

void Engine::on_subscription_succeeded(const Frame& frame, Millis now) {
  if (!frame.channel || !subscription_.succeeded(*frame.channel)) return;
  failed_attempts_ = 0;
  auth_failures_ = 0;
  fallback_.reset();
  probe_at_.reset();
  reconnect_at_.reset();
  polling_.stop();
  const auto& position = recovery_.position();
  // A new stream id in the acknowledgement means the server lost the old stream (a restart): a
  // resume from it would only fail.
  const bool same_stream = position && position->channel == *frame.channel &&
                           (!frame.stream_id || *frame.stream_id == position->stream_id);
  if (config_.protocol == 2 && same_stream) {
    // Sockudo V2: ask for what the channel delivered while this client was away; the REST
    // catch-up is only needed for what the server cannot replay.
    send(encode_resume({*position}));
    ++counters_.resumes;
    socket_->resume_deadline = now + config_.connect_timeout;
    resync_wanted_ = false;  // the replay covers it; a failed resume asks again
  } else {
    if (frame.stream_id) {
      recovery_.set_position(ResumePosition{*frame.channel, *frame.stream_id, frame.serial.value_or(0), {}});
    }
    request_resync();
  }
}

void Engine::on_resume_result(const Frame& frame, bool success, Millis now) {
  (void)now;
  if (!socket_ || !socket_->resume_deadline) return;
  const std::string& channel = subscription_.channel();
  bool recovered = false;
  if (success) {
    // `{"recovered":[{"channel", ...}], "failed":[...]}`: the aggregate answer, always sent.
    const auto doc = nlohmann::json::parse(frame.data, nullptr, false);
    if (doc.is_object()) {
      if (const auto list = doc.find("recovered"); list != doc.end() && list->is_array()) {
        for (const auto& item : *list) {
          if (item.is_object() && item.value("channel", "") == channel) recovered = true;
        }
      }
    }
  } else if (frame.channel && *frame.channel != channel) {
    return;  // another channel's failure
  }
  socket_->resume_deadline.reset();
  if (!recovered) request_resync();
}

void Engine::on_pusher_error(const Frame& frame, Millis now) {
  const auto error = decode_pusher_error(frame.data);
  const int code = error && error.value().code ? *error.value().code : 0;
  const std::string message = error ? error.value().message : frame.data;
  // Sockudo answers a refused channel signature with a bare 4009 and keeps the socket open.
  if (code == 4009 && subscription_.phase() == Subscription::Phase::Subscribing) {
    report(ErrorCode::ServerError, "subscription refused (4009): " + message);
    auth_failed(now);
    return;
  }
  report(ErrorCode::ServerError, "pusher:error " + std::to_string(code) + ": " + message);
}

void Engine::on_channel_event(const Frame& frame, Millis now) {
  if (!frame.channel || subscription_.channel().empty() || *frame.channel != subscription_.channel()) return;
  if (frame.stream_id && frame.serial) {
    recovery_.set_position(ResumePosition{*frame.channel, *frame.stream_id, *frame.serial, frame.message_id});
  }
  auto event = decode_app_event(frame.event, frame.data);
  if (!event) {
    if (event.error().what.find("unknown event") != std::string::npos) return;  // not ours to read
    ++counters_.frames_rejected;
    report(ErrorCode::BadPayload, event.error().what);
    return;
  }
  apply(event.value(), now);
}

void Engine::apply(const AppEvent& event, Millis now) {
  std::visit(Overloaded{
                 [&](const NewMessageEvent& e) {
                   if (e.session_id == session_id_) apply_message(e.message, now);
                 },
                 [&](const MessageUpdateEvent& e) {
                   if (e.session_id != session_id_) return;
                   if (store_.update_status(e.message_id, e.status, e.updated_at, e.error) ==
                       MessageStore::Outcome::Updated) {
                     changes_.updated.push_back(e.message_id);
                     if (const Message* m = store_.find(e.message_id)) {
                       recovery_.set_unsettled(m->sequence, is_unsettled_status(m->status));
                     }
                     arm_settle_check(now);
                   }
                 },
                 [&](const SessionUpdateEvent& e) {
                   if (e.session_id == session_id_) out_.push_back(effect::SessionChanged{e.session_id, e.status});
                 },
                 [&](const TypingEvent& e) {
                   if (e.session_id != session_id_) return;
                   const Typing next{e.is_typing, e.is_typing ? e.context : ""};
                   typing_until_ = e.is_typing ? std::optional<Millis>(now + config_.typing_timeout) : std::nullopt;
                   if (next == typing_) return;
                   typing_ = next;
                   out_.push_back(effect::TypingChanged{session_id_, typing_.is_typing, typing_.context});
                 },
                 [&](const InteractResponseEvent& e) {
                   if (e.session_id != session_id_) return;
                   out_.push_back(effect::InteractResponse{e.session_id, e.data});
                   // The turn is over: read the newest page, so statuses are final even if an
                   // update was missed.
                   if (!refresh_ && token_) start_sync(Sync::Kind::Refresh, now);
                 },
                 [&](const ServerErrorEvent& e) {
                   if (e.session_id == session_id_) report(ErrorCode::ServerError, e.code + ": " + e.message);
                 },
             },
             event);
}

void Engine::apply_message(Message message, Millis now) {
  const std::int64_t sequence = message.sequence;
  std::string id = message.id;
  switch (store_.merge(std::move(message))) {
    case MessageStore::Outcome::Inserted:
      ++counters_.messages_inserted;
      polling_.saw_new_messages(now);
      changes_.inserted.push_back(id);
      break;
    case MessageStore::Outcome::Updated:
      changes_.updated.push_back(id);
      break;
    case MessageStore::Outcome::Unchanged:
      ++counters_.duplicates;
      break;
  }
  if (const Message* stored = store_.find(id)) {
    recovery_.set_unsettled(stored->sequence, is_unsettled_status(stored->status));
  }
  arm_settle_check(now);
  if (recovery_.stored(sequence)) arm_gap_check(now);
}

// ---------------------------------------------------------------------------------------------
// HTTP results.

void Engine::on(const input::HttpResult& in, Millis now) {
  if (subscription_.is_pending_auth(in.id)) {
    on_auth_result(in, now);
  } else if ((sync_ && sync_->id == in.id) || (refresh_ && refresh_->id == in.id)) {
    on_sync_result(in, now);
  }
  // Anything else answers a request the engine has given up on (a switched session, a timeout).
}

void Engine::on_auth_result(const input::HttpResult& in, Millis now) {
  if (in.status == 401 || in.status == 403) {
    report(ErrorCode::HttpFailed, "channel auth refused (" + std::to_string(in.status) + ")");
    auth_failed(now);
    return;
  }
  auto auth = in.status == 200 ? decode_channel_auth(in.body)
                               : Result<std::string, DecodeError>(DecodeError{
                                     "channel auth failed (" + std::to_string(in.status) + ")"});
  if (!auth) {
    // The auth server is down or confused: a connection failure like any other, with backoff.
    report(ErrorCode::HttpFailed, auth.error().what);
    close_socket(1000, "channel auth failed");
    socket_lost(1006, now);
    return;
  }
  if (!socket_ || socket_->phase != Socket::Phase::Established) {
    subscription_.reset();
    return;
  }
  send(encode_subscribe(subscription_.channel(), auth.value()));
  subscription_.subscribing(now + config_.connect_timeout);
}

void Engine::on_sync_result(const input::HttpResult& in, Millis now) {
  const bool is_refresh = refresh_ && refresh_->id == in.id;
  const Sync sync = is_refresh ? *refresh_ : *sync_;
  if (is_refresh) refresh_.reset(); else sync_.reset();

  auto page = in.status == 200 ? decode_message_page(in.body)
                               : Result<MessagePage, DecodeError>(DecodeError{
                                     "messages request failed (" + std::to_string(in.status) + ")"});
  if (!page) {
    if (in.status == 200) ++counters_.frames_rejected;
    report(in.status == 200 ? ErrorCode::BadPayload : ErrorCode::HttpFailed, page.error().what);
    if (!is_refresh) sync_failed(sync, now);
    return;
  }
  std::int64_t newest = sync.from;
  for (auto& message : page.value().messages) {
    newest = std::max(newest, message.sequence);
    apply_message(std::move(message), now);
  }
  if (is_refresh) return;
  sync_failures_ = 0;
  Sync done = sync;
  if (done.server_time.empty()) done.server_time = page.value().server_time;
  if (page.value().has_more && newest > sync.from) {
    // Page on at once; the first page's messages are already applied and shown.
    done.from = newest;
    sync_ = done;
    send_sync(now);
    return;
  }
  // The server has nothing after `newest`: numbers it skipped are no gap.
  recovery_.complete_through(newest);
  // Every change up to the first page's server time is now in the store, when this read covered
  // all of them: a since read, or a read of the whole session.
  if (!done.server_time.empty() && (!done.since.empty() || done.whole)) recovery_.set_since(done.server_time);
  if (done.whole && done.server_time.empty()) since_unsupported_ = true;
  if (done.resync) resync_at_ = now + config_.resync_interval;
  if (polling_.running()) polling_.poll_done(true, now);
  if (recovery_.has_gap()) arm_gap_check(now);
}

void Engine::sync_failed(const Sync& sync, Millis now) {
  // What failed is still wanted.
  if (sync.resync) resync_wanted_ = true; else backfill_wanted_ = true;
  if (polling_.running()) {
    polling_.poll_done(false, now);
    return;
  }
  // While push is up, retry the backfill with its own backoff: 1 s, 2 s, ... 30 s.
  ++sync_failures_;
  sync_retry_at_ = now + backoff_delay(config_.backoff, sync_failures_, random_);
}

// ---------------------------------------------------------------------------------------------
// Time.

void Engine::on(const input::Tick& in, Millis now) {
  (void)in;
  if (socket_) {
    if (socket_->phase != Socket::Phase::Established && now >= socket_->connect_deadline) {
      close_socket(1000, "connect timeout");
      socket_lost(1006, now);
    } else if (socket_->phase == Socket::Phase::Established) {
      if (socket_->ping_sent_at && now >= *socket_->ping_sent_at + config_.pong_timeout) {
        // No pong: the connection is dead even if the socket does not know it yet.
        close_socket(1000, "pong timeout");
        socket_lost(4200, now);
      } else if (!socket_->ping_sent_at && now >= socket_->last_received + activity_interval()) {
        send(config_.protocol == 2 ? std::string(R"({"event":"sockudo:ping","data":{}})") : encode_ping());
        socket_->ping_sent_at = now;
      }
    }
    if (socket_ && socket_->resume_deadline && now >= *socket_->resume_deadline) {
      socket_->resume_deadline.reset();
      request_resync();
    }
  }
  if (const auto deadline = subscription_.deadline(); deadline && now >= *deadline) {
    report(ErrorCode::ServerError, subscription_.phase() == Subscription::Phase::Authorizing
                                       ? "channel auth timed out"
                                       : "subscription timed out");
    close_socket(1000, "subscribe timeout");
    socket_lost(1006, now);
  }
  if (reconnect_at_ && now >= *reconnect_at_) reconnect_at_.reset();  // reconcile opens the socket
  if (probe_at_ && now >= *probe_at_) probe_at_.reset();
  if (sync_retry_at_ && now >= *sync_retry_at_) sync_retry_at_.reset();
  if (resync_at_ && now >= *resync_at_ && !sync_) {
    resync_at_.reset();
    resync_wanted_ = true;
  }
  if (gap_check_at_ && now >= *gap_check_at_) {
    gap_check_at_.reset();
    if (recovery_.has_gap()) backfill_wanted_ = true;
  }
  if (settle_check_at_ && now >= *settle_check_at_) {
    settle_check_at_.reset();
    if (recovery_.has_unsettled()) resync_wanted_ = true;
    arm_settle_check(now);
  }
  if (sync_ && now >= sync_->deadline) {
    const Sync lost = *sync_;
    sync_.reset();
    report(ErrorCode::HttpFailed, "messages request timed out");
    sync_failed(lost, now);
  }
  if (refresh_ && now >= refresh_->deadline) refresh_.reset();
  if (typing_until_ && now >= *typing_until_) clear_typing();
  if (persist_at_ && now >= *persist_at_) maybe_persist(now, true);
}

void Engine::on(const input::Restore& in, Millis now) {
  (void)now;
  auto restored = decode_persisted_state(in.value);
  if (!restored) {
    report(ErrorCode::BadRestore, restored.error().what);
    return;
  }
  // The store itself is not persisted (it can be large): selecting the session again reloads it
  // through the REST backfill, and push takes over once subscribed.
  if (session_id_.empty() && !restored.value().session_id.empty()) switch_session(restored.value().session_id);
}

// ---------------------------------------------------------------------------------------------
// Decisions: after every input, bring sockets, subscriptions, polling and syncs in line with the
// facts. Each step only starts what is missing, so calling it again changes nothing.

bool Engine::running() const { return configured_ && !stopped_ && !session_id_.empty(); }

bool Engine::push_configured() const { return !config_.ws_host.empty() && !config_.app_key.empty(); }

std::optional<std::string> Engine::fallback_reason() const {
  if (!push_configured()) return std::string(reason::kNotConfigured);
  if (!token_) return std::string(reason::kNoToken);
  return fallback_;
}

Millis Engine::activity_interval() const {
  const Millis server = socket_ ? socket_->server_activity_timeout : 0;
  return visible_ && config_.keepalive < server ? config_.keepalive : server;
}

void Engine::reconcile(Millis now) {
  if (!running() || !online_) {
    if (socket_) close_socket(1000, running() ? "offline" : "stopped");
    // Whatever failed before is history once sync starts again.
    failed_attempts_ = 0;
    fallback_.reset();
    probe_at_.reset();
    reconnect_at_.reset();
    resync_at_.reset();
    gap_check_at_.reset();
    settle_check_at_.reset();
    sync_retry_at_.reset();
    polling_.stop();
    sync_.reset();
    refresh_.reset();
    subscription_.reset();
    clear_typing();
    return;
  }
  const bool can_push = push_configured() && token_ && !(fallback_ && fallback_->rfind("Refused", 0) == 0);
  if (!can_push && socket_) close_socket(1000, "push unavailable");

  // Push: open a socket unless one is open or a retry is waiting for its time.
  if (can_push && !socket_) {
    const bool probing = fallback_.has_value();
    if (!(probing ? probe_at_ : reconnect_at_)) open_socket(now);
  }
  if (socket_ && socket_->phase == Socket::Phase::Established &&
      subscription_.phase() == Subscription::Phase::Unsubscribed) {
    authorize(now);
  }

  // Polling while push is not delivering (not without a token: every request would be refused).
  if (in_fallback() && token_) polling_.start(now); else polling_.stop();

  if (!token_) return;
  // While push is up, a routine catch-up every resync_interval; polling and resubscribing catch up
  // by themselves.
  if (!subscription_.subscribed()) resync_at_.reset();
  else if (!resync_at_) resync_at_ = now + config_.resync_interval;
  if (sync_) return;
  if (polling_.running() && polling_.due() && now >= *polling_.due()) {
    polling_.poll_sent();
    resync_wanted_ = true;  // a poll is a catch-up
    start_sync(Sync::Kind::Backfill, now);
  } else if ((backfill_wanted_ || resync_wanted_) && !sync_retry_at_ &&
             (subscription_.subscribed() || polling_.running())) {
    start_sync(Sync::Kind::Backfill, now);
  }
}

void Engine::open_socket(Millis now) {
  const bool retry = counters_.sockets_opened > 0;
  socket_ = Socket{};
  socket_->id = next_socket_++;
  socket_->connect_deadline = now + config_.connect_timeout;
  ++counters_.sockets_opened;
  if (retry) ++counters_.reconnects;
  out_.push_back(effect::OpenSocket{socket_->id, socket_url(config_)});
}

void Engine::close_socket(int code, const std::string& reason) {
  if (socket_) out_.push_back(effect::CloseSocket{socket_->id, code, reason});
  socket_.reset();
  subscription_.reset();
}

void Engine::socket_lost(int close_code, Millis now) {
  subscription_.reset();
  const CloseAction action = close_action(close_code);
  if (action == CloseAction::DoNotRetry) {
    fallback_ = "Refused (" + std::to_string(close_code) + ")";
    reconnect_at_.reset();
    probe_at_.reset();
    return;
  }
  if (fallback_) {
    // A background probe failed: polling goes on, the next probe comes at the capped interval.
    probe_at_ = now + backoff_delay(config_.backoff, kProbeAttempt, random_);
    return;
  }
  ++failed_attempts_;
  if (failed_attempts_ > config_.max_reconnect_attempts) {
    fallback_ = std::string(reason::kServerUnreachable);
    probe_at_ = now + backoff_delay(config_.backoff, kProbeAttempt, random_);
    return;
  }
  reconnect_at_ = now + (action == CloseAction::ReconnectNow ? 0
                                                             : backoff_delay(config_.backoff, failed_attempts_, random_));
}

void Engine::auth_failed(Millis now) {
  close_socket(1000, "auth failed");
  fallback_ = std::string(reason::kAuthFailed);
  ++auth_failures_;
  // Try again only with backoff (or at once on a new token): never a tight loop.
  probe_at_ = now + backoff_delay(config_.backoff, auth_failures_, random_);
  reconnect_at_.reset();
}

void Engine::authorize(Millis now) {
  const RequestId id = next_request_++;
  const std::string channel = session_channel(session_id_);
  subscription_.authorizing(channel, id, now + config_.request_timeout);
  ++counters_.auth_requests;
  auto headers = auth_headers();
  headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  out_.push_back(effect::HttpRequest{id, "POST", url("/api/pusher/auth"), std::move(headers),
                                     "socket_id=" + form_encode(socket_->pusher_id) +
                                         "&channel_name=" + form_encode(channel)});
}

void Engine::send(const std::string& text) {
  // The one place frames leave: only on an open socket, so "already CLOSING or CLOSED" cannot be.
  if (!socket_ || socket_->phase == Socket::Phase::Opening) return;
  out_.push_back(effect::SendFrame{socket_->id, text});
}

void Engine::arm_gap_check(Millis now) {
  if (!gap_check_at_) gap_check_at_ = now + config_.gap_grace;
}

void Engine::start_sync(Sync::Kind kind, Millis now) {
  Sync sync;
  sync.kind = kind;
  if (kind == Sync::Kind::Refresh) {
    sync.id = next_request_++;
    sync.deadline = now + config_.request_timeout;
    refresh_ = sync;
    ++counters_.syncs;
    out_.push_back(effect::HttpRequest{sync.id, "GET",
                                       url("/api/session/" + session_id_ + "/messages?limit=" +
                                           std::to_string(config_.page_limit)),
                                       auth_headers(), ""});
    return;
  }
  // A catch-up reads every change since the since cursor when there is one, and the whole session
  // to get one (a server that sends no serverTime never gives one: then, like a gap backfill, what
  // follows the sequence cursor, from the oldest message that may still change).
  sync.resync = resync_wanted_;
  sync.since = sync.resync ? recovery_.since() : std::string();
  sync.whole = sync.resync && sync.since.empty() && !since_unsupported_;
  sync.from = sync.since.empty() && !sync.whole ? recovery_.sync_from() : 0;
  backfill_wanted_ = false;  // a catch-up covers any gap too
  if (sync.resync) resync_wanted_ = false;
  sync_ = sync;
  send_sync(now);
}

void Engine::send_sync(Millis now) {
  sync_->id = next_request_++;
  sync_->deadline = now + config_.request_timeout;
  std::string query = "?limit=" + std::to_string(config_.page_limit);
  if (!sync_->since.empty()) {
    query += "&since=" + form_encode(sync_->since);
    if (sync_->from > 0) query += "&afterSequence=" + std::to_string(sync_->from);
  } else {
    query += "&afterSequence=" + std::to_string(sync_->from);
  }
  ++counters_.syncs;
  out_.push_back(effect::HttpRequest{sync_->id, "GET", url("/api/session/" + session_id_ + "/messages" + query),
                                     auth_headers(), ""});
}

void Engine::arm_settle_check(Millis now) {
  if (!recovery_.has_unsettled()) settle_check_at_.reset();
  else if (!settle_check_at_) settle_check_at_ = now + config_.settle_check;
}

void Engine::clear_typing() {
  typing_until_.reset();
  if (!typing_.is_typing) return;
  typing_ = Typing{};
  out_.push_back(effect::TypingChanged{session_id_, false, ""});
}

void Engine::maybe_persist(Millis now, bool force) {
  if (session_id_.empty()) return;
  const bool connected = state_ == ConnectionState::Connected;
  const bool changed = recovery_.cursor() != persisted_cursor_ || connected != persisted_connected_;
  if (!changed) {
    persist_at_.reset();
    return;
  }
  // The selection and the connection flag are saved at once; a moving cursor at most once per
  // interval (a lost cursor only means a longer backfill after a restart, never lost messages).
  const bool urgent = persisted_cursor_ < 0 || connected != persisted_connected_;
  if (!force && !urgent) {
    if (!persist_at_) persist_at_ = now + config_.persist_interval;
    return;
  }
  persist_at_.reset();
  persisted_cursor_ = recovery_.cursor();
  persisted_connected_ = connected;
  out_.push_back(effect::Persist{std::string(PersistedState::kKey),
                                 encode_persisted_state({session_id_, connected, now, recovery_.cursor()})});
}

// ---------------------------------------------------------------------------------------------
// Reporting.

void Engine::report(ErrorCode code, std::string message) {
  out_.push_back(effect::Error{code, std::move(message)});
}

void Engine::publish_state() {
  ConnectionState next;
  std::string why;
  if (!configured_) {
    next = ConnectionState::Disconnected;
    why = "Not configured";
  } else if (session_id_.empty() || stopped_) {
    next = ConnectionState::Disconnected;
    why = stopped_ ? "Stopped" : "No session";
  } else if (!online_) {
    next = ConnectionState::Offline;
    why = "Network offline";
  } else if (const auto fallback = fallback_reason()) {
    next = ConnectionState::Polling;
    why = *fallback;
  } else if (subscription_.subscribed()) {
    next = ConnectionState::Connected;
  } else if (failed_attempts_ == 0) {
    next = ConnectionState::Connecting;
  } else {
    next = ConnectionState::Reconnecting;
    why = "Attempt " + std::to_string(failed_attempts_) + " of " + std::to_string(config_.max_reconnect_attempts);
  }
  if (next == state_ && why == reason_) return;
  assert(is_legal_transition(state_, next));
  state_ = next;
  reason_ = why;
  out_.push_back(effect::StateChanged{state_, reason_});
}

void Engine::publish_changes() {
  if (!changes_.any()) return;
  effect::MessagesChanged change;
  change.session_id = session_id_;
  change.reset = changes_.reset;
  std::size_t evicted_new = 0;
  for (const auto& id : changes_.inserted) {
    if (const auto position = store_.position_of(id)) change.inserted.push_back(*position); else ++evicted_new;
  }
  for (const auto& id : changes_.updated) {
    if (std::find(changes_.inserted.begin(), changes_.inserted.end(), id) != changes_.inserted.end()) continue;
    if (const auto position = store_.position_of(id)) change.updated.push_back(*position);
  }
  std::sort(change.inserted.begin(), change.inserted.end());
  std::sort(change.updated.begin(), change.updated.end());
  change.updated.erase(std::unique(change.updated.begin(), change.updated.end()), change.updated.end());
  const auto evicted = static_cast<std::size_t>(store_.evicted() - changes_.evicted_before);
  change.removed_front = change.reset ? 0 : evicted - evicted_new;
  change.size = store_.size();
  out_.push_back(std::move(change));
}

std::string Engine::url(std::string_view path) const {
  std::string base = config_.api_base;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + std::string(path);
}

std::vector<std::pair<std::string, std::string>> Engine::auth_headers() const {
  std::vector<std::pair<std::string, std::string>> headers{{"Accept", "application/json"}};
  if (token_) headers.emplace_back("Authorization", "Bearer " + *token_);
  return headers;
}

}  // namespace pushsync
