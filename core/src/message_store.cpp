#include "pushsync/message_store.h"

#include <algorithm>
#include <cassert>

namespace pushsync {

bool is_unsettled_status(const std::string& status) {
  return status == "pending" || status == "sending" || status == "processing" || status == "streaming";
}

namespace {

// True when `incoming` is older than `stored`; unparsable or missing times never count as older,
// so a server that sends no `updatedAt` still gets its updates applied.
bool is_older(const TimeText& incoming, const TimeText& stored) {
  const auto a = incoming.ms();
  const auto b = stored.ms();
  return a && b && *a < *b;
}

}  // namespace

MessageStore::MessageStore(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

bool MessageStore::less(const Key& a, const Key& b) const {
  // Time first, so a message without a sequence number (0) sits among the rest by its time, as
  // the roadmap sorts; on a backend that numbers messages as it stores them, time order is
  // sequence order, and the sequence number orders messages of the same millisecond.
  if (a.time != b.time) return a.time < b.time;
  const Message& x = slots_[a.slot];
  const Message& y = slots_[b.slot];
  if (x.sequence != y.sequence) return x.sequence < y.sequence;
  return x.id < y.id;
}

std::size_t MessageStore::block_for(const Key& key) const {
  // The first block whose last key is not less than `key`; past the end, the last block.
  std::size_t lo = 0, hi = blocks_.size();
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (less(blocks_[mid].back(), key)) lo = mid + 1; else hi = mid;
  }
  return lo == blocks_.size() ? lo - 1 : lo;
}

std::size_t MessageStore::block_start(std::size_t block) const {
  if (starts_.size() < blocks_.size() + 1) starts_.resize(blocks_.size() + 1);
  if (starts_valid_ == 0) {
    starts_[0] = 0;
    starts_valid_ = 1;
  }
  while (starts_valid_ <= block) {
    starts_[starts_valid_] = starts_[starts_valid_ - 1] + blocks_[starts_valid_ - 1].size();
    ++starts_valid_;
  }
  return starts_[block];
}

void MessageStore::insert_key(Key key) {
  ++size_;
  if (blocks_.empty()) {
    blocks_.push_back({key});
    starts_valid_ = 0;
    return;
  }
  auto& last = blocks_.back();
  std::size_t b;
  const bool appended = less(last.back(), key);
  if (appended) {  // the common case: the newest message, appended in order
    b = blocks_.size() - 1;
    last.push_back(key);
  } else {
    b = block_for(key);
    auto& block = blocks_[b];
    block.insert(std::upper_bound(block.begin(), block.end(), key,
                                  [this](const Key& x, const Key& y) { return less(x, y); }),
                 key);
  }
  starts_valid_ = std::min(starts_valid_, b + 1);
  if (blocks_[b].size() > kBlockSplit) split(b, appended);
}

// Appends in order fill a block to the brim and go on in a new one (the block behind them is done
// with: halves would leave every block of a chat loaded in order half empty); an insert elsewhere
// splits in halves, so that both have room for more. The part kept is trimmed to its size: it grew
// by doubling, and a block's spare room is paid for every message in it.
void MessageStore::split(std::size_t b, bool appended) {
  auto& block = blocks_[b];
  const std::size_t keep = appended ? kBlockSplit : kBlockSplit / 2;
  std::vector<Key> upper(block.begin() + static_cast<std::ptrdiff_t>(keep), block.end());
  block.resize(keep);
  block.shrink_to_fit();
  blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(b) + 1, std::move(upper));
}

void MessageStore::erase_key(Key key) {
  const std::size_t b = block_for(key);
  auto& block = blocks_[b];
  const auto it = std::find_if(block.begin(), block.end(), [&](const Key& k) { return k.slot == key.slot; });
  assert(it != block.end());
  block.erase(it);
  --size_;
  if (block.empty()) blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(b));
  starts_valid_ = std::min(starts_valid_, b + 1);
}

std::uint32_t MessageStore::allocate(Message&& message) {
  if (!free_slots_.empty()) {
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    slots_[slot] = std::move(message);
    return slot;
  }
  slots_.push_back(std::move(message));
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void MessageStore::evict_oldest() {
  const Key oldest = blocks_.front().front();
  by_id_.erase(slots_[oldest.slot].id);
  erase_key(oldest);
  slots_[oldest.slot] = Message{};  // release the strings now, not when the slot is reused
  free_slots_.push_back(oldest.slot);
  ++evicted_;
}

MessageStore::Outcome MessageStore::merge(Message message) {
  const auto found = by_id_.find(message.id);
  if (found == by_id_.end()) {
    const std::uint32_t slot = allocate(std::move(message));
    by_id_.emplace(slots_[slot].id, slot);
    insert_key(key_of(slot));
    while (size_ > capacity_) evict_oldest();
    return Outcome::Inserted;
  }
  const std::uint32_t slot = found->second;
  Message& stored = slots_[slot];
  if (stored == message || is_older(message.updated_at, stored.updated_at)) return Outcome::Unchanged;
  const bool moves = stored.sequence != message.sequence || stored.timestamp_ms != message.timestamp_ms;
  if (!moves) {
    // Same id string, same place: assign field by field so by_id_'s view of the id stays valid.
    stored.role = std::move(message.role);
    stored.content = std::move(message.content);
    stored.status = std::move(message.status);
    stored.timestamp = std::move(message.timestamp);
    stored.updated_at = std::move(message.updated_at);
    stored.action_payload = std::move(message.action_payload);
    stored.error = std::move(message.error);
    // An update that does not repeat the sender's id keeps the one already known.
    if (!message.client_message_id.empty()) stored.client_message_id = std::move(message.client_message_id);
    return Outcome::Updated;
  }
  // A server that renumbered a message: move it to its new place.
  erase_key(key_of(slot));
  by_id_.erase(found);
  slots_[slot] = std::move(message);
  by_id_.emplace(slots_[slot].id, slot);
  insert_key(key_of(slot));
  return Outcome::Updated;
}

MessageStore::Outcome MessageStore::update_status(std::string_view id, const std::string& status,
                                                  const std::string& updated_at,
                                                  const std::optional<MessageError>& error) {
  const auto found = by_id_.find(id);
  if (found == by_id_.end()) return Outcome::Unchanged;
  Message& stored = slots_[found->second];
  TimeText incoming(updated_at);
  if (is_older(incoming, stored.updated_at)) return Outcome::Unchanged;
  if (stored.status == status && stored.error == error && (incoming.empty() || stored.updated_at == incoming)) {
    return Outcome::Unchanged;
  }
  stored.status = status;
  stored.error = error;
  if (!incoming.empty()) stored.updated_at = std::move(incoming);
  return Outcome::Updated;
}

void MessageStore::clear() {
  slots_.clear();
  free_slots_.clear();
  by_id_.clear();
  blocks_.clear();
  starts_valid_ = 0;
  size_ = 0;
}

void MessageStore::set_capacity(std::size_t capacity) {
  capacity_ = capacity == 0 ? 1 : capacity;
  while (size_ > capacity_) evict_oldest();
}

const Message& MessageStore::at(std::size_t position) const {
  assert(position < size_);
  block_start(blocks_.size() - 1);
  // The last block whose start is <= position.
  const auto it = std::upper_bound(starts_.begin(), starts_.begin() + static_cast<std::ptrdiff_t>(blocks_.size()), position);
  const std::size_t b = static_cast<std::size_t>(it - starts_.begin()) - 1;
  return slots_[blocks_[b][position - starts_[b]].slot];
}

const Message* MessageStore::find(std::string_view id) const {
  const auto found = by_id_.find(id);
  return found == by_id_.end() ? nullptr : &slots_[found->second];
}

std::optional<std::size_t> MessageStore::position_of(std::string_view id) const {
  const auto found = by_id_.find(id);
  if (found == by_id_.end()) return std::nullopt;
  const Key key = key_of(found->second);
  const std::size_t b = block_for(key);
  const auto& block = blocks_[b];
  const auto it = std::lower_bound(block.begin(), block.end(), key,
                                   [this](const Key& x, const Key& y) { return less(x, y); });
  return block_start(b) + static_cast<std::size_t>(it - block.begin());
}

const Message* MessageStore::newest() const {
  return blocks_.empty() ? nullptr : &slots_[blocks_.back().back().slot];
}

}  // namespace pushsync
