#include "pushsync/close_policy.h"

namespace pushsync {

CloseAction close_action(int code) {
  if (code >= 4000 && code <= 4099) return CloseAction::DoNotRetry;
  if (code >= 4200 && code <= 4299) return CloseAction::ReconnectNow;
  return CloseAction::Backoff;
}

}  // namespace pushsync
