// The ordered, de-duplicated message store, through its public interface: merge, update_status,
// the cap, and the three read paths (at, position_of, for_each), which must always agree.
#include "pushsync/message_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace pushsync {
namespace {

Message make(std::string id, std::int64_t sequence, std::int64_t timestamp_ms = 0, std::string status = "sent",
             std::string updated_at = "") {
  Message m;
  m.id = std::move(id);
  m.sequence = sequence;
  m.role = "user";
  m.content = "content of " + m.id;
  m.status = std::move(status);
  m.timestamp = "t" + std::to_string(timestamp_ms);
  m.timestamp_ms = timestamp_ms;
  m.updated_at = std::move(updated_at);
  return m;
}

bool in_store_order(const Message& a, const Message& b) {
  return std::tie(a.timestamp_ms, a.sequence, a.id) < std::tie(b.timestamp_ms, b.sequence, b.id);
}

std::vector<std::string> ids_by_at(const MessageStore& store) {
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < store.size(); ++i) ids.push_back(store.at(i).id);
  return ids;
}

std::vector<std::string> ids_by_for_each(const MessageStore& store, std::size_t first = 0,
                                         std::size_t count = SIZE_MAX) {
  std::vector<std::string> ids;
  store.for_each(first, count, [&](const Message& m) { ids.push_back(m.id); });
  return ids;
}

// The read paths agree with each other and with `expected`, and every message is findable.
void expect_contents(const MessageStore& store, const std::vector<Message>& expected) {
  ASSERT_EQ(store.size(), expected.size());
  EXPECT_EQ(store.empty(), expected.empty());
  std::vector<std::string> expected_ids;
  for (const auto& m : expected) expected_ids.push_back(m.id);
  EXPECT_EQ(ids_by_at(store), expected_ids);
  EXPECT_EQ(ids_by_for_each(store), expected_ids);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(store.at(i), expected[i]) << i;
    ASSERT_EQ(store.position_of(expected[i].id), i) << expected[i].id;
    const Message* found = store.find(expected[i].id);
    ASSERT_NE(found, nullptr);
    ASSERT_EQ(*found, expected[i]);
  }
  if (expected.empty()) {
    EXPECT_EQ(store.newest(), nullptr);
  } else {
    ASSERT_NE(store.newest(), nullptr);
    EXPECT_EQ(*store.newest(), expected.back());
  }
}

// ---------------------------------------------------------------------------------------------
// De-duplication and order.

TEST(MessageStore, StartsEmpty) {
  const MessageStore store;
  expect_contents(store, {});
  EXPECT_EQ(store.capacity(), MessageStore::kDefaultCapacity);
  EXPECT_EQ(store.evicted(), 0u);
  EXPECT_EQ(store.find("m1"), nullptr);
  EXPECT_EQ(store.position_of("m1"), std::nullopt);
  EXPECT_TRUE(ids_by_for_each(store, 0, 10).empty());
}

TEST(MessageStore, DeduplicatesById) {
  MessageStore store;
  EXPECT_EQ(store.merge(make("m1", 1, 100)), MessageStore::Outcome::Inserted);
  EXPECT_EQ(store.merge(make("m1", 1, 100)), MessageStore::Outcome::Unchanged);
  EXPECT_EQ(store.merge(make("m2", 2, 200)), MessageStore::Outcome::Inserted);
  EXPECT_EQ(store.merge(make("m1", 1, 100)), MessageStore::Outcome::Unchanged);
  expect_contents(store, {make("m1", 1, 100), make("m2", 2, 200)});
}

TEST(MessageStore, OrdersByTimestampThenSequenceThenId) {
  struct Case {
    const char* name;
    std::vector<Message> inserts;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"timestamp wins over sequence and id",
       {make("a", 3, 100), make("b", 1, 300), make("c", 2, 200)}, {"a", "c", "b"}},
      {"same timestamp: sequence decides", {make("a", 3, 5), make("b", 1, 5), make("c", 2, 5)}, {"b", "c", "a"}},
      {"no sequence number: placed by its time", {make("a", 1, 100), make("b", 2, 200), make("u", 0, 150)},
       {"a", "u", "b"}},
      {"same sequence and timestamp: id decides", {make("m3", 5, 7), make("m1", 5, 7), make("m2", 5, 7)},
       {"m1", "m2", "m3"}},
      {"id compares bytewise", {make("b", 1, 0), make("B", 1, 0), make("a", 1, 0), make("10", 1, 0), make("9", 1, 0)},
       {"10", "9", "B", "a", "b"}},
      {"negative and huge values",
       {make("x", INT64_MAX, 0), make("y", 1, INT64_MIN), make("z", 1, INT64_MAX), make("w", INT64_MIN, 0)},
       {"y", "w", "x", "z"}},
      {"appended in order", {make("a", 1, 1), make("b", 2, 2), make("c", 3, 3)}, {"a", "b", "c"}},
      {"inserted in reverse", {make("c", 3, 3), make("b", 2, 2), make("a", 1, 1)}, {"a", "b", "c"}},
  };
  for (const auto& c : cases) {
    MessageStore store;
    for (const auto& m : c.inserts) EXPECT_EQ(store.merge(m), MessageStore::Outcome::Inserted) << c.name;
    EXPECT_EQ(ids_by_at(store), c.expected) << c.name;
    EXPECT_EQ(ids_by_for_each(store), c.expected) << c.name;
  }
}

// 10,000 messages with colliding sequence numbers and timestamps, plus exact duplicates, inserted
// in a seeded random order: the store ends sorted and unique, the same as std::sort of the set.
TEST(MessageStore, ShuffledInsertsWithDuplicatesEndSortedAndUnique) {
  std::mt19937 random(0x5eed);
  std::vector<Message> unique;
  for (int i = 0; i < 10'000; ++i) {
    unique.push_back(make("m" + std::to_string(i), std::uniform_int_distribution<std::int64_t>(1, 4'000)(random),
                          std::uniform_int_distribution<std::int64_t>(0, 20)(random)));
  }
  std::vector<Message> inserts = unique;
  for (int i = 0; i < 3'000; ++i) inserts.push_back(unique[random() % unique.size()]);
  std::shuffle(inserts.begin(), inserts.end(), random);

  MessageStore store;
  std::size_t inserted = 0, unchanged = 0;
  for (const auto& m : inserts) {
    const auto outcome = store.merge(m);
    ASSERT_NE(outcome, MessageStore::Outcome::Updated) << m.id;
    (outcome == MessageStore::Outcome::Inserted ? inserted : unchanged)++;
  }
  EXPECT_EQ(inserted, 10'000u);
  EXPECT_EQ(unchanged, 3'000u);
  std::vector<Message> expected = unique;
  std::sort(expected.begin(), expected.end(), in_store_order);
  expect_contents(store, expected);
  EXPECT_EQ(store.evicted(), 0u);
}

// A chat loaded in order fills its blocks to the brim; messages that arrive late then land inside
// those full blocks (each splits), and order, positions and reads stay right.
TEST(MessageStore, LateMessagesInsideAChatLoadedInOrder) {
  MessageStore store;
  std::vector<Message> expected;
  for (int i = 0; i < 1'000; ++i) {
    expected.push_back(make("m" + std::to_string(i), 2 * i + 2, 10 * i));
    ASSERT_EQ(store.merge(expected.back()), MessageStore::Outcome::Inserted);
  }
  std::vector<Message> late;
  for (int i = 0; i < 1'000; i += 3) late.push_back(make("late" + std::to_string(i), 2 * i + 3, 10 * i + 5));
  std::mt19937 random(11);
  std::shuffle(late.begin(), late.end(), random);
  for (const auto& m : late) ASSERT_EQ(store.merge(m), MessageStore::Outcome::Inserted);
  expected.insert(expected.end(), late.begin(), late.end());
  std::sort(expected.begin(), expected.end(), in_store_order);
  expect_contents(store, expected);
  for (std::size_t i = 0; i < expected.size(); i += 97) EXPECT_EQ(store.position_of(expected[i].id), i);
  EXPECT_EQ(ids_by_for_each(store, 250, 20).front(), expected[250].id);
}

TEST(MessageStore, ReadPathsAgreeOnWindows) {
  MessageStore store;
  std::mt19937 random(7);
  std::vector<Message> expected;
  for (int i = 0; i < 1'000; ++i) expected.push_back(make("m" + std::to_string(i), i + 1, i));
  std::vector<Message> shuffled = expected;
  std::shuffle(shuffled.begin(), shuffled.end(), random);
  for (const auto& m : shuffled) store.merge(m);

  struct Window {
    std::size_t first, count, expected_count;
  };
  for (const Window w : {Window{0, 0, 0}, Window{0, 1, 1}, Window{0, 1'000, 1'000}, Window{0, 5'000, 1'000},
                         Window{255, 3, 3}, Window{256, 300, 300}, Window{999, 1, 1}, Window{999, 10, 1},
                         Window{1'000, 1, 0}, Window{5'000, 1, 0}, Window{500, SIZE_MAX, 500}}) {
    const auto ids = ids_by_for_each(store, w.first, w.count);
    ASSERT_EQ(ids.size(), w.expected_count) << w.first << "+" << w.count;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      EXPECT_EQ(ids[i], store.at(w.first + i).id);
      EXPECT_EQ(store.position_of(ids[i]), w.first + i);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// update_status and merge of a newer copy.

constexpr const char* kT1 = "2026-11-29T13:00:01.000Z";
constexpr const char* kT2 = "2026-11-29T13:00:02.000Z";
constexpr const char* kT3 = "2026-11-29T13:00:03.000Z";

TEST(MessageStore, UpdateStatusTable) {
  struct Case {
    const char* name;
    std::string id;
    std::string status;
    std::string updated_at;
    std::optional<MessageError> error;
    MessageStore::Outcome outcome;
    std::string status_after;
    std::string updated_at_after;
    std::optional<MessageError> error_after;
  };
  using O = MessageStore::Outcome;
  const MessageError boom{"E1", "boom"};
  const std::vector<Case> cases = {
      {"applies a newer status", "m1", "success", kT3, {}, O::Updated, "success", kT3, {}},
      {"applies an error", "m1", "failure", kT3, boom, O::Updated, "failure", kT3, boom},
      {"same time is not older", "m1", "success", kT2, {}, O::Updated, "success", kT2, {}},
      {"without a time it applies and keeps the stored time", "m1", "success", "", {}, O::Updated, "success", kT2, {}},
      {"unparsable time never counts as older", "m1", "success", "garbage", {}, O::Updated, "success", "garbage", {}},
      {"ignores an older update", "m1", "failure", kT1, boom, O::Unchanged, "pending", kT2, {}},
      {"ignores an unknown id", "nope", "success", kT3, {}, O::Unchanged, "pending", kT2, {}},
      {"nothing differs", "m1", "pending", kT2, {}, O::Unchanged, "pending", kT2, {}},
      {"nothing differs, no time", "m1", "pending", "", {}, O::Unchanged, "pending", kT2, {}},
      {"only the time differs", "m1", "pending", kT3, {}, O::Updated, "pending", kT3, {}},
  };
  for (const auto& c : cases) {
    MessageStore store;
    store.merge(make("m1", 1, 0, "pending", kT2));
    store.merge(make("m2", 2, 0));
    EXPECT_EQ(store.update_status(c.id, c.status, c.updated_at, c.error), c.outcome) << c.name;
    const Message* m1 = store.find("m1");
    ASSERT_NE(m1, nullptr);
    EXPECT_EQ(m1->status, c.status_after) << c.name;
    EXPECT_EQ(m1->updated_at, c.updated_at_after) << c.name;
    EXPECT_EQ(m1->error, c.error_after) << c.name;
    EXPECT_EQ(store.size(), 2u) << c.name;
    EXPECT_EQ(store.find("m2")->status, "sent") << c.name;
    EXPECT_EQ(store.position_of("m1"), 0u) << c.name;
  }
}

TEST(MessageStore, MergeOfAnOlderCopyDoesNotRevert) {
  MessageStore store;
  store.merge(make("m1", 1, 0, "pending", kT1));
  Message fresh = make("m1", 1, 0, "success", kT3);
  fresh.content = "final answer";
  EXPECT_EQ(store.merge(fresh), MessageStore::Outcome::Updated);
  // A stale REST page still carries the pending copy.
  EXPECT_EQ(store.merge(make("m1", 1, 0, "pending", kT2)), MessageStore::Outcome::Unchanged);
  EXPECT_EQ(*store.find("m1"), fresh);
  // Nor does a status update from before.
  EXPECT_EQ(store.update_status("m1", "pending", kT1, {}), MessageStore::Outcome::Unchanged);
  EXPECT_EQ(*store.find("m1"), fresh);
  // A copy as new as the stored one applies.
  Message same_time = fresh;
  same_time.content = "edited at the same instant";
  EXPECT_EQ(store.merge(same_time), MessageStore::Outcome::Updated);
  EXPECT_EQ(store.find("m1")->content, "edited at the same instant");
  EXPECT_EQ(store.size(), 1u);
}

TEST(MessageStore, MergeUpdatesEveryFieldInPlace) {
  MessageStore store;
  store.merge(make("m0", 0, 0));
  store.merge(make("m1", 1, 10, "pending", kT1));
  store.merge(make("m2", 2, 20));
  Message changed = make("m1", 1, 10, "failure", kT2);
  changed.role = "assistant";
  changed.content = "new content";
  changed.timestamp = "same instant, other text";
  changed.action_payload = R"({"a":1})";
  changed.error = MessageError{"E", "bad"};
  EXPECT_EQ(store.merge(changed), MessageStore::Outcome::Updated);
  expect_contents(store, {make("m0", 0, 0), changed, make("m2", 2, 20)});
}

TEST(MessageStore, AnUpdateWithoutTheSendersIdKeepsIt) {
  MessageStore store;
  Message sent = make("m1", 1, 10, "pending", kT1);
  sent.client_message_id = "c-1";
  store.merge(sent);
  // A message_update, or a backend whose later answers omit it: the id a host matches by stays.
  Message updated = make("m1", 1, 10, "success", kT2);
  EXPECT_EQ(store.merge(updated), MessageStore::Outcome::Updated);
  updated.client_message_id = "c-1";
  expect_contents(store, {updated});
}

TEST(MessageStore, RenumberedMessageMoves) {
  MessageStore store;
  for (int i = 1; i <= 5; ++i) store.merge(make("m" + std::to_string(i), i, i * 10));
  // The server moved m2 in time to after m5.
  EXPECT_EQ(store.merge(make("m2", 2, 60)), MessageStore::Outcome::Updated);
  expect_contents(store, {make("m1", 1, 10), make("m3", 3, 30), make("m4", 4, 40), make("m5", 5, 50),
                          make("m2", 2, 60)});
  // And back to the front.
  EXPECT_EQ(store.merge(make("m2", 2, 5)), MessageStore::Outcome::Updated);
  expect_contents(store, {make("m2", 2, 5), make("m1", 1, 10), make("m3", 3, 30), make("m4", 4, 40),
                          make("m5", 5, 50)});
  // Same time, renumbered: it moves within the millisecond.
  store.merge(make("x", 4, 40));
  EXPECT_EQ(store.merge(make("m4", 5, 40)), MessageStore::Outcome::Updated);
  expect_contents(store, {make("m2", 2, 5), make("m1", 1, 10), make("m3", 3, 30), make("x", 4, 40),
                          make("m4", 5, 40), make("m5", 5, 50)});
}

TEST(MessageStore, ManyRenumberingsKeepOrder) {
  std::mt19937 random(99);
  MessageStore store;
  std::vector<Message> truth;
  for (int i = 0; i < 2'000; ++i) {
    truth.push_back(make("m" + std::to_string(i), i + 1, 0));
    store.merge(truth.back());
  }
  for (int round = 0; round < 2'000; ++round) {
    auto& m = truth[random() % truth.size()];
    m.sequence = std::uniform_int_distribution<std::int64_t>(1, 2'500)(random);
    m.timestamp_ms = std::uniform_int_distribution<std::int64_t>(0, 3)(random);
    store.merge(m);
  }
  std::sort(truth.begin(), truth.end(), in_store_order);
  expect_contents(store, truth);
}

// ---------------------------------------------------------------------------------------------
// The cap.

TEST(MessageStore, CapacityKeepsTheNewestAndCountsEvictions) {
  MessageStore store(3);
  EXPECT_EQ(store.capacity(), 3u);
  for (int i = 1; i <= 5; ++i) store.merge(make("m" + std::to_string(i), i, 0));
  expect_contents(store, {make("m3", 3, 0), make("m4", 4, 0), make("m5", 5, 0)});
  EXPECT_EQ(store.evicted(), 2u);
  EXPECT_EQ(store.find("m1"), nullptr);
  EXPECT_EQ(store.position_of("m2"), std::nullopt);

  // A message older than everything kept is evicted at once; the newest stay.
  store.merge(make("old", 0, 0));
  expect_contents(store, {make("m3", 3, 0), make("m4", 4, 0), make("m5", 5, 0)});
  EXPECT_EQ(store.evicted(), 3u);

  // One in the middle pushes out the oldest.
  store.merge(make("mid", 4, 0));
  expect_contents(store, {make("m4", 4, 0), make("mid", 4, 0), make("m5", 5, 0)});
  EXPECT_EQ(store.evicted(), 4u);

  // An evicted id can come back (slots are reused) when it is newer than the oldest kept.
  store.merge(make("m1", 9, 0));
  expect_contents(store, {make("mid", 4, 0), make("m5", 5, 0), make("m1", 9, 0)});
}

TEST(MessageStore, CapacityUnderShuffledLoadKeepsTheTopMessages) {
  std::mt19937 random(4242);
  std::vector<Message> unique;
  for (int i = 0; i < 10'000; ++i) {
    unique.push_back(make("m" + std::to_string(i), std::uniform_int_distribution<std::int64_t>(1, 5'000)(random), i % 7));
  }
  std::vector<Message> inserts = unique;
  for (int i = 0; i < 2'000; ++i) inserts.push_back(unique[random() % unique.size()]);
  std::shuffle(inserts.begin(), inserts.end(), random);

  MessageStore store(1'000);
  std::uint64_t inserted = 0;
  for (const auto& m : inserts) inserted += store.merge(m) == MessageStore::Outcome::Inserted;
  std::vector<Message> expected = unique;
  std::sort(expected.begin(), expected.end(), in_store_order);
  expected.erase(expected.begin(), expected.end() - 1'000);
  expect_contents(store, expected);
  EXPECT_EQ(store.evicted(), inserted - 1'000);
}

TEST(MessageStore, SetCapacityTable) {
  struct Case {
    std::size_t capacity;
    std::size_t capacity_after;
    std::size_t size_after;
  };
  for (const Case c : {Case{10, 10, 5}, Case{5, 5, 5}, Case{4, 4, 4}, Case{1, 1, 1}, Case{0, 1, 1}}) {
    MessageStore store;
    for (int i = 1; i <= 5; ++i) store.merge(make("m" + std::to_string(i), i, 0));
    store.set_capacity(c.capacity);
    EXPECT_EQ(store.capacity(), c.capacity_after) << c.capacity;
    ASSERT_EQ(store.size(), c.size_after) << c.capacity;
    EXPECT_EQ(store.evicted(), 5 - c.size_after) << c.capacity;
    EXPECT_EQ(store.at(0).sequence, static_cast<std::int64_t>(5 - c.size_after + 1)) << c.capacity;
    EXPECT_EQ(store.newest()->id, "m5") << c.capacity;
  }
  EXPECT_EQ(MessageStore(0).capacity(), 1u);
}

TEST(MessageStore, ClearEmptiesAndStaysUsable) {
  MessageStore store(3);
  for (int i = 1; i <= 5; ++i) store.merge(make("m" + std::to_string(i), i, 0));
  store.clear();
  expect_contents(store, {});
  EXPECT_EQ(store.find("m5"), nullptr);
  EXPECT_EQ(store.capacity(), 3u);
  EXPECT_EQ(store.evicted(), 2u);  // counted since construction
  EXPECT_EQ(store.merge(make("m5", 5, 0)), MessageStore::Outcome::Inserted);
  EXPECT_EQ(store.merge(make("m1", 1, 0)), MessageStore::Outcome::Inserted);
  expect_contents(store, {make("m1", 1, 0), make("m5", 5, 0)});
}

}  // namespace
}  // namespace pushsync
