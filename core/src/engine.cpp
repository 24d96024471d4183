#include "pushsync/engine.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <nlohmann/json.hpp>

#include "decoders.h"
#include "json_limits.h"

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

// Failed reconnects after which REST polling starts while push is still retried (the third retry
// waits 4 s).
constexpr int kPollAfterFailures = 3;

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
  return link_.established() ? link_.socket()->pusher_id : kNone;
}

Effects Engine::handle_some(std::span<const Input> inputs, Millis now, std::size_t& taken) {
  out_.clear();
  const Typing typing_before = typing_.current();
  changes_.clear(store_.evicted());
  taken = 0;
  while (taken < inputs.size()) {
    std::visit([&](const auto& in) { on(in, now); }, inputs[taken++]);
    reconcile(now);
    arm_derived_timers();
    // Only the store (or the typing) changed: the next input may add to the same diff. Anything
    // else ends the call, so each effect comes where one call per input would have put it. Typing
    // is a state the host shows, not a log: its last value in the call is what one call per input
    // would have left shown (a user's message starts the assistant's turn, the reply ends it, so
    // a burst of a conversation would otherwise end a run at every message).
    if (taken == inputs.size() || !out_.empty() || changes_.gaps || persist_urgent() || shown_state() != shown_) break;
  }
  // The one diff goes where the first input's would have gone: after that input's own effects
  // (when it is the only one), or before the last input's (the others had none), so that the
  // messages a burst brought come before what its last frame set off.
  Effects last_input_effects;
  if (taken > 1) last_input_effects.swap(out_);
  publish_changes();
  for (auto& effect : last_input_effects) out_.push_back(std::move(effect));
  publish_typing(typing_before);
  publish_state();
  maybe_persist(now, false);
  return std::move(out_);
}

// The timers that follow from state rather than from one event: set here, after every input, so
// the table always says what the engine waits for.
void Engine::arm_derived_timers() {
  link_.arm_heartbeat(visible_, io());
  // A poll that falls due while another read is in flight waits for it (its end reschedules).
  timers_.set_or_clear(Timer::Poll, sync_ || poll_wanted_ ? std::nullopt : polling_.due());
  timers_.set_or_clear(Timer::Typing, typing_.deadline());
  if (!subscription_.deadline()) timers_.clear(Timer::Subscribe);
}

// ---------------------------------------------------------------------------------------------
// Commands from the host.

void Engine::on(const input::Configure& in, Millis now) {
  (void)now;
  const std::string problem = config_problem(in.config);
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
  link_.configure(config_);
  typing_.configure(config_.typing, config_.typing_timeout);
  store_.set_capacity(config_.max_messages);
  if (connection_changed) {
    // New server or key: whatever failed before may work now.
    close_socket(1000, "configuration changed");
    link_.reset(io());
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
  if (link_.established() && subscription_.phase() != Subscription::Phase::Unsubscribed &&
      subscription_.phase() != Subscription::Phase::Authorizing) {
    link_.send(encode_unsubscribe(subscription_.channel()), io());
  }
  subscription_.reset();
  if (link_.socket()) link_.socket()->resuming = false;
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
  seeded_ = false;
  resync_wanted_ = !session_id.empty();
  polling_.stop();
  typing_.expire();
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
  link_.token_changed(io());
  // A refused read may have been a token problem: retry with the new one at once.
  if (timers_.armed(Timer::SyncRetry)) timers_.set(Timer::SyncRetry, now);
}

void Engine::on(const input::Visibility& in, Millis now) {
  // Only a visible host wants the keepalive (PushLink::arm_heartbeat); a view that opens wants
  // fresh messages now, and push now if it is down (the roadmap's visibility event).
  const bool opened = in.visible && !visible_;
  visible_ = in.visible;
  if (!in.visible) return;
  polling_.hurry(now);
  if (opened) link_.view_opened(now, io());
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
  link_.reset(io());
  resync_wanted_ = true;
}

void Engine::on(const input::Refresh& in, Millis now) {
  (void)in;
  if (!running() || !token_ || refresh_) return;
  refresh_ = Sync{next_request_++, read::Newest{}, query_for(read::Newest{}, config_.page_limit, api_.max_limit()), {},
                  false, false};
  timers_.set(Timer::RefreshTimeout, now + config_.request_timeout);
  ++counters_.syncs;
  out_.push_back(api_.messages_request(refresh_->id, session_id_, refresh_->query, token_));
  polling_.hurry(now);
}

// ---------------------------------------------------------------------------------------------
// The socket.

void Engine::on(const input::SocketOpened& in, Millis now) {
  (void)now;
  link_.opened(in.socket);
}

void Engine::on(const input::SocketClosed& in, Millis now) {
  if (!link_.owns(in.socket)) return;  // a socket the engine already let go of
  lose_socket(close_action(in.code), in.code, now);
}

void Engine::on(const input::SocketError& in, Millis now) {
  (void)now;
  if (!link_.owns(in.socket)) return;
  // Browsers follow an error with a close, which is where the engine acts.
  report(ErrorCode::ServerError, "socket error: " + in.message);
}

void Engine::on(const input::SocketText& in, Millis now) {
  if (!link_.owns(in.socket)) return;
  link_.frame_received(now);
  ++counters_.frames_received;
  if (in.text.size() > config_.max_frame_bytes) {
    ++counters_.frames_rejected;
    report(ErrorCode::BadFrame, "a frame of " + std::to_string(in.text.size()) + " bytes is over the limit of " +
                                    std::to_string(config_.max_frame_bytes));
    return;
  }
  if (const auto error = decode_frame_into(in.text, frame_, &hot_event_)) {
    ++counters_.frames_rejected;
    report(ErrorCode::BadFrame, std::string(to_string(*error)) + ": " + in.text.substr(0, 200));
    return;
  }
  const Frame& frame = frame_;
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
    link_.send(config_.protocol == 2 ? std::string(R"({"event":"sockudo:pong","data":{}})") : encode_pong(), io());
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
  if (link_.established()) return;
  auto established = decode_connection_established(frame.data);
  if (!established) {
    // Without an activity timeout the heartbeat cannot work: this server is not usable as is.
    ++counters_.frames_rejected;
    report(ErrorCode::BadPayload, established.error().what);
    close_socket(4000, "bad connection_established");
    lose_socket(CloseAction::Backoff, 1006, now);
    return;
  }
  link_.established(established.value().socket_id,
                    static_cast<Millis>(established.value().activity_timeout_s) * 1000, now, io());
}

void Engine::on_subscription_succeeded(const Frame& frame, Millis now) {
  if (!frame.channel || !subscription_.succeeded(*frame.channel)) return;
  timers_.clear(Timer::Subscribe);
  link_.subscribed(io());
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
    link_.send(encode_resume({*position}), io());
    ++counters_.resumes;
    link_.socket()->resuming = true;
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
  if (!link_.socket() || !link_.socket()->resuming) return;
  const std::string& channel = subscription_.channel();
  bool recovered = false;
  if (success) {
    // `{"recovered":[{"channel", ...}], "failed":[...]}`: the aggregate answer, always sent.
    const auto doc = parse_bounded(frame.data);
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
  link_.socket()->resuming = false;
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
  if (hot_event_) {
    apply(AppEvent{std::move(*hot_event_)}, now);  // read by the frame decoder on the way
    hot_event_.reset();
    return;
  }
  auto event = decode_frame_event(frame.event, frame.data);
  if (!event) {
    ++counters_.frames_rejected;
    report(ErrorCode::BadPayload, event.error().what);
    return;
  }
  apply(std::move(event).value(), now);
}

void Engine::apply(AppEvent&& event, Millis now) {
  std::visit(Overloaded{
                 [&](NewMessageEvent& e) {
                   if (e.session_id == session_id_) apply_message(std::move(e.message), true, now);
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
                   if (e.session_id == session_id_) typing_.server_event(e.is_typing, e.context, now);
                 },
                 [&](const InteractResponseEvent& e) {
                   if (e.session_id != session_id_) return;
                   ++counters_.replies;
                   out_.push_back(effect::InteractResponse{e.session_id, e.data});
                   typing_.turn_done();
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

bool Engine::admissible(const Message& message) {
  const std::size_t size = message.content.size() + (message.action_payload ? message.action_payload->size() : 0);
  if (size <= config_.max_message_bytes) return true;
  report(ErrorCode::BadPayload, "message " + message.id.substr(0, 100) + " of " + std::to_string(size) +
                                    " bytes is over the limit of " + std::to_string(config_.max_message_bytes));
  return false;
}

void Engine::apply_message(Message&& message, bool live, Millis now) {
  if (!admissible(message)) {
    ++counters_.messages_rejected;
    return;
  }
  const std::int64_t sequence = message.sequence;
  const bool from_user = message.role == "user";
  std::string id = message.id;
  // A new sequence number or time may move the message (the store keeps them ordered).
  const Message* before = store_.find(id);
  const auto was_at = before && (before->sequence != message.sequence || before->timestamp_ms != message.timestamp_ms)
                          ? store_.position_of(id)
                          : std::nullopt;
  switch (store_.merge(std::move(message))) {
    case MessageStore::Outcome::Inserted: {
      ++counters_.messages_inserted;
      polling_.saw_new_messages(now);
      changes_.inserted.push_back(id);
      // The turn inferred: a user's message that is the newest starts it, anything newer ends it.
      const Message* newest = store_.newest();
      if (live && loaded_ && newest && newest->id == id) {
        if (from_user) typing_.user_message(now); else typing_.turn_done();
      }
      break;
    }
    case MessageStore::Outcome::Updated:
      changes_.updated.push_back(id);
      changes_.moved = changes_.moved || (was_at && store_.position_of(id) != was_at);
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

std::string Engine::told_to_wait(const input::HttpResult& in) {
  if (!in.retry_after) return "";
  return "; asked to wait " + std::to_string((std::min(*in.retry_after, kMaxRetryAfter) + 999) / 1000) + " s";
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
    // The auth server is down, confused or busy (429: too many requests): a connection failure
    // like any other, with backoff, and never sooner than it said (never an auth failure: the
    // token is not at fault).
    report(ErrorCode::HttpFailed, auth.error().what + told_to_wait(in));
    close_socket(1000, "channel auth failed");
    lose_socket(CloseAction::Backoff, 1006, now);
    if (in.retry_after) link_.hold_until(now + std::min(*in.retry_after, kMaxRetryAfter), io());
    return;
  }
  if (!link_.established()) {
    subscription_.reset();
    return;
  }
  link_.send(encode_subscribe(subscription_.channel(), auth.value()), io());
  subscription_.subscribing(now + config_.connect_timeout);
  timers_.set(Timer::Subscribe, now + config_.connect_timeout);
}

// ---------------------------------------------------------------------------------------------
// Time: each timer that is due fires once, and is acted on by name.

void Engine::on(const input::Tick& in, Millis now) {
  (void)in;
  if (timers_.fire(Timer::Connect, now) && link_.socket() && !link_.established()) {
    close_socket(1000, "connect timeout");
    lose_socket(CloseAction::Backoff, 1006, now);
  }
  if (timers_.fire(Timer::Heartbeat, now) && link_.heartbeat(now, io())) {
    // No pong: the connection is dead even if the socket does not know it yet. Pusher's rule:
    // reconnect at once.
    close_socket(1000, "pong timeout");
    lose_socket(CloseAction::ReconnectNow, 1006, now);
  }
  if (timers_.fire(Timer::Resume, now) && link_.socket() && link_.socket()->resuming) {
    link_.socket()->resuming = false;
    resync_wanted_ = true;
  }
  if (timers_.fire(Timer::Subscribe, now) && subscription_.deadline()) {
    report(ErrorCode::ServerError, subscription_.phase() == Subscription::Phase::Authorizing
                                       ? "channel auth timed out"
                                       : "subscription timed out");
    close_socket(1000, "subscribe timeout");
    lose_socket(CloseAction::Backoff, 1006, now);
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
  if (timers_.fire(Timer::Typing, now)) typing_.expire();
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
  // through REST (from the host's copy, when it gives one), and push takes over once subscribed.
  api_.assume_paged(restored.value().paged_backend);
  if (session_id_.empty() && !restored.value().session_id.empty()) switch_session(restored.value().session_id);
}

void Engine::on(const input::Seed& in, Millis now) {
  // Another session's copy (the user picked another chat meanwhile), or a read already loaded the
  // session: the host's copy would only be older. Nothing to say: the host sees no diff.
  if (in.session_id.empty() || in.session_id != session_id_ || loaded_ || !store_.empty()) return;
  if (in.page.size() > config_.max_page_bytes) {
    report(ErrorCode::BadRestore, "cached messages of " + std::to_string(in.page.size()) +
                                      " bytes are over the limit of " + std::to_string(config_.max_page_bytes));
    return;
  }
  auto decoded = decode_message_page(in.page);
  if (!decoded) {
    report(ErrorCode::BadRestore, "cached messages: " + decoded.error().what);
    return;
  }
  MessagePage page = std::move(decoded).value();
  if (!page.rejected.empty()) {
    report(ErrorCode::BadRestore, std::to_string(page.rejected.size()) + " cached message(s) skipped, the first: " +
                                      page.rejected.front().what);
  }
  if (page.messages.empty()) return;
  // The copy is the newest part of the session: numbers below its oldest are history, not a
  // loss, so the run starts there. A hole inside it (a copy made while a read was paging on)
  // ends the run; the first read starts at the run's end.
  std::sort(page.messages.begin(), page.messages.end(),
            [](const Message& a, const Message& b) { return a.sequence < b.sequence; });
  const auto first_numbered = std::find_if(page.messages.begin(), page.messages.end(),
                                           [](const Message& m) { return m.sequence > 0; });
  const bool numbered = first_numbered != page.messages.end();
  recovery_.reset(numbered ? first_numbered->sequence - 1 : 0);
  std::map<std::int64_t, std::int64_t> time_of;  // sequence -> timestamp_ms
  for (auto& message : page.messages) {
    if (message.sequence > 0) time_of[message.sequence] = message.timestamp_ms;
    apply_message(std::move(message), false, now);
  }
  // A minimal backend's catch-up reads from the end of the run (the overlap there proves the
  // answer connects); a paged one after the run by sequence (plan_sync). A copy without numbers
  // proves nothing: the first read is the usual one, the copy only shown meanwhile.
  if (const auto end = time_of.find(recovery_.cursor()); end != time_of.end()) recovery_.known_through(end->second);
  // The copy's gaps, where both ends are in it (older history: its first message): what the
  // backend could not give stays reported, and an interior one is tried again as before.
  for (const Gap& gap : in.gaps) {
    const auto before = store_.position_of(gap.before_id);
    const bool after_ok = gap.after_id.empty() ? before && *before == 0 : store_.find(gap.after_id) != nullptr;
    if (before && after_ok) recovery_.gaps().push_back(gap);
  }
  std::sort(recovery_.gaps().begin(), recovery_.gaps().end(), [&](const Gap& a, const Gap& b) {
    return store_.position_of(a.before_id) < store_.position_of(b.before_id);
  });
  if (!recovery_.gaps().empty()) {
    changes_.gaps = true;
    arm_gap_retry(now);
  }
  seeded_ = true;
}

// ---------------------------------------------------------------------------------------------
// Decisions: after every input, bring sockets, subscriptions, polling and reads in line with the
// facts. Each step only starts what is missing, so calling it again changes nothing.

bool Engine::running() const { return configured_ && !stopped_ && !session_id_.empty(); }

bool Engine::push_configured() const { return !config_.ws_host.empty() && !config_.app_key.empty(); }

std::optional<StateReason> Engine::fallback_reason() const {
  if (!push_configured()) return StateReason::NotConfigured;
  if (!token_) return StateReason::NoToken;
  return link_.fallback();
}

void Engine::reconcile(Millis now) {
  if (!running() || !online_) {
    if (link_.socket()) close_socket(1000, running() ? "offline" : "stopped");
    // Whatever failed before is history once sync starts again.
    link_.reset(io());
    for (const Timer t : {Timer::Resync, Timer::GapGrace, Timer::GapRetry, Timer::SettleCheck, Timer::SyncRetry,
                          Timer::SyncTimeout, Timer::RefreshTimeout}) {
      timers_.clear(t);
    }
    polling_.stop();
    poll_wanted_ = false;
    sync_.reset();
    refresh_.reset();
    subscription_.reset();
    typing_.expire();
    return;
  }
  const bool can_push = push_configured() && token_ && !link_.refused();
  if (!can_push && link_.socket()) close_socket(1000, "push unavailable");

  // Push: open a socket unless one is open or a retry is waiting for its time.
  if (can_push) {
    // The URL is built only when no socket is open (not once per frame).
    if (!link_.socket()) link_.open_if_due(socket_url(config_), now, io());
    counters_.sockets_opened = link_.sockets_opened();
    counters_.reconnects = counters_.sockets_opened > 0 ? counters_.sockets_opened - 1 : 0;
  }
  if (link_.established() && subscription_.phase() == Subscription::Phase::Unsubscribed) authorize(now);

  // Polling while push is not delivering: fallen back, and already while the reconnect waits grow
  // long (4, 8, 16 s: a backend that never pushes the assistant's message would show nothing new
  // meanwhile, and a poll that succeeds brings the next attempt closer). The first retries (1, 2 s)
  // stay free of REST: a blip, or a V2 resume, needs none. Not without a token: every request
  // would be refused.
  const bool reconnecting = link_.failed_attempts() >= kPollAfterFailures && !subscription_.subscribed();
  if ((fallback_reason() || reconnecting) && token_) {
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

void Engine::auth_failed(Millis now) {
  link_.auth_failed(now, io());
  subscription_.reset();
  timers_.clear(Timer::Subscribe);
}

void Engine::close_socket(int code, const std::string& reason) {
  link_.close(code, reason, io());
  subscription_.reset();
  timers_.clear(Timer::Subscribe);
}

void Engine::lose_socket(CloseAction action, int close_code, Millis now) {
  link_.lost(action, close_code, now, io());
  subscription_.reset();
  timers_.clear(Timer::Subscribe);
}

void Engine::authorize(Millis now) {
  const RequestId id = next_request_++;
  const std::string channel = session_channel(session_id_);
  subscription_.authorizing(channel, id, now + config_.request_timeout);
  timers_.set(Timer::Subscribe, now + config_.request_timeout);
  ++counters_.auth_requests;
  out_.push_back(api_.auth_request(id, link_.socket()->pusher_id, channel, token_));
}

bool Engine::persist_urgent() const {
  if (session_id_.empty()) return false;
  // The selection, the connection flag and the dialect are saved at once; a moving cursor at most
  // once per interval (a lost cursor only means a longer backfill after a restart, never lost
  // messages).
  return persisted_cursor_ < 0 || (state_ == ConnectionState::Connected) != persisted_connected_ ||
         api_.learnt_paged() != persisted_paged_backend_;
}

void Engine::maybe_persist(Millis now, bool force) {
  if (session_id_.empty()) return;
  const bool connected = state_ == ConnectionState::Connected;
  std::string paged_backend(api_.learnt_paged());
  const bool changed = recovery_.cursor() != persisted_cursor_ || connected != persisted_connected_ ||
                       paged_backend != persisted_paged_backend_;
  if (!changed) {
    timers_.clear(Timer::Persist);
    return;
  }
  if (!force && !persist_urgent()) {
    timers_.set_if_unset(Timer::Persist, now + config_.persist_interval);
    return;
  }
  timers_.clear(Timer::Persist);
  persisted_cursor_ = recovery_.cursor();
  persisted_connected_ = connected;
  persisted_paged_backend_ = paged_backend;
  out_.push_back(effect::Persist{std::string(PersistedState::kKey),
                                 encode_persisted_state({session_id_, connected, now, recovery_.cursor(),
                                                         std::move(paged_backend)})});
}

// ---------------------------------------------------------------------------------------------
// Reporting: text for people is made here, from codes, and only here.

void Engine::report(ErrorCode code, std::string message) {
  out_.push_back(effect::Error{code, std::move(message)});
}

// Once per call, after the messages: a read that brings the user's message and the answer
// together shows no typing at all, and a view never shows "typing" before the message.
void Engine::publish_typing(const Typing& before) {
  const Typing& now = typing_.current();
  if (now == before) return;
  out_.push_back(effect::TypingChanged{session_id_, now.is_typing, now.context});
}
Engine::ShownState Engine::shown_state() const {
  ShownState shown{ConnectionState::Disconnected, StateReason::None, 0, config_.max_reconnect_attempts};
  if (!configured_) {
    shown.why = StateReason::NotStarted;
  } else if (session_id_.empty() || stopped_) {
    shown.why = stopped_ ? StateReason::Stopped : StateReason::NoSession;
  } else if (!online_) {
    shown.state = ConnectionState::Offline;
    shown.why = StateReason::NetworkOffline;
  } else if (const auto fallback = fallback_reason()) {
    shown.state = ConnectionState::Polling;
    shown.why = *fallback;
  } else if (subscription_.subscribed()) {
    shown.state = ConnectionState::Connected;
  } else if (link_.failed_attempts() == 0) {
    shown.state = ConnectionState::Connecting;
  } else {
    shown.state = ConnectionState::Reconnecting;
    shown.why = StateReason::Retrying;
  }
  shown.detail = shown.why == StateReason::Refused ? link_.refused_code() : link_.failed_attempts();
  return shown;
}

void Engine::publish_state() {
  const ShownState next = shown_state();
  // Unchanged inputs of the text: the text, and so what the host was shown, is unchanged too.
  if (next == shown_) return;
  shown_ = next;
  std::string text = describe(next.why, next.detail, next.max_attempts);
  if (next.state == state_ && next.why == reason_code_ && text == reason_) return;
  assert(is_legal_transition(state_, next.state));
  state_ = next.state;
  reason_code_ = next.why;
  reason_ = std::move(text);
  out_.push_back(effect::StateChanged{state_, reason_code_, reason_});
}

void Engine::publish_changes() {
  // Gaps name messages by id: they follow the messages they refer to. A smaller cap evicts with
  // nothing else changed: that is a diff too (found by tests/fuzz/engine_fuzz).
  if (!changes_.any() && store_.evicted() == changes_.evicted_before) {
    if (changes_.gaps) out_.push_back(effect::GapsChanged{session_id_, recovery_.gaps()});
    return;
  }
  effect::MessagesChanged change;
  change.session_id = session_id_;
  if (changes_.moved) {
    // Found by tests/fuzz/engine_fuzz (a host copy kept by the diffs): a moved message reported as
    // updated at its new place left its old copy in the host's list.
    change.reset = true;
    change.inserted.resize(store_.size());
    for (std::size_t i = 0; i < change.inserted.size(); ++i) change.inserted[i] = i;
    change.size = store_.size();
    out_.push_back(std::move(change));
    if (changes_.gaps) out_.push_back(effect::GapsChanged{session_id_, recovery_.gaps()});
    return;
  }
  change.reset = changes_.reset;
  // An id inserted more than once in one call was evicted by the cap in between: one insertion at
  // its place, and every earlier copy gone before the host saw it (found by tests/fuzz/engine_fuzz:
  // a position listed twice, and one message too many removed from the front).
  std::size_t evicted_new = 0;
  if (changes_.inserted.size() == 1) {
    // A pushed message: one insertion, nothing to sort.
    if (const auto position = store_.position_of(changes_.inserted.front())) change.inserted.push_back(*position);
    else evicted_new = 1;
  } else {
    std::vector<std::string_view> inserted_ids(changes_.inserted.begin(), changes_.inserted.end());
    std::sort(inserted_ids.begin(), inserted_ids.end());
    for (std::size_t i = 0, j = 0; i < inserted_ids.size(); i = j) {
      while (j < inserted_ids.size() && inserted_ids[j] == inserted_ids[i]) ++j;
      const auto position = store_.position_of(inserted_ids[i]);
      if (position) change.inserted.push_back(*position);
      evicted_new += (j - i) - (position ? 1 : 0);
    }
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
