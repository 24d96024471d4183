#include "pushsync/subscription.h"

namespace pushsync {

std::string session_channel(std::string_view session_id) {
  return "private-session-" + std::string(session_id);
}

void Subscription::authorizing(std::string channel, RequestId id, Millis deadline) {
  phase_ = Phase::Authorizing;
  channel_ = std::move(channel);
  auth_request_ = id;
  deadline_ = deadline;
}

void Subscription::subscribing(Millis deadline) {
  phase_ = Phase::Subscribing;
  deadline_ = deadline;
}

bool Subscription::succeeded(std::string_view channel) {
  if (phase_ != Phase::Subscribing || channel != channel_) return false;
  phase_ = Phase::Subscribed;
  return true;
}

void Subscription::reset() {
  phase_ = Phase::Unsubscribed;
  channel_.clear();
  auth_request_ = 0;
}

std::optional<Millis> Subscription::deadline() const {
  if (phase_ == Phase::Authorizing || phase_ == Phase::Subscribing) return deadline_;
  return std::nullopt;
}

}  // namespace pushsync
