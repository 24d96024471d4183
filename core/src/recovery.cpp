#include "pushsync/recovery.h"

namespace pushsync {

void Recovery::reset(std::int64_t cursor) {
  cursor_ = cursor;
  above_.clear();
  unsettled_.clear();
  since_.clear();
  known_through_.reset();
  gaps_.clear();
  position_.reset();
}

bool Recovery::stored(std::int64_t sequence) {
  if (sequence <= cursor_) return false;
  if (sequence == cursor_ + 1) {
    ++cursor_;
    while (!above_.empty() && above_.front() == cursor_ + 1) {
      above_.pop_front();
      ++cursor_;
    }
    return false;
  }
  above_.insert(sequence);
  return true;
}

void Recovery::complete_through(std::int64_t newest) {
  if (newest > cursor_) cursor_ = newest;
  while (!above_.empty() && above_.front() <= cursor_ + 1) {
    if (above_.front() == cursor_ + 1) ++cursor_;
    above_.pop_front();
  }
}

void Recovery::set_unsettled(std::int64_t sequence, bool unsettled) {
  if (sequence <= 0) return;  // without a number it cannot move a sequence cursor
  if (unsettled) unsettled_.insert(sequence); else unsettled_.erase(sequence);
}

std::int64_t Recovery::sync_from() const {
  if (!unsettled_.empty() && *unsettled_.begin() - 1 < cursor_) return *unsettled_.begin() - 1;
  return cursor_;
}

}  // namespace pushsync
