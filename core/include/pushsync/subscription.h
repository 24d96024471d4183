// The one channel the engine is subscribed to, and where its handshake stands.
//
// A private channel needs a signature from the app server before `pusher:subscribe`:
//   Unsubscribed -> Authorizing (POST /api/pusher/auth) -> Subscribing (frame sent)
//   -> Subscribed (pusher_internal:subscription_succeeded).
// A lost socket takes the channel back to Unsubscribed; the engine subscribes again once a new
// socket is established.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pushsync/input.h"
#include "pushsync/time.h"

namespace pushsync {

/// `private-session-<id>`.
std::string session_channel(std::string_view session_id);

class Subscription {
 public:
  enum class Phase { Unsubscribed, Authorizing, Subscribing, Subscribed };

  Phase phase() const { return phase_; }
  const std::string& channel() const { return channel_; }
  bool subscribed() const { return phase_ == Phase::Subscribed; }

  /// The auth request for `channel` went out as request `id`.
  void authorizing(std::string channel, RequestId id, Millis deadline);
  /// The auth request `id` answered: true when it is the one this subscription waits for.
  bool is_pending_auth(RequestId id) const { return phase_ == Phase::Authorizing && auth_request_ == id; }
  void subscribing(Millis deadline);
  /// subscription_succeeded for `channel`: true when it completes this subscription.
  bool succeeded(std::string_view channel);
  void reset();

  /// When the handshake gives up if nothing moved (auth answered, subscription succeeded).
  std::optional<Millis> deadline() const;

 private:
  Phase phase_ = Phase::Unsubscribed;
  std::string channel_;
  RequestId auth_request_ = 0;
  Millis deadline_ = 0;
};

}  // namespace pushsync
