// The sync engine: one chat session kept in sync by Pusher push, with REST polling as fallback.
//
// Sans-IO. The host feeds every input with the current time and carries out the returned effects
// in order; it arms one timer for `next_deadline()` and feeds `input::Tick` when it fires. The
// engine never calls back into the host, never reads a clock and never blocks, so the same inputs
// with the same seed give the same effects, natively and in WebAssembly.
//
// What it guarantees, whatever the order of inputs:
// - a frame is only ever sent on a socket that is open (the host never sees "send on a closed
//   socket");
// - the store holds each message once, in (sequence, timestamp, id) order;
// - a message the server stored, or a change to one, is not lost: every (re)subscribe, restore and
//   poll, and once a minute while push is up, a REST catch-up reads what changed since the server
//   time of the last complete read; a sequence gap is backfilled from the newest contiguous
//   sequence number;
// - the user-visible state only changes along `is_legal_transition`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pushsync/backoff.h"
#include "pushsync/config.h"
#include "pushsync/connection.h"
#include "pushsync/effect.h"
#include "pushsync/events.h"
#include "pushsync/frame.h"
#include "pushsync/input.h"
#include "pushsync/message_store.h"
#include "pushsync/polling.h"
#include "pushsync/recovery.h"
#include "pushsync/subscription.h"
#include "pushsync/time.h"

namespace pushsync {

/// Running totals, for the debug panel and the benchmarks.
struct Counters {
  std::uint64_t frames_received = 0;
  std::uint64_t frames_rejected = 0;   ///< not a Pusher frame, or a payload that failed validation
  std::uint64_t messages_inserted = 0;
  std::uint64_t duplicates = 0;        ///< messages that were already stored, unchanged
  std::uint64_t sockets_opened = 0;
  std::uint64_t reconnects = 0;        ///< sockets opened after a lost or failed one
  std::uint64_t auth_requests = 0;
  std::uint64_t syncs = 0;             ///< REST requests for messages (backfill, poll, refresh)
  std::uint64_t resumes = 0;           ///< `sockudo:resume` sent
  bool operator==(const Counters&) const = default;
};

struct Typing {
  bool is_typing = false;
  std::string context;
  bool operator==(const Typing&) const = default;
};

class Engine {
 public:
  Engine();

  /// Applies one input at `now` and returns what the host must do, in order.
  Effects handle(const Input& input, Millis now);

  /// The earliest instant at which the engine wants an `input::Tick`; nullopt: no timer needed.
  std::optional<Millis> next_deadline() const;

  ConnectionState state() const { return state_; }
  const std::string& state_reason() const { return reason_; }
  const std::string& session_id() const { return session_id_; }
  const MessageStore& messages() const { return store_; }
  const Typing& typing() const { return typing_; }
  const Counters& counters() const { return counters_; }
  /// The Pusher socket id of the established connection ("" when there is none).
  const std::string& socket_id() const;
  /// Every sequence number up to this one is in the store.
  std::int64_t cursor() const { return recovery_.cursor(); }
  const Config& config() const { return config_; }

 private:
  struct Socket {
    enum class Phase { Opening, Open, Established };
    SocketId id = 0;
    Phase phase = Phase::Opening;
    Millis connect_deadline = 0;   // until connection_established
    std::string pusher_id;
    Millis server_activity_timeout = 0;  // from connection_established
    Millis last_received = 0;
    std::optional<Millis> ping_sent_at;
    std::optional<Millis> resume_deadline;  // V2: waiting for sockudo:resume_success
  };
  // A REST read of messages. A catch-up (`resync`) reads everything changed since the `since`
  // cursor (or, before there is one, everything from the sequence cursor); a gap backfill reads
  // what follows the sequence cursor; a refresh reads the newest page.
  struct Sync {
    enum class Kind { Backfill, Refresh };
    RequestId id = 0;
    Kind kind = Kind::Backfill;
    bool resync = false;
    std::string since;        // since-mode: changes after this server time
    std::int64_t from = 0;    // afterSequence of this page
    std::string server_time;  // the first page's serverTime: the next since cursor
    bool whole = false;       // reads the whole session: completes the since cursor too
    Millis deadline = 0;
  };
  // What one call changed in the store, turned into a MessagesChanged effect at its end.
  struct Changes {
    bool reset = false;
    std::uint64_t evicted_before = 0;
    std::vector<std::string> inserted;
    std::vector<std::string> updated;
    bool any() const { return reset || !inserted.empty() || !updated.empty(); }
  };

  // Inputs.
  void on(const input::Configure& in, Millis now);
  void on(const input::SelectSession& in, Millis now);
  void on(const input::Stop& in, Millis now);
  void on(const input::SetToken& in, Millis now);
  void on(const input::Visibility& in, Millis now);
  void on(const input::Network& in, Millis now);
  void on(const input::Refresh& in, Millis now);
  void on(const input::SocketOpened& in, Millis now);
  void on(const input::SocketText& in, Millis now);
  void on(const input::SocketClosed& in, Millis now);
  void on(const input::SocketError& in, Millis now);
  void on(const input::HttpResult& in, Millis now);
  void on(const input::Tick& in, Millis now);
  void on(const input::Restore& in, Millis now);

  // Socket frames.
  void on_connection_established(const Frame& frame, Millis now);
  void on_subscription_succeeded(const Frame& frame, Millis now);
  void on_pusher_error(const Frame& frame, Millis now);
  void on_resume_result(const Frame& frame, bool success, Millis now);
  void on_channel_event(const Frame& frame, Millis now);
  void apply(const AppEvent& event, Millis now);
  void apply_message(Message message, Millis now);

  // HTTP results.
  void on_auth_result(const input::HttpResult& in, Millis now);
  void on_sync_result(const input::HttpResult& in, Millis now);

  // Decisions.
  void reconcile(Millis now);
  bool running() const;
  bool push_configured() const;
  std::optional<std::string> fallback_reason() const;
  bool in_fallback() const { return fallback_reason().has_value(); }
  /// Ping after this much silence: the server's activity timeout, or the keepalive when smaller
  /// and a view is open (then the host wants to stay alive, see Config::keepalive).
  Millis activity_interval() const;
  void open_socket(Millis now);
  void close_socket(int code, const std::string& reason);
  void socket_lost(int close_code, Millis now);
  void auth_failed(Millis now);
  void authorize(Millis now);
  void send(const std::string& text);
  void start_sync(Sync::Kind kind, Millis now);
  void sync_failed(const Sync& sync, Millis now);
  void request_resync() { resync_wanted_ = true; }
  void arm_gap_check(Millis now);
  void send_sync(Millis now);
  void clear_typing();
  void arm_settle_check(Millis now);
  void switch_session(const std::string& session_id);
  void maybe_persist(Millis now, bool force);

  // Reporting.
  void report(ErrorCode code, std::string message);
  void publish_state();
  void publish_changes();
  std::string url(std::string_view path) const;
  std::vector<std::pair<std::string, std::string>> auth_headers() const;

  Config config_;
  bool configured_ = false;
  bool stopped_ = false;
  bool online_ = true;
  bool visible_ = true;
  std::optional<std::string> token_;
  std::string session_id_;

  SeededRandom random_{1};
  std::optional<Socket> socket_;
  SocketId next_socket_ = 1;
  RequestId next_request_ = 1;
  int failed_attempts_ = 0;              // consecutive failures since push last worked
  std::optional<Millis> reconnect_at_;   // a retry waits for its backoff
  std::optional<Millis> probe_at_;       // in fallback: the next background attempt at push
  std::optional<std::string> fallback_;  // Auth failed, Server unreachable, Refused (code)
  int auth_failures_ = 0;

  Subscription subscription_;
  Recovery recovery_;
  MessageStore store_;
  PollSchedule polling_;
  std::optional<Sync> sync_;
  std::optional<Sync> refresh_;
  bool backfill_wanted_ = false;         // a gap backfill is due once the in-flight sync ends
  bool resync_wanted_ = false;           // a catch-up (push was down, a poll, a restore) likewise
  std::optional<Millis> gap_check_at_;   // a gap still open then is backfilled
  std::optional<Millis> resync_at_;      // the next routine catch-up while push is up
  bool since_unsupported_ = false;       // the server sends no serverTime: catch up by sequence
  std::optional<Millis> sync_retry_at_;  // a failed backfill retries then
  std::optional<Millis> settle_check_at_;  // re-read messages still pending by then
  int sync_failures_ = 0;

  Typing typing_;
  std::optional<Millis> typing_until_;
  std::optional<Millis> persist_at_;
  std::int64_t persisted_cursor_ = -1;
  bool persisted_connected_ = false;

  ConnectionState state_ = ConnectionState::Disconnected;
  std::string reason_ = "Not started";
  Counters counters_;
  Effects out_;
  Changes changes_;
};

}  // namespace pushsync
