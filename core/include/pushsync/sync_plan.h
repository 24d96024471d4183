// The engine's REST reads as values: what each asks for, and what a page of a minimal backend
// proves about what the store has. Pure functions, so every case is a table test.
//
// A minimal backend (the roadmap's: `limit` and `since` only, newest N or oldest N) proves nothing
// by itself. The proof is an overlap: `since` is the newest message time a complete read showed,
// less 1 ms, so the message there comes back; a page that holds it (or whose oldest message
// continues the run of sequence numbers) connects to what the store has. A full page that connects
// may have more after it (page on); one that does not was the backend's newest N (ask for its
// largest page; failing that, the messages in between are a gap).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "pushsync/api.h"
#include "pushsync/events.h"
#include "pushsync/message_store.h"

namespace pushsync {

namespace read {
/// The user's refresh: the newest page.
struct Newest {};
/// Paged: what follows the sequence cursor, page after page (`hasMore`).
struct Backfill { std::int64_t after = 0; };
/// Paged: every change since the `serverTime` of the last complete read.
struct ChangesSince { std::string since; };
/// Paged: the whole session from `afterSequence` 0, for a since cursor.
struct Whole {};
/// Minimal: messages after a known time; `from_ms` nullopt before the first complete read. When
/// `filling` names a gap's first message, the read retries that gap.
struct Forward {
  std::optional<std::int64_t> from_ms;
  std::string filling;
};
}  // namespace read

using Read = std::variant<read::Newest, read::Backfill, read::ChangesSince, read::Whole, read::Forward>;

/// The request for `read`: `page_limit` messages, or the backend's largest page for a gap retry.
MessagesQuery query_for(const Read& read, int page_limit, int max_limit);

/// What a page answered to a Forward read proves.
struct ForwardProof {
  enum class Next {
    Done,    ///< complete as far as the backend can tell
    PageOn,  ///< connected and full: more may follow after `newest_ms`
    Widen,   ///< not connected: ask again with the backend's largest page
    Gap,     ///< not connected at the largest page: the messages before `oldest_id` are a gap
  };
  Next next = Next::Done;
  bool connected = true;
  bool full = false;
  std::optional<std::int64_t> newest_ms;
  std::string newest_id;
  std::int64_t newest_sequence = 0;
  std::string oldest_id;
  std::int64_t oldest_sequence = 0;
  /// The backend gave fewer than asked without reaching the cursor: its largest page is this.
  std::optional<int> cap;
};

/// `returned` counts the page's entries, valid or not; `run_end` is the last sequence number of
/// the contiguous run the page should continue (-1: none).
ForwardProof prove_forward(const read::Forward& read, const MessagesQuery& query, const MessagePage& page,
                           std::int64_t run_end, int max_limit);

/// How many messages lie between store positions `after` (nullopt: the session's start) and
/// `before`, by the sequence numbers of the nearest numbered messages on each side, less the
/// messages stored between them. nullopt when a side has no numbered message.
std::optional<std::int64_t> missing_between(const MessageStore& store, std::optional<std::size_t> after,
                                            std::size_t before);

}  // namespace pushsync
