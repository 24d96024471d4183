#include "pushsync/connection.h"

namespace pushsync {

const char* to_string(ConnectionState state) {
  switch (state) {
    case ConnectionState::Disconnected: return "disconnected";
    case ConnectionState::Connecting: return "connecting";
    case ConnectionState::Connected: return "connected";
    case ConnectionState::Reconnecting: return "reconnecting";
    case ConnectionState::Polling: return "polling";
    case ConnectionState::Offline: return "offline";
  }
  return "unknown";
}

bool is_legal_transition(ConnectionState from, ConnectionState to) {
  using S = ConnectionState;
  if (from == to) return true;
  // Stopping, losing the network and falling back can happen from anywhere.
  if (to == S::Disconnected || to == S::Offline || to == S::Polling) return true;
  switch (from) {
    case S::Disconnected: return to == S::Connecting;
    case S::Connecting: return to == S::Connected || to == S::Reconnecting;
    // Connected -> Connecting: a new session is being subscribed on the same socket.
    case S::Connected: return to == S::Reconnecting || to == S::Connecting;
    case S::Reconnecting: return to == S::Connected || to == S::Connecting;
    // Polling -> Connected: the background probe subscribed; -> Connecting: a new token or config.
    case S::Polling: return to == S::Connected || to == S::Connecting;
    case S::Offline: return to == S::Connecting;
  }
  return false;
}

}  // namespace pushsync
