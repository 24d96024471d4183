// Whether the assistant is typing: from the server's `typing` events, or inferred from the turn
// when the backend sends none (roadmap, Protocol Mapping: "infer typing between sending a user
// message and receiving interact_response").
//
// In Auto, inference runs until the first server `typing` event; from then on the server's word is
// the only source. Either way an indicator clears itself after the timeout, so a lost end of a
// turn never leaves it on.
#pragma once

#include <optional>
#include <string>

#include "pushsync/config.h"
#include "pushsync/time.h"

namespace pushsync {

struct Typing {
  bool is_typing = false;
  std::string context;
  bool operator==(const Typing&) const = default;
};

class TypingTracker {
 public:
  void configure(TypingSource source, Millis timeout);
  /// Starts over (a new session): off, and inference allowed again in Auto.
  void reset();

  // Each returns true when the visible indicator changed.
  /// A server `typing` event.
  bool server_event(bool is_typing, const std::string& context, Millis now);
  /// A user's message arrived live (pushed, or read while the chat is open): the turn begins.
  bool user_message(Millis now);
  /// The turn ended: `interact_response`, or the assistant's message arrived.
  bool turn_done();
  /// The timeout passed without an update.
  bool expire();

  const Typing& current() const { return current_; }
  /// When the indicator clears itself.
  std::optional<Millis> deadline() const { return until_; }

 private:
  bool inferring() const;
  bool show(Typing next, std::optional<Millis> until);

  TypingSource source_ = TypingSource::Auto;
  Millis timeout_ = 30'000;
  bool server_seen_ = false;
  Typing current_;
  std::optional<Millis> until_;
};

}  // namespace pushsync
