// The reads as values and the proof a minimal backend's page gives, as tables.
#include "pushsync/sync_plan.h"

#include <gtest/gtest.h>

#include "pushsync/iso_time.h"

namespace pushsync {
namespace {

constexpr std::int64_t kT0 = 1'796'032'800'000;  // message n has time kT0 + n s

MessagePage page_of(std::int64_t first, std::int64_t last, std::size_t rejected = 0) {
  MessagePage page;
  for (std::int64_t s = first; s <= last; ++s) {
    Message m;
    m.id = "m" + std::to_string(s);
    m.sequence = s;
    m.timestamp_ms = kT0 + s * 1000;
    page.messages.push_back(m);
  }
  page.rejected.resize(rejected, DecodeError{"bad"});
  return page;
}

TEST(SyncPlan, QueriesForEachRead) {
  EXPECT_EQ(query_for(read::Newest{}, 50, 100), (MessagesQuery{50, {}, {}}));
  EXPECT_EQ(query_for(read::Backfill{7}, 50, 100), (MessagesQuery{50, 7, {}}));
  EXPECT_EQ(query_for(read::Whole{}, 50, 100), (MessagesQuery{50, 0, {}}));
  EXPECT_EQ(query_for(read::ChangesSince{"T"}, 50, 100), (MessagesQuery{50, {}, std::string("T")}));
  EXPECT_EQ(query_for(read::Forward{}, 50, 100), (MessagesQuery{50, {}, {}}));
  // 1 ms before the known time: the message there comes back.
  EXPECT_EQ(query_for(read::Forward{kT0 + 3000, {}}, 50, 100),
            (MessagesQuery{50, {}, format_iso8601_ms(kT0 + 2999)}));
  EXPECT_EQ(query_for(read::Forward{kT0, "m0"}, 50, 100).limit, 100);  // a gap retry: the largest page
}

TEST(SyncPlan, ForwardProofTable) {
  using Next = ForwardProof::Next;
  struct Case {
    const char* name;
    read::Forward read;
    int limit;
    MessagePage page;
    std::int64_t run_end;
    Next next;
    bool connected;
    std::optional<int> cap;
  };
  const read::Forward after3{kT0 + 3000, {}};
  const std::vector<Case> cases = {
      {"no cursor, short page: done", {}, 50, page_of(1, 10), 0, Next::Done, true, {}},
      {"no cursor, full page: page on", {}, 50, page_of(1, 50), 0, Next::PageOn, true, {}},
      {"empty answer: done", after3, 50, page_of(1, 0), 3, Next::Done, true, {}},
      {"overlap, short: done", after3, 50, page_of(3, 20), 3, Next::Done, true, {}},
      {"overlap, full: page on", after3, 50, page_of(3, 52), 3, Next::PageOn, true, {}},
      {"full, no overlap: widen", after3, 50, page_of(34, 83), 3, Next::Widen, false, {}},
      {"full at the largest page, no overlap: gap", after3, 100, page_of(104, 203), 3, Next::Gap, false, {}},
      {"sequence numbers continue the run: connected", after3, 50, page_of(4, 53), 3, Next::PageOn, true, {}},
      {"shorter than asked, no overlap: the backend's cap", after3, 100, page_of(104, 123), 3, Next::Gap, false, 20},
      {"rejected entries count toward a full page", after3, 50, page_of(3, 51, 1), 3, Next::PageOn, true, {}},
      {"the same page again (since ignored): done", read::Forward{kT0 + 52'000, {}}, 50, page_of(3, 52), 52,
       Next::Done, true, {}},
  };
  for (const auto& c : cases) {
    const MessagesQuery query{c.limit, {}, {}};
    const ForwardProof proof = prove_forward(c.read, query, c.page, c.run_end, 100);
    EXPECT_EQ(proof.next, c.next) << c.name;
    EXPECT_EQ(proof.connected, c.connected) << c.name;
    EXPECT_EQ(proof.cap, c.cap) << c.name;
  }
}

TEST(SyncPlan, MissingBetweenCountsByTheNearestNumberedMessages) {
  MessageStore store;
  const auto add = [&](std::string id, std::int64_t sequence, std::int64_t time) {
    Message m;
    m.id = std::move(id);
    m.sequence = sequence;
    m.timestamp_ms = time;
    store.merge(m);
  };
  add("m3", 3, 3);
  add("a", 0, 4);  // unnumbered, between 3 and 10
  add("m10", 10, 10);
  EXPECT_EQ(missing_between(store, 1, 2), 5);             // 4..9 less the one stored unnumbered
  EXPECT_EQ(missing_between(store, 0, 1), 5);             // the same gap, seen from before "a"
  EXPECT_EQ(missing_between(store, std::nullopt, 0), 2);  // 1 and 2, before the first message
  MessageStore unnumbered;
  Message m;
  m.id = "x";
  unnumbered.merge(m);
  EXPECT_EQ(missing_between(unnumbered, std::nullopt, 0), std::nullopt);
}

}  // namespace
}  // namespace pushsync
