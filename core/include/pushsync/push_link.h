// The push side of the engine: at most one socket, where its Pusher connection stands, the
// heartbeat, and how push is retried after a failure.
//
// Pusher's rules, as pusher-js applies them: a lost socket is retried with backoff (1, 2, 4, 8,
// 16 s, cap 30 s, jittered); after `max_reconnect_attempts` failures the engine falls back to
// polling and probes push in the background (every `probe_interval`, jittered, so a fleet does not
// come back in step); 4000-4099 means "do not retry" until the configuration, the token or the
// network changes; 4200-4299 and a missing pong mean "reconnect now". The retry state is a
// variant, so each case carries exactly what it needs (a reason, a close code).
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "pushsync/backoff.h"
#include "pushsync/close_policy.h"
#include "pushsync/config.h"
#include "pushsync/connection.h"
#include "pushsync/effect.h"
#include "pushsync/timer_table.h"

namespace pushsync {

class PushLink {
 public:
  struct Socket {
    enum class Phase { Opening, Open, Established };
    SocketId id = 0;
    Phase phase = Phase::Opening;
    std::string pusher_id;
    Millis server_activity_timeout = 0;  // from connection_established
    Millis last_received = 0;
    std::optional<Millis> ping_sent_at;
    bool resuming = false;  // V2: waiting for sockudo:resume_success
  };

  // How push is retried: nothing failed; a retry waits for its backoff; fallen back to polling
  // with a reason (push probed in the background); refused by the server.
  struct Ready {};
  struct BackingOff {};
  struct FallenBack { StateReason reason; };
  struct Refused { int code; };
  using Retry = std::variant<Ready, BackingOff, FallenBack, Refused>;

  /// What a call may change besides the link: the engine's one timer table, the effects of the
  /// current input, and the seeded jitter.
  struct Io {
    TimerTable& timers;
    Effects& out;
    SeededRandom& random;
  };

  void configure(const Config& config) { config_ = config; }

  const std::optional<Socket>& socket() const { return socket_; }
  std::optional<Socket>& socket() { return socket_; }
  /// Whether `id` is the socket the link has (events of older sockets are ignored).
  bool owns(SocketId id) const { return socket_ && socket_->id == id; }
  bool established() const { return socket_ && socket_->phase == Socket::Phase::Established; }

  /// Why push is not used, when the link has given up for now (FallenBack or Refused).
  std::optional<StateReason> fallback() const;
  bool refused() const { return std::holds_alternative<Refused>(retry_); }
  /// The close code of a refusal (0 otherwise).
  int refused_code() const;
  /// Consecutive failed attempts since push last worked.
  int failed_attempts() const { return failed_attempts_; }
  std::uint64_t sockets_opened() const { return sockets_opened_; }

  /// Opens a socket to `url` unless one is open or a retry waits for its time.
  void open_if_due(const std::string& url, Millis now, Io io);
  /// Closes the socket (if any) on the engine's initiative.
  void close(int code, const std::string& reason, Io io);
  /// The socket is gone (closed, timed out, dead): retry as `action` says.
  void lost(CloseAction action, int close_code, Millis now, Io io);
  /// Channel auth was refused: close, poll, and try again only with backoff or a new token.
  void auth_failed(Millis now, Io io);
  /// The channel is subscribed: push works, every failure is history.
  void subscribed(Io io);
  /// Nothing failed as far as the next attempt is concerned (new configuration, back online).
  void reset(Io io);
  /// A new token: an auth failure may be cured, and a waiting retry goes at once.
  void token_changed(Io io);
  /// A view opened while polling: probe push now (the roadmap's visibility event).
  void view_opened(Millis now, Io io);
  /// The server said when to ask again (a Retry-After on channel auth): no attempt before `at`,
  /// whatever hurries it (a view opening, a poll that succeeded, a new token).
  void hold_until(Millis at, Io io);
  /// A poll succeeded: the app server answers, so push may be back too; the next attempt (a retry
  /// backing off, or a probe) comes within probe_interval / 2, jittered.
  void poll_succeeded(Millis now, Io io);

  /// Sends a frame, but only on an open socket: "already CLOSING or CLOSED" cannot happen.
  void send(std::string text, Io io) const;
  /// The host reports socket `id` open (ignored for any other socket).
  void opened(SocketId id);
  /// Any frame: the socket is alive.
  void frame_received(Millis now);
  /// `connection_established`: the heartbeat can start.
  void established(const std::string& pusher_id, Millis activity_timeout, Millis now, Io io);
  /// The Heartbeat timer fired: ping after silence; true when the pong is late (the connection is
  /// dead; the caller loses it).
  bool heartbeat(Millis now, Io io);
  /// Arms the Heartbeat timer from the socket's state. `visible`: a view is open, so the host's
  /// keepalive applies (Chrome stops an idle extension worker after 30 s).
  void arm_heartbeat(bool visible, Io io) const;

 private:
  Millis activity_interval(bool visible) const;
  void fall_back(StateReason reason, Millis now, Io io);
  Millis probe_delay(Io io) const;

  Config config_;
  std::optional<Socket> socket_;
  SocketId next_socket_ = 1;
  std::uint64_t sockets_opened_ = 0;
  Retry retry_ = Ready{};
  int failed_attempts_ = 0;
  int auth_failures_ = 0;
  Millis not_before_ = 0;  // Retry-After: the earliest next attempt
};

}  // namespace pushsync
