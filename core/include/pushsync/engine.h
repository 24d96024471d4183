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
// - a message the server stored is not lost: every (re)subscribe, restore and poll, every
//   `interact_response`, and once a minute while push is up, a REST catch-up reads what is new since
//   the last complete read (by `serverTime` on a paged backend, by message time on a minimal one);
//   a sequence gap is backfilled; a gap is closed only when a read proves it, and what a backend
//   cannot give is a Gap (where, how many) reported to the host and tried again later;
// - the user-visible state only changes along `is_legal_transition`.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "pushsync/backoff.h"
#include "pushsync/close_policy.h"
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
#include "pushsync/api.h"
#include "pushsync/push_link.h"
#include "pushsync/sync_plan.h"
#include "pushsync/timer_table.h"
#include "pushsync/typing.h"
#include "pushsync/time.h"

namespace pushsync {

/// Running totals, for the debug panel and the benchmarks.
struct Counters {
  std::uint64_t frames_received = 0;
  std::uint64_t frames_rejected = 0;   ///< not a Pusher frame, or a payload that failed validation
  std::uint64_t messages_rejected = 0; ///< messages left out of a REST page for failing validation
  std::uint64_t messages_inserted = 0;
  std::uint64_t duplicates = 0;        ///< messages that were already stored, unchanged
  std::uint64_t sockets_opened = 0;
  std::uint64_t reconnects = 0;        ///< sockets opened after a lost or failed one
  std::uint64_t auth_requests = 0;
  std::uint64_t syncs = 0;             ///< REST requests for messages (backfill, poll, refresh)
  std::uint64_t rest_messages = 0;     ///< messages read from REST, in all
  std::uint64_t replies = 0;           ///< `interact_response` events of the selected session
  std::uint64_t reply_messages = 0;    ///< messages read from REST by the catch-ups replies asked for
  std::uint64_t gaps_found = 0;        ///< gaps the backend could not fill when found
  std::uint64_t resumes = 0;           ///< `sockudo:resume` sent
  bool operator==(const Counters&) const = default;
};

class Engine {
 public:
  Engine();

  /// Applies one input at `now` and returns what the host must do, in order.
  Effects handle(const Input& input, Millis now) {
    std::size_t taken = 0;
    return handle_some({&input, 1}, now, taken);
  }

  /// Applies the first of `inputs` at `now`, and the next ones while each before changed only the
  /// store or the typing (no other effect, no change of state or gaps, no persisting due at once);
  /// sets `taken` to how many it applied (at least one of a non-empty span) and returns their
  /// effects: those of one `handle` each, in the same order, but with the store's changes as one
  /// diff, where the first input's diff would have been (before the last input's effects, when it
  /// took more than one), and the typing as it is at the end (one `TypingChanged` when it differs
  /// from before the call). So a burst of frames from one socket read costs the host one
  /// `messages` effect, not one per frame. The host calls again with the rest.
  Effects handle_some(std::span<const Input> inputs, Millis now, std::size_t& taken);

  /// The earliest instant at which the engine wants an `input::Tick`; nullopt: no timer needed.
  std::optional<Millis> next_deadline() const { return timers_.next(); }

  ConnectionState state() const { return state_; }
  StateReason state_code() const { return reason_code_; }
  const std::string& state_reason() const { return reason_; }
  const std::string& session_id() const { return session_id_; }
  const MessageStore& messages() const { return store_; }
  const std::vector<Gap>& gaps() const { return recovery_.gaps(); }
  const Typing& typing() const { return typing_.current(); }
  const Counters& counters() const { return counters_; }
  /// The Pusher socket id of the established connection ("" when there is none).
  const std::string& socket_id() const;
  /// Every sequence number up to this one is in the store (or in a recorded gap).
  std::int64_t cursor() const { return recovery_.cursor(); }
  const Config& config() const { return config_; }
  /// The selected session's first read is complete (its messages, possibly none, are shown).
  bool loaded() const { return loaded_; }
  /// The REST dialect detected (or configured).
  BackendDialect dialect() const { return api_.dialect(); }

 private:
  struct Sync {
    RequestId id = 0;
    Read read;
    MessagesQuery query;
    std::string server_time;  // paged: the first page's serverTime, the next since cursor
    bool resync = false;      // a catch-up (what push may have missed), not only a gap backfill
    bool for_reply = false;   // asked for by an interact_response (counted per reply)
    bool busy = false;        // a page came back full: the backend had more than one page
  };
  // What one call changed in the store, turned into a MessagesChanged effect at its end.
  struct Changes {
    bool reset = false;
    std::uint64_t evicted_before = 0;
    std::vector<std::string> inserted;
    std::vector<std::string> updated;
    bool gaps = false;
    /// A message moved (the server renumbered it or changed its time): positions cannot say that,
    /// so the host is told to start again from the store as it is (a reset listing every position).
    bool moved = false;
    bool any() const { return reset || moved || !inserted.empty() || !updated.empty(); }
    /// As a new Changes, but the lists keep their buffers (one input after another).
    void clear(std::uint64_t evicted) {
      reset = gaps = moved = false;
      evicted_before = evicted;
      inserted.clear();
      updated.clear();
    }
  };

  // Inputs (engine.cpp).
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
  void on(const input::Seed& in, Millis now);

  // Socket frames and the channel (engine.cpp).
  void on_connection_established(const Frame& frame, Millis now);
  void on_subscription_succeeded(const Frame& frame, Millis now);
  void on_pusher_error(const Frame& frame, Millis now);
  void on_resume_result(const Frame& frame, bool success);
  void on_channel_event(const Frame& frame, Millis now);
  void apply(AppEvent&& event, Millis now);
  /// `live`: pushed, or read after the session's first load (may start an inferred turn).
  void apply_message(Message&& message, bool live, Millis now);
  /// Within `max_message_bytes`; otherwise reported (and left out).
  bool admissible(const Message& message);
  void on_auth_result(const input::HttpResult& in, Millis now);
  void authorize(Millis now);
  /// The socket is gone; the subscription with it.
  void lose_socket(CloseAction action, int close_code, Millis now);
  void close_socket(int code, const std::string& reason);
  /// Channel auth refused: poll, and try push again only with backoff or a new token.
  void auth_failed(Millis now);

  // Decisions (engine.cpp).
  void reconcile(Millis now);
  bool running() const;
  bool push_configured() const;
  /// Why push is not delivering, when the state is Polling.
  std::optional<StateReason> fallback_reason() const;
  void switch_session(const std::string& session_id);
  void maybe_persist(Millis now, bool force);
  void arm_derived_timers();
  PushLink::Io io() { return PushLink::Io{timers_, out_, random_}; }

  // REST reads (engine_reads.cpp).
  void plan_sync(Millis now);
  void start_sync(Read read, bool resync, Millis now);
  void send_sync(Millis now);
  void on_sync_result(const Sync& sync, const input::HttpResult& in, Millis now);
  void on_paged_page(Sync sync, MessagePage page, Millis now);
  void on_forward_page(Sync sync, const read::Forward& forward, MessagePage page, Millis now);
  void on_gap_fill_page(const Sync& sync, const read::Forward& forward, const ForwardProof& proof, Millis now);
  void record_gap(const std::string& before_id, Millis now);
  void arm_gap_retry(Millis now);
  void sync_done(const Sync& sync, Millis now);
  void sync_failed(const Sync& sync, Millis now);

  /// The longest Retry-After obeyed: a server's mistake must not silence sync for a day.
  static constexpr Millis kMaxRetryAfter = 600'000;
  /// ", asked to wait N s" for an answer with Retry-After ("" without).
  static std::string told_to_wait(const input::HttpResult& in);

  // Reporting (engine.cpp): the only place text for people is made.
  void report(ErrorCode code, std::string message);
  void publish_state();
  /// What the state shown to the host follows from: the state, the reason and what its text is
  /// made of (`describe`). publish_state() makes the text only when one of them changed.
  struct ShownState {
    ConnectionState state = ConnectionState::Disconnected;
    StateReason why = StateReason::NotStarted;
    int detail = -1;        // failed attempts, or the refusal's close code
    int max_attempts = -1;  // config_.max_reconnect_attempts
    bool operator==(const ShownState&) const = default;
  };
  ShownState shown_state() const;
  /// maybe_persist(now, false) would write the persisted state now (not at the next interval).
  bool persist_urgent() const;
  void publish_changes();
  void publish_typing(const Typing& before);

  Config config_;
  Api api_;
  bool configured_ = false;
  bool stopped_ = false;
  bool online_ = true;
  bool visible_ = true;
  std::optional<std::string> token_;
  std::string session_id_;

  SeededRandom random_{1};
  TimerTable timers_;
  PushLink link_;
  RequestId next_request_ = 1;

  Subscription subscription_;
  Recovery recovery_;
  MessageStore store_;
  PollSchedule polling_;
  std::optional<Sync> sync_;
  std::optional<Sync> refresh_;
  bool backfill_wanted_ = false;   // a gap backfill is due once the in-flight sync ends
  bool resync_wanted_ = false;     // a catch-up (push was down, a poll, a reply) likewise
  bool reply_wanted_ = false;      // the wanted catch-up was asked for by a reply
  bool poll_wanted_ = false;       // the poll timer fired
  bool gap_fill_wanted_ = false;   // the gap retry timer fired
  bool since_unsupported_ = false; // paged, but no serverTime: catch up by sequence
  bool seeded_ = false;            // the store began from the host's copy: a paged catch-up reads after it
  bool loaded_ = false;            // the session's first read completed
  int sync_failures_ = 0;
  int gap_retries_ = 0;

  TypingTracker typing_;
  std::int64_t persisted_cursor_ = -1;
  bool persisted_connected_ = false;
  std::string persisted_paged_backend_;

  ConnectionState state_ = ConnectionState::Disconnected;
  StateReason reason_code_ = StateReason::NotStarted;
  std::string reason_ = "Not configured";
  ShownState shown_;  // what reason_ was last made of (-1s: nothing yet)
  Counters counters_;
  Effects out_;
  /// The frame being handled: kept between calls so its strings' buffers are reused.
  Frame frame_;
  /// Its `new_message` payload when the frame decoder read it on the way (then frame_.data is empty).
  std::optional<NewMessageEvent> hot_event_;
  Changes changes_;
};

}  // namespace pushsync
