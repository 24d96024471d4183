#include "pushsync/typing.h"

namespace pushsync {

void TypingTracker::configure(TypingSource source, Millis timeout) {
  source_ = source;
  timeout_ = timeout;
}

void TypingTracker::reset() {
  server_seen_ = false;
  current_ = Typing{};
  until_.reset();
}

bool TypingTracker::inferring() const {
  return source_ == TypingSource::Infer || (source_ == TypingSource::Auto && !server_seen_);
}

bool TypingTracker::show(Typing next, std::optional<Millis> until) {
  until_ = next.is_typing ? until : std::nullopt;
  if (next == current_) return false;
  current_ = std::move(next);
  return true;
}

bool TypingTracker::server_event(bool is_typing, const std::string& context, Millis now) {
  if (source_ == TypingSource::Infer) return false;
  server_seen_ = true;
  return show(Typing{is_typing, is_typing ? context : ""}, now + timeout_);
}

bool TypingTracker::user_message(Millis now) {
  if (!inferring()) return false;
  return show(Typing{true, "thinking"}, now + timeout_);
}

bool TypingTracker::turn_done() {
  if (!inferring()) return false;
  return show(Typing{}, std::nullopt);
}

bool TypingTracker::expire() { return show(Typing{}, std::nullopt); }

}  // namespace pushsync
