// The small value the engine asks the host to keep across restarts (an MV3 service worker is
// stopped after 30 s idle): which session was synced, whether push was up, when, the REST cursor,
// and the backend an answer showed to be paged. Versioned JSON, so a newer engine can read an
// older value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pushsync/events.h"
#include "pushsync/result.h"
#include "pushsync/time.h"

namespace pushsync {

struct PersistedState {
  static constexpr int kVersion = 1;
  static constexpr std::string_view kKey = "pushsync.state";

  std::string session_id;
  bool was_connected = false;
  Millis saved_at = 0;  ///< the host's `now` when saved (informational: host clocks differ)
  std::int64_t cursor = 0;
  /// The API base whose answers carried `hasMore` ("" when none did): a restarted engine asks it
  /// `afterSequence` at once instead of starting Minimal-safe and reading by time, which re-reads
  /// every message of the copy's last millisecond. Only Paged is kept: a minimal backend upgraded
  /// later is still noticed, and a wrong guess is unlearnt by the first refusal (api.h).
  std::string paged_backend;

  bool operator==(const PersistedState&) const = default;
};

std::string encode_persisted_state(const PersistedState& state);
/// Reads any version up to kVersion; a newer or malformed value is an error (the host starts fresh).
Result<PersistedState, DecodeError> decode_persisted_state(std::string_view text);

}  // namespace pushsync
