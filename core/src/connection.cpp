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

const char* to_code(StateReason reason) {
  switch (reason) {
    case StateReason::None: return "";
    case StateReason::NotStarted: return "not_started";
    case StateReason::NoSession: return "no_session";
    case StateReason::Stopped: return "stopped";
    case StateReason::NetworkOffline: return "network_offline";
    case StateReason::NotConfigured: return "not_configured";
    case StateReason::NoToken: return "no_token";
    case StateReason::AuthFailed: return "auth_failed";
    case StateReason::ServerUnreachable: return "server_unreachable";
    case StateReason::Refused: return "refused";
    case StateReason::Retrying: return "retrying";
  }
  return "";
}

std::string describe(StateReason reason, int detail, int limit) {
  switch (reason) {
    case StateReason::None: return "";
    case StateReason::NotStarted: return "Not configured";
    case StateReason::NoSession: return "No session";
    case StateReason::Stopped: return "Stopped";
    case StateReason::NetworkOffline: return "Network offline";
    case StateReason::NotConfigured: return "Not configured";
    case StateReason::NoToken: return "No token";
    case StateReason::AuthFailed: return "Auth failed";
    case StateReason::ServerUnreachable: return "Server unreachable";
    case StateReason::Refused: return "Refused (" + std::to_string(detail) + ")";
    case StateReason::Retrying: return "Attempt " + std::to_string(detail) + " of " + std::to_string(limit);
  }
  return "";
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
