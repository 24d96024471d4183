// What a closed socket means for the next step, by close code (Pusher's classes, plus the codes a
// browser reports on its own).
#pragma once

namespace pushsync {

enum class CloseAction {
  DoNotRetry,    ///< 4000-4099: the server refuses this client; fall back to polling with a reason
  Backoff,       ///< 4100-4199 and unknown codes (1006 ...): retry after the backoff delay
  ReconnectNow,  ///< 4200-4299: the server asks for an immediate reconnect
};

/// Pusher's close-code classes. 1000 (normal) and 1001 (going away) back off too: from the server
/// side they mean it shut down or restarted, and a client should return once it is back.
CloseAction close_action(int code);

}  // namespace pushsync
