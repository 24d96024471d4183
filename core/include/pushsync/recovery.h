// What the engine knows it has: the newest contiguous sequence number of the session (the REST
// cursor), the sequence numbers seen above it (a gap), the messages that may still change, the
// server time up to which every change is known (the `since` cursor of a paged backend), the
// message time up to which every message is known (the `since` cursor of a minimal backend), the
// gaps a backend could not fill, and, with Sockudo protocol V2, the channel's stream position for
// `sockudo:resume`.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include <vector>

#include "pushsync/frame.h"
#include "pushsync/gap.h"
#include "pushsync/sequence_set.h"

namespace pushsync {

class Recovery {
 public:
  /// Start over for a session: nothing is known below `cursor`... and nothing above it.
  void reset(std::int64_t cursor = 0);

  /// Every sequence number up to this one is in the store (or was evicted by the cap).
  std::int64_t cursor() const { return cursor_; }
  /// A message with `sequence` was stored. Returns true when it opened a gap (it is above the
  /// cursor by more than one, so messages in between were missed).
  bool stored(std::int64_t sequence);
  bool has_gap() const { return !above_.empty(); }
  /// A sync (afterSequence=cursor, paged) reached the end: the server has nothing newer than
  /// `newest`, so everything up to it is accounted for, even numbers the server never used.
  void complete_through(std::int64_t newest);

  /// Tracks messages whose status may still change; a sync starts below the oldest of them.
  void set_unsettled(std::int64_t sequence, bool unsettled);
  bool has_unsettled() const { return !unsettled_.empty(); }
  /// Where the next sync starts: `afterSequence` for the REST request.
  std::int64_t sync_from() const;

  /// Server time up to which every insert and update is in the store ("" while unknown): a
  /// `since` sync from it catches status changes that push missed, which sequence numbers cannot.
  const std::string& since() const { return since_; }
  void set_since(std::string since) { since_ = std::move(since); }

  /// Every message with a timestamp up to this (ms since the epoch) is in the store, as a complete
  /// REST read proved; nullopt before the first. Only server data moves it, never the client clock.
  std::optional<std::int64_t> known_through() const { return known_through_; }
  void known_through(std::int64_t ms) {
    if (!known_through_ || ms > *known_through_) known_through_ = ms;
  }

  /// Messages the backend could not give, in store order.
  const std::vector<Gap>& gaps() const { return gaps_; }
  std::vector<Gap>& gaps() { return gaps_; }

  /// Sockudo V2: the channel's position, from the newest delivered frame.
  const std::optional<ResumePosition>& position() const { return position_; }
  void set_position(std::optional<ResumePosition> position) { position_ = std::move(position); }

 private:
  std::int64_t cursor_ = 0;
  SequenceSet above_;
  std::set<std::int64_t> unsettled_;
  std::string since_;
  std::optional<std::int64_t> known_through_;
  std::vector<Gap> gaps_;
  std::optional<ResumePosition> position_;
};

}  // namespace pushsync
