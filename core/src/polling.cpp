#include "pushsync/polling.h"

#include <algorithm>

namespace pushsync {

void PollSchedule::start(Millis now) {
  if (running_) return;
  running_ = true;
  in_flight_ = false;
  failures_ = 0;
  due_ = std::max(now, not_before_);
  last_new_ = now;  // a fresh start counts as activity: poll briskly for the first minute
}

void PollSchedule::stop() {
  running_ = false;
  in_flight_ = false;
}

std::optional<Millis> PollSchedule::due() const {
  if (!running_ || in_flight_) return std::nullopt;
  return due_;
}

void PollSchedule::poll_sent() { in_flight_ = true; }

Millis PollSchedule::interval(Millis now) const {
  return now - last_new_ < kIdleAfter ? kActiveInterval : kIdleInterval;
}

void PollSchedule::poll_done(bool ok, Millis now) {
  in_flight_ = false;
  if (ok) {
    failures_ = 0;
    due_ = std::max(now + interval(now), not_before_);
    return;
  }
  // 3 s, 6 s, 12 s, 24 s, then 30 s: a server in trouble is not hammered.
  Millis delay = kActiveInterval;
  for (int i = 0; i < failures_ && delay < kIdleInterval; ++i) delay *= 2;
  if (failures_ < 16) ++failures_;
  due_ = std::max(now + (delay < kIdleInterval ? delay : kIdleInterval), not_before_);
}

void PollSchedule::soon(Millis at) {
  at = std::max(at, not_before_);
  if (running_ && !in_flight_ && due_ > at) due_ = at;
}

void PollSchedule::hurry(Millis now) {
  const Millis at = std::max(now, not_before_);
  if (running_ && due_ > at) due_ = at;
}

void PollSchedule::wait_until(Millis at) {
  not_before_ = std::max(not_before_, at);
  due_ = std::max(due_, not_before_);
}

}  // namespace pushsync
