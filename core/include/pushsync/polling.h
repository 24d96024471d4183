// When to poll the REST API while push is unavailable: every 3 s while messages are flowing,
// every 30 s once none came for 60 s, and with backoff after failed polls.
#pragma once

#include <optional>

#include "pushsync/time.h"

namespace pushsync {

class PollSchedule {
 public:
  static constexpr Millis kActiveInterval = 3'000;
  static constexpr Millis kIdleInterval = 30'000;
  static constexpr Millis kIdleAfter = 60'000;  ///< without new messages, polling slows down

  /// Starts polling with a poll due at once. No-op when already running.
  void start(Millis now);
  void stop();
  bool running() const { return running_; }

  /// When the next poll is due; nullopt when stopped or a poll is in flight.
  std::optional<Millis> due() const;
  void poll_sent();
  /// A poll finished: schedules the next one. `ok`: it succeeded (resets the failure backoff).
  void poll_done(bool ok, Millis now);
  /// New messages arrived (by any path): polling stays brisk for the next 60 s.
  void saw_new_messages(Millis now) { last_new_ = now; }
  /// Make the next poll due now (a view opened, the user asked for a refresh).
  void hurry(Millis now);
  /// Make the next poll due by `at` at the latest (the last one found more than a page).
  void soon(Millis at);
  /// The server said when to ask again (Retry-After): no poll before `at`, whatever hurries it.
  void wait_until(Millis at);
  /// After a poll that found more than a page: the backend may be writing faster than one page a
  /// poll, so the next comes sooner (a newest-first backend cannot give what a page misses).
  static constexpr Millis kBusyInterval = 1'000;

  /// The interval after a successful poll at `now`.
  Millis interval(Millis now) const;

 private:
  bool running_ = false;
  bool in_flight_ = false;
  int failures_ = 0;
  Millis due_ = 0;
  Millis last_new_ = 0;
  Millis not_before_ = 0;
};

}  // namespace pushsync
