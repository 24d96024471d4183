#include "pushsync/engine.h"

#include <algorithm>
#include <cassert>
#include <nlohmann/json.hpp>

#include "pushsync/iso_time.h"
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

template <class... Ts>
struct Overloaded : Ts... { using Ts::operator()...; };
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// A gap nobody can fill is tried again at most this rarely (gap_retry doubled four times).
constexpr int kGapRetryDoublings = 4;

}  // namespace

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::BadFrame: return "bad_frame";
    case ErrorCode::BadPayload: return "bad_payload";
    case ErrorCode::ServerError: return "server_error";
    case ErrorCode::HttpFailed: return "http_failed";
    case ErrorCode::BadConfig: return "bad_config";
    case ErrorCode::BadRestore: return "bad_restore";
    case ErrorCode::Incomplete: return "incomplete";
  }
  return "unknown";
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
  arm_derived_timers(now);
  publish_changes();
  publish_state();
  maybe_persist(now, false);
  return std::move(out_);
}

// The timers that follow from state rather than from one event: set here, after every input, so
// the table always says what the engine waits for.
void Engine::arm_derived_timers(Millis now) {
  (void)now;
  if (socket_ && socket_->phase == Socket::Phase::Established) {
    timers_.set(Timer::Heartbeat, socket_->ping_sent_at ? *socket_->ping_sent_at + config_.pong_timeout
                                                        : socket_->last_received + activity_interval());
  } else {
    timers_.clear(Timer::Heartbeat);
  }
  // A poll that falls due while another read is in flight waits for it (its end reschedules).
  timers_.set_or_clear(Timer::Poll, sync_ || poll_wanted_ ? std::nullopt : polling_.due());
  timers_.set_or_clear(Timer::Typing, typing_.deadline());
  if (!subscription_.deadline()) timers_.clear(Timer::Subscribe);
}

// ---------------------------------------------------------------------------------------------
// Commands from the host.

void Engine::on(const input::Configure& in, Millis now) {
  (void)now;
  std::string problem;
  if (in.config.api_base.empty()) problem = "api_base is required";
  else if (in.config.protocol != 7 && in.config.protocol != 2) problem = "protocol must be 7 or 2";
  else if (in.config.ws_port <= 0 || in.config.ws_port > 65535) problem = "ws_port must be 1-65535";
  else if (in.config.page_limit < 1 || in.config.page_limit > 1000) problem = "page_limit must be 1-1000";
  else if (in.config.max_page_limit < 1 || in.config.max_page_limit > 1000) problem = "max_page_limit must be 1-1000";
  else if (in.config.max_reconnect_attempts < 0) problem = "max_reconnect_attempts must not be negative";
  else if (in.config.probe_interval < 1'000) problem = "probe_interval must be at least 1000 ms";
  else if (in.config.gap_retry < 1'000) problem = "gap_retry must be at least 1000 ms";
  if (!problem.empty()) {
    report(ErrorCode::BadConfig, "configuration refused: " + problem);
    return;
  }
  const bool first = !configured_;
  const bool connection_changed = first || socket_url(in.config) != socket_url(config_);
  config_ = in.config;
  configured_ = true;
  if (first) random_ = SeededRandom(config_.jitter_seed);
  api_.configure(config_);
  typing_.configure(config_.typing, config_.typing_timeout);
  store_.set_capacity(config_.max_messages);
  if (connection_changed) {
    // New server or key: whatever failed before may work now.
    close_socket(1000, "configuration changed");
    reset_retry();
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
  if (socket_) socket_->resuming = false;
  const bool had_gaps = !recovery_.gaps().empty();
  session_id_ = session_id;
  store_.clear();
  recovery_.reset();
  sync_.reset();
  refresh_.reset();
  for (const Timer t : {Timer::Resume, Timer::SyncTimeout, Timer::SyncRetry, Timer::GapGrace, Timer::GapRetry,
                        Timer::Resync, Timer::SettleCheck, Timer::RefreshTimeout}) {
    timers_.clear(t);
  }
  sync_failures_ = 0;
  gap_retries_ = 0;
  backfill_wanted_ = false;
  reply_wanted_ = false;
  poll_wanted_ = false;
  gap_fill_wanted_ = false;
  loaded_ = false;
  resync_wanted_ = !session_id.empty();
  polling_.stop();
  publish_typing(typing_.expire());
  typing_.reset();
  changes_ = Changes{};
  changes_.reset = true;
  changes_.gaps = had_gaps;
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
  if (in.token == token_) return;
  token_ = in.token;
  // A new token may be what push was missing: try at once, counting from zero.
  auth_failures_ = 0;
  failed_attempts_ = 0;
  timers_.clear(Timer::Reconnect);
  if (std::holds_alternative<BackingOff>(retry_)) retry_ = Ready{};
  if (const auto* fallen = std::get_if<FallenBack>(&retry_); fallen && fallen->reason == StateReason::AuthFailed) {
    retry_ = Ready{};
    timers_.clear(Timer::Probe);
  }
  // A refused read may have been a token problem: retry with the new one at once.
  if (timers_.armed(Timer::SyncRetry)) timers_.set(Timer::SyncRetry, now);
}

void Engine::on(const input::Visibility& in, Millis now) {
  // Only a visible host wants the keepalive (see activity_interval); a view that opens wants
  // fresh messages now, and push now if it is down (the roadmap's visibility event).
  const bool opened = in.visible && !visible_;
  visible_ = in.visible;
  if (!in.visible) return;
  polling_.hurry(now);
  if (opened && std::holds_alternative<FallenBack>(retry_) && timers_.armed(Timer::Probe)) {
    timers_.set(Timer::Probe, now);
  }
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
  reset_retry();
  resync_wanted_ = true;
}

void Engine::on(const input::Refresh& in, Millis now) {
  (void)in;
  if (!running() || !token_ || refresh_) return;
  refresh_ = Sync{next_request_++, Newest{}, MessagesQuery{config_.page_limit, {}, {}}, {}, false, false};
  timers_.set(Timer::RefreshTimeout, now + config_.request_timeout);
  ++counters_.syncs;
  out_.push_back(api_.messages_request(refresh_->id, session_id_, refresh_->query, token_));
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
  timers_.clear(Timer::Connect);
  socket_lost(close_action(in.code), in.code, now);
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
    on_resume_result(frame, frame.event == "sockudo:resume_success");
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
  } else if (name == "subscription_succeeded") {
    on_subscription_succeeded(frame, now);
  } else if (name == "subscription_error") {
    if (frame.channel && *frame.channel == subscription_.channel()) auth_failed(now);
  } else if (name == "error") {
    on_pusher_error(frame, now);
  }
  // A pong was counted as activity above; other protocol events (member_added, cache_miss, ...)
  // do not concern a private channel.
}

void Engine::on_connection_established(const Frame& frame, Millis now) {
  if (socket_->phase == Socket::Phase::Established) return;
  auto established = decode_connection_established(frame.data);
  if (!established) {
    // Without an activity timeout the heartbeat cannot work: this server is not usable as is.
    ++counters_.frames_rejected;
    report(ErrorCode::BadPayload, established.error().what);
    close_socket(4000, "bad connection_established");
    socket_lost(CloseAction::Backoff, 1006, now);
    return;
  }
  timers_.clear(Timer::Connect);
  socket_->phase = Socket::Phase::Established;
  socket_->pusher_id = established.value().socket_id;
  socket_->server_activity_timeout = static_cast<Millis>(established.value().activity_timeout_s) * 1000;
  socket_->last_received = now;
}

void Engine::on_subscription_succeeded(const Frame& frame, Millis now) {
  if (!frame.channel || !subscription_.succeeded(*frame.channel)) return;
  timers_.clear(Timer::Subscribe);
  failed_attempts_ = 0;
  auth_failures_ = 0;
  probes_ = 0;
  retry_ = Ready{};
  timers_.clear(Timer::Probe);
  timers_.clear(Timer::Reconnect);
  polling_.stop();
  poll_wanted_ = false;
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
    socket_->resuming = true;
    timers_.set(Timer::Resume, now + config_.connect_timeout);
    resync_wanted_ = false;  // the replay covers it; a failed resume asks again
  } else {
    if (frame.stream_id) {
      recovery_.set_position(ResumePosition{*frame.channel, *frame.stream_id, frame.serial.value_or(0), {}});
    }
    resync_wanted_ = true;
  }
}

void Engine::on_resume_result(const Frame& frame, bool success) {
  if (!socket_ || !socket_->resuming) return;
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
  socket_->resuming = false;
  timers_.clear(Timer::Resume);
  if (!recovered) resync_wanted_ = true;
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
  if (!is_app_event(frame.event)) return;  // not ours to read
  auto event = decode_app_event(frame.event, frame.data);
  if (!event) {
    ++counters_.frames_rejected;
    report(ErrorCode::BadPayload, event.error().what);
    return;
  }
  apply(event.value(), now);
}

void Engine::apply(const AppEvent& event, Millis now) {
  std::visit(Overloaded{
                 [&](const NewMessageEvent& e) {
                   if (e.session_id == session_id_) apply_message(e.message, true, now);
                 },
                 [&](const MessageUpdateEvent& e) {
                   if (e.session_id != session_id_) return;
                   if (store_.update_status(e.message_id, e.status, e.updated_at, e.error) ==
                       MessageStore::Outcome::Updated) {
                     changes_.updated.push_back(e.message_id);
                     if (const Message* m = store_.find(e.message_id)) {
                       recovery_.set_unsettled(m->sequence, is_unsettled_status(m->status));
                     }
                   }
                 },
                 [&](const SessionUpdateEvent& e) {
                   if (e.session_id == session_id_) out_.push_back(effect::SessionChanged{e.session_id, e.status});
                 },
                 [&](const TypingEvent& e) {
                   if (e.session_id == session_id_) publish_typing(typing_.server_event(e.is_typing, e.context, now));
                 },
                 [&](const InteractResponseEvent& e) {
                   if (e.session_id != session_id_) return;
                   ++counters_.replies;
                   out_.push_back(effect::InteractResponse{e.session_id, e.data});
                   publish_typing(typing_.turn_done());
                   // The turn is over: read what is new (the assistant's message is not pushed by
                   // every backend), and statuses are final even if an update was missed.
                   resync_wanted_ = true;
                   reply_wanted_ = true;
                 },
                 [&](const ServerErrorEvent& e) {
                   if (e.session_id == session_id_) report(ErrorCode::ServerError, e.code + ": " + e.message);
                 },
             },
             event);
}

void Engine::apply_message(Message message, bool live, Millis now) {
  const std::int64_t sequence = message.sequence;
  const bool from_user = message.role == "user";
  std::string id = message.id;
  switch (store_.merge(std::move(message))) {
    case MessageStore::Outcome::Inserted: {
      ++counters_.messages_inserted;
      polling_.saw_new_messages(now);
      changes_.inserted.push_back(id);
      // The turn inferred: a user's message that is the newest starts it, anything newer ends it.
      const Message* newest = store_.newest();
      if (live && loaded_ && newest && newest->id == id) {
        publish_typing(from_user ? typing_.user_message(now) : typing_.turn_done());
      }
      break;
    }
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
  if (sequence > 0 && recovery_.stored(sequence)) timers_.set_if_unset(Timer::GapGrace, now + config_.gap_grace);
}

// ---------------------------------------------------------------------------------------------
// HTTP results.

void Engine::on(const input::HttpResult& in, Millis now) {
  if (subscription_.is_pending_auth(in.id)) {
    on_auth_result(in, now);
  } else if (sync_ && sync_->id == in.id) {
    const Sync sync = std::move(*sync_);
    sync_.reset();
    timers_.clear(Timer::SyncTimeout);
    on_sync_result(sync, in, now);
  } else if (refresh_ && refresh_->id == in.id) {
    const Sync sync = std::move(*refresh_);
    refresh_.reset();
    timers_.clear(Timer::RefreshTimeout);
    on_sync_result(sync, in, now);
  }
  // Anything else answers a request the engine has given up on (a switched session, a timeout).
}

void Engine::on_auth_result(const input::HttpResult& in, Millis now) {
  timers_.clear(Timer::Subscribe);
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
    socket_lost(CloseAction::Backoff, 1006, now);
    return;
  }
  if (!socket_ || socket_->phase != Socket::Phase::Established) {
    subscription_.reset();
    return;
  }
  send(encode_subscribe(subscription_.channel(), auth.value()));
  subscription_.subscribing(now + config_.connect_timeout);
  timers_.set(Timer::Subscribe, now + config_.connect_timeout);
}

void Engine::on_sync_result(const Sync& sync, const input::HttpResult& in, Millis now) {
  const bool newest = std::holds_alternative<Newest>(sync.read);
  if (in.status != 200) {
    if (api_.refused(sync.query, in.status)) {
      // The backend refuses afterSequence: ask again at once in the minimal dialect.
      report(ErrorCode::HttpFailed, "messages request refused (400): reading without afterSequence from now on");
      if (!newest) (sync.resync ? resync_wanted_ : backfill_wanted_) = true;
      return;
    }
    report(ErrorCode::HttpFailed, "messages request failed (" + std::to_string(in.status) + ")");
    if (!newest) sync_failed(sync, now);
    return;
  }
  auto decoded = decode_message_page(in.body);
  if (!decoded) {
    ++counters_.frames_rejected;
    report(ErrorCode::BadPayload, decoded.error().what);
    if (!newest) sync_failed(sync, now);
    return;
  }
  MessagePage page = std::move(decoded).value();
  counters_.rest_messages += page.messages.size();
  if (sync.for_reply) counters_.reply_messages += page.messages.size();
  if (!page.rejected.empty()) {
    counters_.messages_rejected += page.rejected.size();
    report(ErrorCode::BadPayload, std::to_string(page.rejected.size()) + " message(s) of " +
                                      std::to_string(page.rejected.size() + page.messages.size()) +
                                      " skipped, the first: " + page.rejected.front().what);
  }
  const bool was_paged = api_.paged();
  api_.learn(sync.query, page);
  if (newest) {
    for (auto& message : page.messages) apply_message(std::move(message), loaded_, now);
    return;
  }
  sync_failures_ = 0;
  if (was_paged && !api_.paged()) {
    // afterSequence was ignored: what this page says about the cursor cannot be trusted.
    for (auto& message : page.messages) apply_message(std::move(message), loaded_, now);
    report(ErrorCode::HttpFailed, "the backend ignores afterSequence: reading by time from now on");
    resync_wanted_ = true;
    return;
  }
  if (const auto* forward = std::get_if<Forward>(&sync.read)) {
    if (api_.paged()) {
      // The first answer showed a paged backend. When it holds the whole session (no hasMore), it
      // was the whole read; otherwise keep its messages and read the session the paged way.
      if (!page.has_more.value_or(false)) {
        Sync whole = sync;
        whole.read = Whole{0};
        on_paged_page(std::move(whole), std::move(page), now);
        return;
      }
      for (auto& message : page.messages) apply_message(std::move(message), loaded_, now);
      resync_wanted_ = true;
      return;
    }
    on_forward_page(sync, *forward, std::move(page), now);
    return;
  }
  on_paged_page(sync, std::move(page), now);
}

// A paged backend: `afterSequence` pages until `hasMore` is false; `serverTime` is the next since.
void Engine::on_paged_page(Sync sync, MessagePage page, Millis now) {
  const std::int64_t from = sync.query.after_sequence.value_or(0);
  std::int64_t newest = from;
  for (auto& message : page.messages) {
    newest = std::max(newest, message.sequence);
    apply_message(std::move(message), loaded_, now);
  }
  if (sync.server_time.empty()) sync.server_time = page.server_time;
  if (page.has_more.value_or(false) && newest > from) {
    // Page on at once; the first page's messages are already applied and shown.
    sync.query.after_sequence = newest;
    sync_ = std::move(sync);
    send_sync(now);
    return;
  }
  // The server has nothing after `newest`: numbers it skipped are no gap.
  recovery_.complete_through(newest);
  // Every change up to the first page's server time is now in the store, when this read covered
  // all of them: a since read, or a read of the whole session.
  const bool since_read = std::holds_alternative<ChangesSince>(sync.read);
  const bool whole = std::holds_alternative<Whole>(sync.read);
  if (!sync.server_time.empty() && (since_read || whole)) recovery_.set_since(sync.server_time);
  if (whole && sync.server_time.empty()) since_unsupported_ = true;
  sync_done(sync, now);
}

// A minimal backend: `since` = the newest time known complete, less 1 ms so the message there is
// read again. That overlap is the proof a page connects to what the store has; a full page that
// connects means more may follow (page on by `since`); one that does not means the backend gave
// the newest N (widen to its maximum, or record the rest as a gap).
void Engine::on_forward_page(const Sync& sync, const Forward& forward, MessagePage page, Millis now) {
  const int returned = static_cast<int>(page.messages.size() + page.rejected.size());
  std::optional<std::int64_t> newest_ms;
  std::int64_t newest_sequence = 0;
  const Message* oldest = nullptr;
  bool overlaps = false;
  for (const auto& message : page.messages) {
    if (!newest_ms || message.timestamp_ms > *newest_ms) newest_ms = message.timestamp_ms;
    newest_sequence = std::max(newest_sequence, message.sequence);
    if (forward.from_ms && message.timestamp_ms <= *forward.from_ms) overlaps = true;
    if (!oldest || message.timestamp_ms < oldest->timestamp_ms ||
        (message.timestamp_ms == oldest->timestamp_ms && message.sequence < oldest->sequence)) {
      oldest = &message;
    }
  }
  // Sequence numbers prove it too: the oldest message continues the contiguous run (for a gap
  // tried again, the run that ends at the gap's start).
  std::int64_t run_end = recovery_.cursor();
  if (!forward.filling.empty()) {
    const Message* start = store_.find(forward.filling);
    run_end = start && start->sequence > 0 ? start->sequence : -1;
  }
  const bool continues = oldest && oldest->sequence > 0 && run_end >= 0 && oldest->sequence <= run_end + 1;
  const bool connected = !forward.from_ms || page.messages.empty() || overlaps || continues;
  if (!connected && returned > 0 && returned < sync.query.limit) api_.learn_cap(returned);
  const bool full = returned >= sync.query.limit || (!connected && returned > 0);
  const std::optional<Message> first = oldest ? std::optional<Message>(*oldest) : std::nullopt;

  if (!connected && sync.query.limit < api_.max_limit()) {
    // Ask once more for as many as the backend gives: that may reach the cursor.
    for (auto& message : page.messages) apply_message(std::move(message), loaded_, now);
    Sync wider = sync;
    wider.query.limit = api_.max_limit();
    sync_ = std::move(wider);
    send_sync(now);
    return;
  }
  std::string newest_id;
  for (const auto& message : page.messages) {
    if (newest_ms && message.timestamp_ms == *newest_ms) newest_id = message.id;
  }
  for (auto& message : page.messages) apply_message(std::move(message), loaded_, now);
  if (!forward.filling.empty()) {
    // A gap tried again: filled when the read connected to its start and reached its end; moved
    // on when it connected but stopped short (page on at once); left as it is otherwise.
    auto& gaps = recovery_.gaps();
    const auto it = std::find_if(gaps.begin(), gaps.end(), [&](const Gap& g) { return g.after_id == forward.filling; });
    bool paging_on = false;
    if (it != gaps.end() && connected) {
      const Message* before = store_.find(it->before_id);
      changes_.gaps = true;
      gap_retries_ = 0;
      if (!full || !newest_ms || (before && *newest_ms >= before->timestamp_ms)) {
        gaps.erase(it);
      } else if (const Message* start = store_.find(newest_id)) {
        it->after_id = newest_id;
        if (it->missing && before && before->sequence > 0 && start->sequence > 0) {
          it->missing = std::max<std::int64_t>(0, before->sequence - start->sequence - 1);
        }
        Sync next = sync;
        next.read = Forward{newest_ms, newest_id};
        next.query = MessagesQuery{api_.max_limit(), {}, format_iso8601_ms(*newest_ms - 1)};
        sync_ = std::move(next);
        send_sync(now);
        paging_on = true;
      }
    } else {
      ++gap_retries_;
    }
    if (paging_on) return;
    const bool interior = std::any_of(gaps.begin(), gaps.end(), [](const Gap& g) { return !g.after_id.empty(); });
    if (interior) timers_.set(Timer::GapRetry, now + (config_.gap_retry << std::min(gap_retries_, kGapRetryDoublings)));
    sync_done(sync, now);
    return;
  }
  if (!connected && first) {
    record_gap(*first, now);
  } else if (!forward.from_ms && first && full && store_.size() > 0 && store_.at(0).id == first->id) {
    // The first read of a session gave a full page: when sequence numbers show older messages
    // (the backend gave the newest N), that is history not loaded, not a loss: data, no error.
    if (const auto missing = missing_between(std::nullopt, 0); missing && *missing > 0) {
      recovery_.gaps().insert(recovery_.gaps().begin(), Gap{"", first->id, missing});
      changes_.gaps = true;
    }
  }
  const bool advanced = newest_ms && (!forward.from_ms || *newest_ms > *forward.from_ms);
  if (newest_ms) recovery_.known_through(*newest_ms);
  if (connected && full && advanced) {
    // More may follow: page on from the newest message of this page.
    Sync next = sync;
    next.read = Forward{newest_ms, {}};
    next.query = MessagesQuery{config_.page_limit, {}, format_iso8601_ms(*newest_ms - 1)};
    sync_ = std::move(next);
    send_sync(now);
    return;
  }
  // Complete as far as the backend can tell: the numbers it skipped are no gap.
  recovery_.complete_through(newest_sequence);
  sync_done(sync, now);
}

// A full page that does not reach the cursor, even at the backend's largest page: the messages in
// between cannot be had now. Where they are and how many is kept, shown and tried again later.
void Engine::record_gap(const Message& before, Millis now) {
  const auto at = store_.position_of(before.id);
  if (!at || *at == 0) return;
  const Message& after = store_.at(*at - 1);
  const std::optional<std::int64_t> missing = missing_between(*at - 1, *at);
  if (missing && *missing == 0) return;
  auto& gaps = recovery_.gaps();
  gaps.push_back(Gap{after.id, before.id, missing});
  changes_.gaps = true;
  ++counters_.gaps_found;
  report(ErrorCode::Incomplete,
         (missing ? std::to_string(*missing) : std::string("some")) +
             " messages could not be loaded: the backend gives at most " + std::to_string(api_.max_limit()) +
             " of the newest; tried again later");
  gap_retries_ = 0;
  timers_.set(Timer::GapRetry, now + config_.gap_retry);
}

// How many messages lie between store positions `after` (nullopt: the session's start) and
// `before`, by the sequence numbers of the nearest numbered messages on each side, less the
// messages stored between those. nullopt when no numbered message is on a side.
std::optional<std::int64_t> Engine::missing_between(std::optional<std::size_t> after, std::size_t before) const {
  std::int64_t low = 0;  // the session's start: numbering begins at 1
  std::size_t low_at = 0;
  bool from_start = !after;
  if (after) {
    std::size_t i = *after + 1;
    while (i > 0 && store_.at(i - 1).sequence <= 0) --i;
    if (i == 0) return std::nullopt;
    low = store_.at(i - 1).sequence;
    low_at = i - 1;
  }
  std::size_t high_at = before;
  while (high_at < store_.size() && store_.at(high_at).sequence <= 0) ++high_at;
  if (high_at >= store_.size()) return std::nullopt;
  const std::int64_t high = store_.at(high_at).sequence;
  const auto stored_between = static_cast<std::int64_t>(high_at - (from_start ? 0 : low_at + 1));
  const std::int64_t missing = high - low - 1 - stored_between;
  return missing < 0 ? 0 : missing;
}

void Engine::sync_done(const Sync& sync, Millis now) {
  loaded_ = true;
  if (sync.resync) timers_.set(Timer::Resync, now + config_.resync_interval);
  if (polling_.running()) {
    polling_.poll_done(true, now);
    // The app server answers: push may be back too. Try it soon, spread over a fleet.
    const Millis soon = now + config_.probe_interval / 4 +
                        static_cast<Millis>(random_.below(static_cast<std::uint64_t>(config_.probe_interval / 4) + 1));
    if (const auto probe = timers_.get(Timer::Probe); probe && *probe > soon &&
        std::holds_alternative<FallenBack>(retry_) &&
        std::get<FallenBack>(retry_).reason == StateReason::ServerUnreachable) {
      timers_.set(Timer::Probe, soon);
    }
  }
  if (recovery_.has_gap()) timers_.set_if_unset(Timer::GapGrace, now + config_.gap_grace);
}

void Engine::sync_failed(const Sync& sync, Millis now) {
  // What failed is still wanted.
  if (sync.resync) resync_wanted_ = true; else backfill_wanted_ = true;
  if (sync.for_reply) reply_wanted_ = true;
  if (const auto* forward = std::get_if<Forward>(&sync.read); forward && !forward->filling.empty()) {
    gap_fill_wanted_ = false;
    timers_.set(Timer::GapRetry, now + (config_.gap_retry << std::min(++gap_retries_, kGapRetryDoublings)));
    resync_wanted_ = sync.resync || resync_wanted_;
  }
  if (polling_.running()) {
    polling_.poll_done(false, now);
    return;
  }
  // While push is up, retry with its own backoff: 1 s, 2 s, ... 30 s.
  ++sync_failures_;
  timers_.set(Timer::SyncRetry, now + backoff_delay(config_.backoff, sync_failures_, random_));
}

// ---------------------------------------------------------------------------------------------
// Time: each timer that is due fires once, and is acted on by name.

void Engine::on(const input::Tick& in, Millis now) {
  (void)in;
  if (timers_.fire(Timer::Connect, now) && socket_ && socket_->phase != Socket::Phase::Established) {
    close_socket(1000, "connect timeout");
    socket_lost(CloseAction::Backoff, 1006, now);
  }
  if (timers_.fire(Timer::Heartbeat, now) && socket_ && socket_->phase == Socket::Phase::Established) {
    if (socket_->ping_sent_at) {
      // No pong: the connection is dead even if the socket does not know it yet. Pusher's rule:
      // reconnect at once.
      close_socket(1000, "pong timeout");
      socket_lost(CloseAction::ReconnectNow, 1006, now);
    } else {
      send(config_.protocol == 2 ? std::string(R"({"event":"sockudo:ping","data":{}})") : encode_ping());
      socket_->ping_sent_at = now;
    }
  }
  if (timers_.fire(Timer::Resume, now) && socket_ && socket_->resuming) {
    socket_->resuming = false;
    resync_wanted_ = true;
  }
  if (timers_.fire(Timer::Subscribe, now) && subscription_.deadline()) {
    report(ErrorCode::ServerError, subscription_.phase() == Subscription::Phase::Authorizing
                                       ? "channel auth timed out"
                                       : "subscription timed out");
    close_socket(1000, "subscribe timeout");
    socket_lost(CloseAction::Backoff, 1006, now);
  }
  timers_.fire(Timer::Reconnect, now);  // reconcile opens the socket once no retry waits
  timers_.fire(Timer::Probe, now);
  timers_.fire(Timer::SyncRetry, now);
  if (timers_.fire(Timer::Poll, now)) poll_wanted_ = true;
  if (timers_.fire(Timer::Resync, now)) resync_wanted_ = true;
  if (timers_.fire(Timer::GapGrace, now) && recovery_.has_gap()) backfill_wanted_ = true;
  if (timers_.fire(Timer::GapRetry, now)) gap_fill_wanted_ = true;
  if (timers_.fire(Timer::SettleCheck, now) && recovery_.has_unsettled()) resync_wanted_ = true;
  if (timers_.fire(Timer::SyncTimeout, now) && sync_) {
    const Sync lost = std::move(*sync_);
    sync_.reset();
    report(ErrorCode::HttpFailed, "messages request timed out");
    sync_failed(lost, now);
  }
  if (timers_.fire(Timer::RefreshTimeout, now)) refresh_.reset();
  if (timers_.fire(Timer::Typing, now)) publish_typing(typing_.expire());
  if (timers_.fire(Timer::Persist, now)) maybe_persist(now, true);
}

void Engine::on(const input::Restore& in, Millis now) {
  (void)now;
  auto restored = decode_persisted_state(in.value);
  if (!restored) {
    report(ErrorCode::BadRestore, restored.error().what);
    return;
  }
  // The store itself is not persisted (it can be large): selecting the session again reloads it
  // through REST, and push takes over once subscribed.
  if (session_id_.empty() && !restored.value().session_id.empty()) switch_session(restored.value().session_id);
}

// ---------------------------------------------------------------------------------------------
// Decisions: after every input, bring sockets, subscriptions, polling and reads in line with the
// facts. Each step only starts what is missing, so calling it again changes nothing.

bool Engine::running() const { return configured_ && !stopped_ && !session_id_.empty(); }

bool Engine::push_configured() const { return !config_.ws_host.empty() && !config_.app_key.empty(); }

std::optional<StateReason> Engine::fallback_reason() const {
  if (!push_configured()) return StateReason::NotConfigured;
  if (!token_) return StateReason::NoToken;
  if (const auto* fallen = std::get_if<FallenBack>(&retry_)) return fallen->reason;
  if (std::holds_alternative<Refused>(retry_)) return StateReason::Refused;
  return std::nullopt;
}

/// Ping after this much silence: the server's activity timeout, or the keepalive when smaller
/// and a view is open (then the host wants to stay alive, see Config::keepalive).
Millis Engine::activity_interval() const {
  const Millis server = socket_ ? socket_->server_activity_timeout : 0;
  return visible_ && config_.keepalive < server ? config_.keepalive : server;
}

void Engine::reset_retry() {
  failed_attempts_ = 0;
  auth_failures_ = 0;
  probes_ = 0;
  retry_ = Ready{};
  timers_.clear(Timer::Reconnect);
  timers_.clear(Timer::Probe);
}

void Engine::reconcile(Millis now) {
  if (!running() || !online_) {
    if (socket_) close_socket(1000, running() ? "offline" : "stopped");
    // Whatever failed before is history once sync starts again.
    reset_retry();
    for (const Timer t : {Timer::Resync, Timer::GapGrace, Timer::GapRetry, Timer::SettleCheck, Timer::SyncRetry,
                          Timer::SyncTimeout, Timer::RefreshTimeout}) {
      timers_.clear(t);
    }
    polling_.stop();
    poll_wanted_ = false;
    sync_.reset();
    refresh_.reset();
    subscription_.reset();
    publish_typing(typing_.expire());
    return;
  }
  const bool can_push = push_configured() && token_ && !std::holds_alternative<Refused>(retry_);
  if (!can_push && socket_) close_socket(1000, "push unavailable");

  // Push: open a socket unless one is open or a retry is waiting for its time.
  if (can_push && !socket_ && !timers_.armed(Timer::Reconnect) && !timers_.armed(Timer::Probe)) open_socket(now);
  if (socket_ && socket_->phase == Socket::Phase::Established &&
      subscription_.phase() == Subscription::Phase::Unsubscribed) {
    authorize(now);
  }

  // Polling while push is not delivering (not without a token: every request would be refused).
  if (fallback_reason() && token_) {
    polling_.start(now);
  } else {
    polling_.stop();
    poll_wanted_ = false;
  }
  if (!token_) return;
  // While push is up, a routine catch-up every resync_interval; polling and resubscribing catch up
  // by themselves.
  if (!subscription_.subscribed()) timers_.clear(Timer::Resync);
  else timers_.set_if_unset(Timer::Resync, now + config_.resync_interval);
  if (recovery_.has_unsettled()) timers_.set_if_unset(Timer::SettleCheck, now + config_.settle_check);
  else timers_.clear(Timer::SettleCheck);
  plan_sync(now);
}

// The next REST read, when none is in flight and one is wanted.
void Engine::plan_sync(Millis now) {
  if (sync_ || timers_.armed(Timer::SyncRetry)) return;
  const bool delivering = subscription_.subscribed() || polling_.running();
  if (!delivering) return;
  if (polling_.running() && (poll_wanted_ || (polling_.due() && now >= *polling_.due()))) {
    poll_wanted_ = false;
    polling_.poll_sent();
    resync_wanted_ = true;  // a poll is a catch-up
  }
  const bool resync = resync_wanted_;
  if (api_.paged()) {
    // A catch-up reads every change since the since cursor when there is one, and the whole
    // session to get one (a server that sends no serverTime never gives one: then, like a gap
    // backfill, what follows the sequence cursor, from the oldest message that may still change).
    if (resync && !recovery_.since().empty()) start_sync(ChangesSince{recovery_.since(), 0}, true, now);
    else if (resync && !since_unsupported_) start_sync(Whole{0}, true, now);
    else if (resync || backfill_wanted_) start_sync(Backfill{recovery_.sync_from()}, resync, now);
    return;
  }
  if (resync || backfill_wanted_) {
    start_sync(Forward{recovery_.known_through(), {}}, resync, now);
    return;
  }
  if (gap_fill_wanted_) {
    gap_fill_wanted_ = false;
    const auto& gaps = recovery_.gaps();
    const auto it = std::find_if(gaps.begin(), gaps.end(), [](const Gap& g) { return !g.after_id.empty(); });
    if (it == gaps.end()) return;
    const Message* after = store_.find(it->after_id);
    if (!after) return;
    start_sync(Forward{after->timestamp_ms, it->after_id}, false, now);
  }
}

void Engine::start_sync(Read read, bool resync, Millis now) {
  Sync sync;
  sync.resync = resync;
  sync.for_reply = resync && reply_wanted_;
  sync.query.limit = config_.page_limit;
  std::visit(Overloaded{
                 [&](const Backfill& r) { sync.query.after_sequence = r.after; },
                 [&](const ChangesSince& r) {
                   sync.query.since = r.since;
                   if (r.after > 0) sync.query.after_sequence = r.after;
                 },
                 [&](const Whole& r) { sync.query.after_sequence = r.after; },
                 [&](const Forward& r) {
                   if (r.from_ms) sync.query.since = format_iso8601_ms(*r.from_ms - 1);
                   if (!r.filling.empty()) sync.query.limit = api_.max_limit();
                 },
                 [&](const Newest&) {},
             },
             read);
  sync.read = std::move(read);
  backfill_wanted_ = false;  // a catch-up covers any gap too
  if (resync) {
    resync_wanted_ = false;
    reply_wanted_ = false;
  }
  sync_ = std::move(sync);
  send_sync(now);
}

void Engine::send_sync(Millis now) {
  sync_->id = next_request_++;
  timers_.set(Timer::SyncTimeout, now + config_.request_timeout);
  ++counters_.syncs;
  out_.push_back(api_.messages_request(sync_->id, session_id_, sync_->query, token_));
}

void Engine::open_socket(Millis now) {
  const bool retry = counters_.sockets_opened > 0;
  socket_ = Socket{};
  socket_->id = next_socket_++;
  timers_.set(Timer::Connect, now + config_.connect_timeout);
  ++counters_.sockets_opened;
  if (retry) ++counters_.reconnects;
  out_.push_back(effect::OpenSocket{socket_->id, socket_url(config_)});
}

void Engine::close_socket(int code, const std::string& reason) {
  if (socket_) out_.push_back(effect::CloseSocket{socket_->id, code, reason});
  socket_.reset();
  subscription_.reset();
  timers_.clear(Timer::Connect);
  timers_.clear(Timer::Subscribe);
  timers_.clear(Timer::Resume);
}

void Engine::socket_lost(CloseAction action, int close_code, Millis now) {
  subscription_.reset();
  timers_.clear(Timer::Subscribe);
  timers_.clear(Timer::Resume);
  if (action == CloseAction::DoNotRetry) {
    retry_ = Refused{close_code};
    timers_.clear(Timer::Reconnect);
    timers_.clear(Timer::Probe);
    return;
  }
  if (std::holds_alternative<FallenBack>(retry_)) {
    // A background probe failed: polling goes on, the next probe comes within probe_interval.
    ++probes_;
    const Millis interval = config_.probe_interval;
    timers_.set(Timer::Probe, now + interval / 2 + static_cast<Millis>(random_.below(static_cast<std::uint64_t>(interval / 2) + 1)));
    return;
  }
  ++failed_attempts_;
  if (failed_attempts_ > config_.max_reconnect_attempts) {
    fall_back(StateReason::ServerUnreachable, now);
    return;
  }
  retry_ = BackingOff{};
  timers_.set(Timer::Reconnect,
              now + (action == CloseAction::ReconnectNow ? 0 : backoff_delay(config_.backoff, failed_attempts_, random_)));
}

void Engine::fall_back(StateReason reason, Millis now) {
  retry_ = FallenBack{reason};
  timers_.clear(Timer::Reconnect);
  const Millis interval = config_.probe_interval;
  timers_.set(Timer::Probe, now + interval / 2 + static_cast<Millis>(random_.below(static_cast<std::uint64_t>(interval / 2) + 1)));
}

void Engine::auth_failed(Millis now) {
  close_socket(1000, "auth failed");
  retry_ = FallenBack{StateReason::AuthFailed};
  ++auth_failures_;
  // Try again only with backoff (or at once on a new token): never a tight loop.
  timers_.clear(Timer::Reconnect);
  timers_.set(Timer::Probe, now + backoff_delay(config_.backoff, auth_failures_, random_));
}

void Engine::authorize(Millis now) {
  const RequestId id = next_request_++;
  const std::string channel = session_channel(session_id_);
  subscription_.authorizing(channel, id, now + config_.request_timeout);
  timers_.set(Timer::Subscribe, now + config_.request_timeout);
  ++counters_.auth_requests;
  out_.push_back(api_.auth_request(id, socket_->pusher_id, channel, token_));
}

void Engine::send(const std::string& text) {
  // The one place frames leave: only on an open socket, so "already CLOSING or CLOSED" cannot be.
  if (!socket_ || socket_->phase == Socket::Phase::Opening) return;
  out_.push_back(effect::SendFrame{socket_->id, text});
}

void Engine::maybe_persist(Millis now, bool force) {
  if (session_id_.empty()) return;
  const bool connected = state_ == ConnectionState::Connected;
  const bool changed = recovery_.cursor() != persisted_cursor_ || connected != persisted_connected_;
  if (!changed) {
    timers_.clear(Timer::Persist);
    return;
  }
  // The selection and the connection flag are saved at once; a moving cursor at most once per
  // interval (a lost cursor only means a longer backfill after a restart, never lost messages).
  const bool urgent = persisted_cursor_ < 0 || connected != persisted_connected_;
  if (!force && !urgent) {
    timers_.set_if_unset(Timer::Persist, now + config_.persist_interval);
    return;
  }
  timers_.clear(Timer::Persist);
  persisted_cursor_ = recovery_.cursor();
  persisted_connected_ = connected;
  out_.push_back(effect::Persist{std::string(PersistedState::kKey),
                                 encode_persisted_state({session_id_, connected, now, recovery_.cursor()})});
}

// ---------------------------------------------------------------------------------------------
// Reporting: text for people is made here, from codes, and only here.

void Engine::report(ErrorCode code, std::string message) {
  out_.push_back(effect::Error{code, std::move(message)});
}

void Engine::publish_typing(bool changed) {
  if (!changed) return;
  const Typing& now = typing_.current();
  out_.push_back(effect::TypingChanged{session_id_, now.is_typing, now.context});
}

void Engine::publish_state() {
  ConnectionState next;
  StateReason why = StateReason::None;
  if (!configured_) {
    next = ConnectionState::Disconnected;
    why = StateReason::NotStarted;
  } else if (session_id_.empty() || stopped_) {
    next = ConnectionState::Disconnected;
    why = stopped_ ? StateReason::Stopped : StateReason::NoSession;
  } else if (!online_) {
    next = ConnectionState::Offline;
    why = StateReason::NetworkOffline;
  } else if (const auto fallback = fallback_reason()) {
    next = ConnectionState::Polling;
    why = *fallback;
  } else if (subscription_.subscribed()) {
    next = ConnectionState::Connected;
  } else if (failed_attempts_ == 0) {
    next = ConnectionState::Connecting;
  } else {
    next = ConnectionState::Reconnecting;
    why = StateReason::Retrying;
  }
  const int detail = why == StateReason::Refused ? std::get<Refused>(retry_).code : failed_attempts_;
  std::string text = describe(why, detail, config_.max_reconnect_attempts);
  if (next == state_ && why == reason_code_ && text == reason_) return;
  assert(is_legal_transition(state_, next));
  state_ = next;
  reason_code_ = why;
  reason_ = std::move(text);
  out_.push_back(effect::StateChanged{state_, reason_code_, reason_});
}

void Engine::publish_changes() {
  // Gaps name messages by id: they follow the messages they refer to.
  if (!changes_.any()) {
    if (changes_.gaps) out_.push_back(effect::GapsChanged{session_id_, recovery_.gaps()});
    return;
  }
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
  if (changes_.gaps) out_.push_back(effect::GapsChanged{session_id_, recovery_.gaps()});
}

}  // namespace pushsync
