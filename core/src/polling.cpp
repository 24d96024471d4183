#include "pushsync/polling.h"

namespace pushsync {

void PollSchedule::start(Millis now) {
  if (running_) return;
  running_ = true;
  in_flight_ = false;
  failures_ = 0;
  due_ = now;
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
    due_ = now + interval(now);
    return;
  }
  // 3 s, 6 s, 12 s, 24 s, then 30 s: a server in trouble is not hammered.
  Millis delay = kActiveInterval;
  for (int i = 0; i < failures_ && delay < kIdleInterval; ++i) delay *= 2;
  if (failures_ < 16) ++failures_;
  due_ = now + (delay < kIdleInterval ? delay : kIdleInterval);
}

void PollSchedule::soon(Millis at) {
  if (running_ && !in_flight_ && due_ > at) due_ = at;
}

void PollSchedule::hurry(Millis now) {
  if (running_ && due_ > now) due_ = now;
}

}  // namespace pushsync
