#include "pushsync/sequence_set.h"

#include <bit>
#include <cassert>

namespace pushsync {

std::int64_t SequenceSet::first_bit() const {
  return base_ + std::countr_zero(words_.front());
}

std::int64_t SequenceSet::front() const {
  assert(!empty());
  if (bits_ == 0) return *far_.begin();
  const std::int64_t in_window = first_bit();
  return !far_.empty() && *far_.begin() < in_window ? *far_.begin() : in_window;
}

void SequenceSet::pop_front() {
  assert(!empty());
  if (bits_ == 0 || (!far_.empty() && *far_.begin() < first_bit())) {
    far_.erase(far_.begin());
    return;
  }
  words_.front() &= words_.front() - 1;  // the lowest set bit cleared
  if (--bits_ == 0) {
    words_.clear();
    return;
  }
  // Keep the window tight at its start, so that it has room to grow upwards.
  while (words_.front() == 0) {
    words_.pop_front();
    base_ += kWordBits;
  }
}

void SequenceSet::insert(std::int64_t n) {
  if (bits_ == 0) {
    words_.clear();
    if (far_.count(n)) return;
    base_ = word_start(n);
    words_.push_back(0);
    take_from_far(base_, window_end());
  } else if (n < base_) {
    const auto grow = static_cast<std::size_t>((base_ - word_start(n)) / kWordBits);
    if (words_.size() + grow > kMaxWindowWords) {
      far_.insert(n);
      return;
    }
    const std::int64_t old_base = base_;
    words_.insert(words_.begin(), grow, 0);
    base_ -= static_cast<std::int64_t>(grow) * kWordBits;
    take_from_far(base_, old_base);
  } else if (n >= window_end()) {
    const auto grow = static_cast<std::size_t>((word_start(n) - window_end()) / kWordBits) + 1;
    if (words_.size() + grow > kMaxWindowWords) {
      far_.insert(n);
      return;
    }
    const std::int64_t old_end = window_end();
    words_.insert(words_.end(), grow, 0);
    take_from_far(old_end, window_end());
  }
  const auto offset = static_cast<std::size_t>(n - base_);
  std::uint64_t& word = words_[offset / kWordBits];
  const std::uint64_t bit = std::uint64_t{1} << (offset % kWordBits);
  if (word & bit) return;
  word |= bit;
  ++bits_;
}

void SequenceSet::take_from_far(std::int64_t from, std::int64_t to) {
  auto it = far_.lower_bound(from);
  while (it != far_.end() && *it < to) {
    const auto offset = static_cast<std::size_t>(*it - base_);
    words_[offset / kWordBits] |= std::uint64_t{1} << (offset % kWordBits);
    ++bits_;
    it = far_.erase(it);
  }
}

void SequenceSet::clear() {
  words_.clear();
  bits_ = 0;
  far_.clear();
}

}  // namespace pushsync
