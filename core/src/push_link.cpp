#include "pushsync/push_link.h"

#include <algorithm>

#include "pushsync/frame.h"

namespace pushsync {

std::optional<StateReason> PushLink::fallback() const {
  if (const auto* fallen = std::get_if<FallenBack>(&retry_)) return fallen->reason;
  if (refused()) return StateReason::Refused;
  return std::nullopt;
}

int PushLink::refused_code() const {
  const auto* refused = std::get_if<Refused>(&retry_);
  return refused ? refused->code : 0;
}

void PushLink::open_if_due(const std::string& url, Millis now, Io io) {
  if (socket_ || refused() || io.timers.armed(Timer::Reconnect) || io.timers.armed(Timer::Probe)) return;
  if (now < not_before_) {
    // Told to wait (a new token or a reset cleared the retry timers): the attempt waits too.
    io.timers.set(Timer::Reconnect, not_before_);
    return;
  }
  socket_ = Socket{};
  socket_->id = next_socket_++;
  io.timers.set(Timer::Connect, now + config_.connect_timeout);
  ++sockets_opened_;
  io.out.push_back(effect::OpenSocket{socket_->id, url});
}

void PushLink::close(int code, const std::string& reason, Io io) {
  if (socket_) io.out.push_back(effect::CloseSocket{socket_->id, code, reason});
  socket_.reset();
  io.timers.clear(Timer::Connect);
  io.timers.clear(Timer::Heartbeat);
  io.timers.clear(Timer::Resume);
}

Millis PushLink::probe_delay(Io io) const {
  const Millis interval = config_.probe_interval;
  return interval / 2 + static_cast<Millis>(io.random.below(static_cast<std::uint64_t>(interval / 2) + 1));
}

void PushLink::lost(CloseAction action, int close_code, Millis now, Io io) {
  socket_.reset();
  io.timers.clear(Timer::Connect);
  io.timers.clear(Timer::Heartbeat);
  io.timers.clear(Timer::Resume);
  if (action == CloseAction::DoNotRetry) {
    retry_ = Refused{close_code};
    io.timers.clear(Timer::Reconnect);
    io.timers.clear(Timer::Probe);
    return;
  }
  if (std::holds_alternative<FallenBack>(retry_)) {
    // A background probe failed: polling goes on, the next probe comes within probe_interval.
    io.timers.set(Timer::Probe, now + probe_delay(io));
    return;
  }
  ++failed_attempts_;
  if (failed_attempts_ > config_.max_reconnect_attempts) {
    fall_back(StateReason::ServerUnreachable, now, io);
    return;
  }
  retry_ = BackingOff{};
  io.timers.set(Timer::Reconnect, now + (action == CloseAction::ReconnectNow
                                             ? 0
                                             : backoff_delay(config_.backoff, failed_attempts_, io.random)));
}

void PushLink::fall_back(StateReason reason, Millis now, Io io) {
  retry_ = FallenBack{reason};
  io.timers.clear(Timer::Reconnect);
  io.timers.set(Timer::Probe, now + probe_delay(io));
}

void PushLink::auth_failed(Millis now, Io io) {
  close(1000, "auth failed", io);
  retry_ = FallenBack{StateReason::AuthFailed};
  ++auth_failures_;
  // Try again only with backoff (or at once on a new token): never a tight loop.
  io.timers.clear(Timer::Reconnect);
  io.timers.set(Timer::Probe, now + backoff_delay(config_.backoff, auth_failures_, io.random));
}

void PushLink::subscribed(Io io) {
  failed_attempts_ = 0;
  auth_failures_ = 0;
  retry_ = Ready{};
  io.timers.clear(Timer::Probe);
  io.timers.clear(Timer::Reconnect);
}

void PushLink::reset(Io io) { subscribed(io); }

void PushLink::token_changed(Io io) {
  auth_failures_ = 0;
  failed_attempts_ = 0;
  io.timers.clear(Timer::Reconnect);
  if (std::holds_alternative<BackingOff>(retry_)) retry_ = Ready{};
  if (const auto* fallen = std::get_if<FallenBack>(&retry_); fallen && fallen->reason == StateReason::AuthFailed) {
    retry_ = Ready{};
    io.timers.clear(Timer::Probe);
  }
}

void PushLink::view_opened(Millis now, Io io) {
  if (std::holds_alternative<FallenBack>(retry_) && io.timers.armed(Timer::Probe)) {
    io.timers.set(Timer::Probe, std::max(now, not_before_));
  }
}

void PushLink::hold_until(Millis at, Io io) {
  not_before_ = std::max(not_before_, at);
  for (const Timer timer : {Timer::Reconnect, Timer::Probe}) {
    if (const auto due = io.timers.get(timer); due && *due < not_before_) io.timers.set(timer, not_before_);
  }
}

void PushLink::poll_succeeded(Millis now, Io io) {
  // The app server answers, so the network is up: a push server that comes back is found within
  // probe_interval / 2, whether the link is backing off (waits of 8 and 16 s) or probing.
  const auto* fallen = std::get_if<FallenBack>(&retry_);
  const bool unreachable = fallen && fallen->reason == StateReason::ServerUnreachable;
  const bool backing_off = std::holds_alternative<BackingOff>(retry_);
  if (!unreachable && !backing_off) return;
  const Timer timer = backing_off ? Timer::Reconnect : Timer::Probe;
  const Millis quarter = config_.probe_interval / 4;
  const Millis soon = std::max(
      now + quarter + static_cast<Millis>(io.random.below(static_cast<std::uint64_t>(quarter) + 1)), not_before_);
  if (const auto due = io.timers.get(timer); due && *due > soon) io.timers.set(timer, soon);
}

void PushLink::send(std::string text, Io io) const {
  // The one place frames leave: only on an open socket.
  if (!socket_ || socket_->phase == Socket::Phase::Opening) return;
  io.out.push_back(effect::SendFrame{socket_->id, std::move(text)});
}

void PushLink::opened(SocketId id) {
  if (owns(id) && socket_->phase == Socket::Phase::Opening) socket_->phase = Socket::Phase::Open;
}

void PushLink::frame_received(Millis now) {
  if (!socket_) return;
  if (socket_->phase == Socket::Phase::Opening) socket_->phase = Socket::Phase::Open;  // a frame proves it
  socket_->last_received = now;
  socket_->ping_sent_at.reset();  // any frame proves the connection is alive
}

void PushLink::established(const std::string& pusher_id, Millis activity_timeout, Millis now, Io io) {
  io.timers.clear(Timer::Connect);
  socket_->phase = Socket::Phase::Established;
  socket_->pusher_id = pusher_id;
  socket_->server_activity_timeout = activity_timeout;
  socket_->last_received = now;
}

bool PushLink::heartbeat(Millis now, Io io) {
  if (!established()) return false;
  if (socket_->ping_sent_at) return true;  // no pong: dead, even if the socket does not know it yet
  send(config_.protocol == 2 ? std::string(R"({"event":"sockudo:ping","data":{}})") : encode_ping(), io);
  socket_->ping_sent_at = now;
  return false;
}

Millis PushLink::activity_interval(bool visible) const {
  const Millis server = socket_ ? socket_->server_activity_timeout : 0;
  return visible && config_.keepalive < server ? config_.keepalive : server;
}

void PushLink::arm_heartbeat(bool visible, Io io) const {
  if (!established()) {
    io.timers.clear(Timer::Heartbeat);
    return;
  }
  io.timers.set(Timer::Heartbeat, socket_->ping_sent_at ? *socket_->ping_sent_at + config_.pong_timeout
                                                        : socket_->last_received + activity_interval(visible));
}

}  // namespace pushsync
