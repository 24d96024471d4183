// The connection states a user sees, and which changes between them are legal.
//
// Theory of operation. The engine never stores this state: it derives it after every input from
// facts it keeps anyway (is a session selected and sync running, is the network up, is there a
// reason to fall back, is the channel subscribed, how many attempts failed), and reports a change.
// `is_legal_transition` is the table every change must be in; the engine asserts it and the
// simulation test checks it on every step, so a state the user sees never jumps oddly (for
// instance from Disconnected straight to Connected without Connecting).
#pragma once

#include <string>
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

/// Why the state is what it is, as a code that logic may branch on. Its text for people comes
/// from `describe` and appears only when a state is published.
enum class StateReason {
  None,               ///< Connected, Connecting: nothing to explain
  NotStarted,         ///< no configuration yet
  NoSession,          ///< no session selected
  Stopped,            ///< the host stopped sync
  NetworkOffline,     ///< the host reports no network
  NotConfigured,      ///< polling: no push server or key in the configuration
  NoToken,            ///< polling: no bearer token (logged out)
  AuthFailed,         ///< polling: channel auth refused; retried with backoff or a new token
  ServerUnreachable,  ///< polling: push failed `max_reconnect_attempts` times; probed in the background
  Refused,            ///< polling: the push server closed with 4000-4099 (do not retry)
  Retrying,           ///< reconnecting: an attempt failed, the next one waits for its backoff
};

/// A stable code for hosts ("auth_failed", ...).
const char* to_code(StateReason reason);
/// The text a person reads ("Auth failed", "Refused (4001)", "Attempt 2 of 5").
std::string describe(StateReason reason, int detail, int limit);

}  // namespace pushsync
