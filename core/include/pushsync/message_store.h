// The ordered, de-duplicated messages of one chat session.
//
// Order is (server timestamp, sequence number, id); the id de-duplicates. Messages live in stable
// slots; the order is a list of small blocks of keys, so an insert anywhere costs a binary search
// plus a move inside one bounded block (O(log n)), an in-order append is a push_back (O(1)
// amortised), and a position is a block's prefix count plus an offset. A cap keeps the newest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pushsync/message.h"

namespace pushsync {

class MessageStore {
 public:
  static constexpr std::size_t kDefaultCapacity = 100'000;

  explicit MessageStore(std::size_t capacity = kDefaultCapacity);

  enum class Outcome { Inserted, Updated, Unchanged };

  /// Inserts a message, or merges it into the stored one with the same id. A stored message is
  /// only overwritten by a copy that is at least as new (by `updated_at`), so a stale REST page
  /// never reverts a fresher push update. May evict the oldest messages to stay within capacity.
  Outcome merge(Message message);

  /// Applies a status change in place (a `message_update`); Unchanged when the id is unknown, the
  /// update is older than the stored message, or nothing differs.
  Outcome update_status(std::string_view id, const std::string& status, const std::string& updated_at,
                        const std::optional<MessageError>& error);

  void clear();
  /// Changes the cap; evicts the oldest messages beyond it.
  void set_capacity(std::size_t capacity);

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t capacity() const { return capacity_; }
  /// How many messages the cap has evicted since construction (for counters and diffs).
  std::uint64_t evicted() const { return evicted_; }

  /// The message at `position` in order; `position < size()`.
  const Message& at(std::size_t position) const;
  const Message* find(std::string_view id) const;
  std::optional<std::size_t> position_of(std::string_view id) const;
  /// The newest message in order, or nullptr when empty.
  const Message* newest() const;

  /// Calls `visit(const Message&)` for positions [first, first + count), clamped to the store.
  template <class Visit>
  void for_each(std::size_t first, std::size_t count, Visit&& visit) const;

 private:
  // The time is in the key, so the binary searches rarely leave the blocks; the sequence number
  // and the id, which only order messages of the same millisecond, are read from the slot.
  struct Key {
    std::int64_t time;
    std::uint32_t slot;
  };
  static constexpr std::size_t kBlockSplit = 256;  // a block is split beyond this

  bool less(const Key& a, const Key& b) const;
  Key key_of(std::uint32_t slot) const { return {slots_[slot].timestamp_ms, slot}; }
  void insert_key(Key key);
  void split(std::size_t block, bool appended);
  void erase_key(Key key);
  std::size_t block_for(const Key& key) const;
  std::size_t block_start(std::size_t block) const;
  void evict_oldest();
  std::uint32_t allocate(Message&& message);

  std::size_t capacity_;
  std::size_t size_ = 0;
  std::uint64_t evicted_ = 0;
  std::deque<Message> slots_;  // a deque: elements never move, so by_id_ can key on views of ids
  std::vector<std::uint32_t> free_slots_;
  std::unordered_map<std::string_view, std::uint32_t> by_id_;
  std::vector<std::vector<Key>> blocks_;
  mutable std::vector<std::size_t> starts_;  // prefix counts of blocks, valid below starts_valid_
  mutable std::size_t starts_valid_ = 0;
};

template <class Visit>
void MessageStore::for_each(std::size_t first, std::size_t count, Visit&& visit) const {
  if (first >= size_) return;
  std::size_t remaining = count < size_ - first ? count : size_ - first;
  std::size_t block = 0;
  std::size_t offset = first;
  while (offset >= blocks_[block].size()) offset -= blocks_[block++].size();
  for (; remaining > 0; ++block, offset = 0) {
    for (std::size_t i = offset; i < blocks_[block].size() && remaining > 0; ++i, --remaining) {
      visit(slots_[blocks_[block][i].slot]);
    }
  }
}

}  // namespace pushsync
