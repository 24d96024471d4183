// Every deadline the engine keeps, in one table (after quinn-proto's TimerTable).
//
// `Engine::next_deadline()` is the table's minimum and a tick dispatches by timer, so a deadline
// cannot be armed and forgotten: the host only ever ticks at `next_deadline()`, and whatever is in
// the table is what it ticks for. A timer that fires is cleared before it is acted on, so a tick
// never asks for another tick at the same instant.
#pragma once

#include <array>
#include <cstddef>
#include <optional>

#include "pushsync/time.h"

namespace pushsync {

enum class Timer {
  Connect,        ///< socket opened, no `connection_established` yet: give up on it
  Heartbeat,      ///< silence on an established socket: ping (or, with a ping out, the pong is late)
  Subscribe,      ///< channel auth or `pusher:subscribe` unanswered: give up on the socket
  Resume,         ///< V2 `sockudo:resume` unanswered: catch up by REST instead
  Reconnect,      ///< the backoff before the next socket attempt
  Probe,          ///< while polling: the next background attempt at push
  Poll,           ///< the next REST poll (push unavailable)
  SyncTimeout,    ///< the messages request in flight is given up
  SyncRetry,      ///< a failed messages request is tried again
  GapGrace,       ///< a sequence gap still open then is backfilled
  GapRetry,       ///< a gap the backend could not fill is tried again
  Resync,         ///< the routine catch-up while push is up
  SettleCheck,    ///< messages still pending by then are read again
  RefreshTimeout, ///< the user's refresh in flight is given up
  Typing,         ///< a typing indicator clears itself
  Persist,        ///< the moving cursor is saved
};
inline constexpr std::size_t kTimerCount = static_cast<std::size_t>(Timer::Persist) + 1;

class TimerTable {
 public:
  void set(Timer timer, Millis at) { slots_[index(timer)] = at; }
  /// Arms the timer only when it is not armed already (a grace period that must not slide).
  void set_if_unset(Timer timer, Millis at) {
    if (!slots_[index(timer)]) slots_[index(timer)] = at;
  }
  void set_or_clear(Timer timer, std::optional<Millis> at) { slots_[index(timer)] = at; }
  void clear(Timer timer) { slots_[index(timer)].reset(); }
  std::optional<Millis> get(Timer timer) const { return slots_[index(timer)]; }
  bool armed(Timer timer) const { return slots_[index(timer)].has_value(); }

  /// True (and the timer cleared) when it is armed and due at `now`.
  bool fire(Timer timer, Millis now) {
    auto& slot = slots_[index(timer)];
    if (!slot || *slot > now) return false;
    slot.reset();
    return true;
  }

  /// The earliest armed deadline.
  std::optional<Millis> next() const {
    std::optional<Millis> best;
    for (const auto& slot : slots_) {
      if (slot && (!best || *slot < *best)) best = slot;
    }
    return best;
  }

 private:
  static std::size_t index(Timer timer) { return static_cast<std::size_t>(timer); }
  std::array<std::optional<Millis>, kTimerCount> slots_{};
};

}  // namespace pushsync
