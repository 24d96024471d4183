// The sequence numbers the engine has seen above its cursor (Recovery's gap), smallest first.
//
// They come out of order (a shuffled burst, a page that fills a gap), and nearly all of them lie
// just above the cursor: those are bits of a window of whole 64-bit words, one bit a number. Only
// a number that would stretch the window beyond kMaxWindowWords (a jump far ahead, a wild value
// from a backend) is kept in an ordered set instead. A std::set of every number cost 32 bytes a
// number in WebAssembly, and a chat that arrives shuffled holds nearly all of its numbers there
// until the gap closes: a twentieth of the heap per message, at the peak, which the heap keeps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <set>

namespace pushsync {

class SequenceSet {
 public:
  /// The window's largest span: 2^20 numbers in 128 KiB.
  static constexpr std::size_t kMaxWindowWords = std::size_t{1} << 14;

  bool empty() const { return bits_ == 0 && far_.empty(); }
  std::size_t size() const { return bits_ + far_.size(); }
  /// The smallest number; the set must not be empty.
  std::int64_t front() const;
  /// Removes the smallest number; the set must not be empty.
  void pop_front();
  /// Adds `n` (once: a number already in the set stays one).
  void insert(std::int64_t n);
  void clear();

 private:
  static constexpr std::int64_t kWordBits = 64;
  /// The first number of the word that holds `n` (rounded down, negative numbers too).
  static std::int64_t word_start(std::int64_t n) { return n - (n % kWordBits + kWordBits) % kWordBits; }
  std::int64_t window_end() const { return base_ + static_cast<std::int64_t>(words_.size()) * kWordBits; }
  std::int64_t first_bit() const;
  /// Moves the numbers of `far_` in [from, to) into the window, which now covers them.
  void take_from_far(std::int64_t from, std::int64_t to);

  std::int64_t base_ = 0;             ///< the number of bit 0 of words_[0]
  std::deque<std::uint64_t> words_;   ///< the window; its first word is never 0 while bits_ > 0
  std::size_t bits_ = 0;              ///< numbers in the window
  std::set<std::int64_t> far_;        ///< numbers outside the window
};

}  // namespace pushsync
