// The connection states a user sees, and which changes between them are legal.
//
// Theory of operation. The engine never stores this state: it derives it after every input from
// facts it keeps anyway (is a session selected and sync running, is the network up, is there a
// reason to fall back, is the channel subscribed, how many attempts failed), and reports a change.
// `is_legal_transition` is the table every change must be in; the engine asserts it and the
// simulation test checks it on every step, so a state the user sees never jumps oddly (for
// instance from Disconnected straight to Connected without Connecting).
#pragma once

#include <string_view>

namespace pushsync {

enum class ConnectionState {
  Disconnected,  ///< not syncing: nothing selected, stopped, or not configured at all
  Connecting,    ///< opening the socket and subscribing, first attempt
  Connected,     ///< subscribed to the session's channel: messages arrive by push
  Reconnecting,  ///< the socket was lost; retrying with backoff
  Polling,       ///< push is unavailable (the reason says why); REST polling keeps messages coming
  Offline,       ///< the host reports no network; nothing is attempted until it returns
};

const char* to_string(ConnectionState state);

bool is_legal_transition(ConnectionState from, ConnectionState to);

/// Reasons for Polling, as users see them.
namespace reason {
inline constexpr std::string_view kNoToken = "No token";
inline constexpr std::string_view kNotConfigured = "Not configured";
inline constexpr std::string_view kAuthFailed = "Auth failed";
inline constexpr std::string_view kServerUnreachable = "Server unreachable";
// "Refused (<code>)" is built from the close code.
}  // namespace reason

}  // namespace pushsync
