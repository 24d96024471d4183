#include "pushsync/sync_plan.h"

#include <algorithm>

#include "pushsync/iso_time.h"

namespace pushsync {

namespace {

template <class... Ts>
struct Overloaded : Ts... { using Ts::operator()...; };
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

MessagesQuery query_for(const Read& read, int page_limit, int max_limit) {
  MessagesQuery query;
  query.limit = page_limit;
  std::visit(Overloaded{
                 [](const read::Newest&) {},
                 [&](const read::Backfill& r) { query.after_sequence = r.after; },
                 [&](const read::ChangesSince& r) { query.since = r.since; },
                 [&](const read::Whole&) { query.after_sequence = 0; },
                 [&](const read::Forward& r) {
                   // 1 ms before the known time: the message there comes back, the overlap that
                   // proves the page connects (and `>` or `>=` on the server both work).
                   if (r.from_ms) query.since = format_iso8601_ms(*r.from_ms - 1);
                   if (!r.filling.empty()) query.limit = max_limit;
                 },
             },
             read);
  return query;
}

ForwardProof prove_forward(const read::Forward& read, const MessagesQuery& query, const MessagePage& page,
                           std::int64_t run_end, int max_limit) {
  ForwardProof proof;
  const int returned = static_cast<int>(page.messages.size() + page.rejected.size());
  const Message* oldest = nullptr;
  bool overlaps = false;
  for (const auto& message : page.messages) {
    if (!proof.newest_ms || message.timestamp_ms >= *proof.newest_ms) {
      proof.newest_ms = message.timestamp_ms;
      proof.newest_id = message.id;
    }
    proof.newest_sequence = std::max(proof.newest_sequence, message.sequence);
    if (read.from_ms && message.timestamp_ms <= *read.from_ms) overlaps = true;
    if (!oldest || message.timestamp_ms < oldest->timestamp_ms ||
        (message.timestamp_ms == oldest->timestamp_ms && message.sequence < oldest->sequence)) {
      oldest = &message;
    }
  }
  if (oldest) {
    proof.oldest_id = oldest->id;
    proof.oldest_sequence = oldest->sequence;
  }
  // Sequence numbers prove it too: the oldest message continues the contiguous run.
  const bool continues = oldest && oldest->sequence > 0 && run_end >= 0 && oldest->sequence <= run_end + 1;
  proof.connected = !read.from_ms || page.messages.empty() || overlaps || continues;
  if (!proof.connected && returned > 0 && returned < query.limit) proof.cap = returned;
  proof.full = returned >= query.limit || (!proof.connected && returned > 0);
  const bool advanced = proof.newest_ms && (!read.from_ms || *proof.newest_ms > *read.from_ms);
  if (!proof.connected) {
    proof.next = query.limit < (proof.cap ? std::min(*proof.cap, max_limit) : max_limit) ? ForwardProof::Next::Widen
                                                                                          : ForwardProof::Next::Gap;
  } else if (proof.full && advanced) {
    proof.next = ForwardProof::Next::PageOn;
  }
  return proof;
}

std::optional<std::int64_t> missing_between(const MessageStore& store, std::optional<std::size_t> after,
                                            std::size_t before) {
  std::int64_t low = 0;  // the session's start: numbering begins at 1
  std::size_t first_between = 0;
  if (after) {
    std::size_t i = *after + 1;
    while (i > 0 && store.at(i - 1).sequence <= 0) --i;
    if (i == 0) return std::nullopt;
    low = store.at(i - 1).sequence;
    first_between = i;
  }
  std::size_t high_at = before;
  while (high_at < store.size() && store.at(high_at).sequence <= 0) ++high_at;
  if (high_at >= store.size()) return std::nullopt;
  const std::int64_t high = store.at(high_at).sequence;
  const auto stored_between = static_cast<std::int64_t>(high_at - first_between);
  const std::int64_t missing = high - low - 1 - stored_between;
  return missing < 0 ? 0 : missing;
}

}  // namespace pushsync
