// The `messages` effect is all a host has to keep its copy of the store (js-glue's MessageMirror,
// the extension's views): applied diff by diff it must give the store, message for message, even
// when the server renumbers a message or changes its time (the store moves it; a diff of positions
// cannot, so the engine resets the host's copy). tests/fuzz/engine_fuzz checks the same for any
// sequence of inputs; this pins the case it found.
#include <gtest/gtest.h>

#include <vector>

#include "support/engine_harness.h"

namespace pushsync {
namespace {

using namespace pushsync::testing;

// What js-glue/src/mirror.ts does with each diff.
void follow(std::vector<Message>& copy, const Effects& effects, const MessageStore& store) {
  for (const auto& change : only<effect::MessagesChanged>(effects)) {
    if (change.reset) copy.clear();
    ASSERT_LE(change.removed_front, copy.size());
    copy.erase(copy.begin(), copy.begin() + static_cast<std::ptrdiff_t>(change.removed_front));
    for (const auto at : change.inserted) copy.insert(copy.begin() + static_cast<std::ptrdiff_t>(at), store.at(at));
    for (const auto at : change.updated) copy[at] = store.at(at);
    ASSERT_EQ(copy.size(), change.size);
  }
}

std::vector<Message> contents(const MessageStore& store) {
  std::vector<Message> out;
  store.for_each(0, store.size(), [&](const Message& m) { out.push_back(m); });
  return out;
}

TEST(EngineDiff, ARenumberedMessageMovesInTheHostsCopyToo) {
  Harness h;
  h.connect();
  std::vector<Message> copy;
  for (int i = 1; i <= 4; ++i) follow(copy, h.frame(new_message_frame("s1", "m" + std::to_string(i), i)), h.engine.messages());
  ASSERT_EQ(copy, contents(h.engine.messages()));

  // The server renumbers m1 to come last: the store moves it, and the host must see the move.
  const Effects moved = h.frame(channel_frame("new_message", "private-session-s1",
                                              R"({"sessionId":"s1","message":)" + message_json("m1", 9) + "}"));
  follow(copy, moved, h.engine.messages());
  EXPECT_EQ(h.engine.messages().at(3).id, "m1");
  EXPECT_EQ(copy, contents(h.engine.messages()));
  const auto changes = only<effect::MessagesChanged>(moved);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].reset);

  // An update in place stays a plain update.
  const Effects updated = h.frame(channel_frame("new_message", "private-session-s1",
                                                R"({"sessionId":"s1","message":)" + message_json("m2", 2, "edited") + "}"));
  follow(copy, updated, h.engine.messages());
  EXPECT_EQ(copy, contents(h.engine.messages()));
  const auto plain = only<effect::MessagesChanged>(updated);
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_FALSE(plain[0].reset);
  EXPECT_EQ(plain[0].updated, std::vector<std::size_t>{0});
}

TEST(EngineDiff, ASmallerCapDropsTheOldestFromTheHostsCopyToo) {
  Harness h;
  h.connect();
  std::vector<Message> copy;
  for (int i = 1; i <= 5; ++i) follow(copy, h.frame(new_message_frame("s1", "m" + std::to_string(i), i)), h.engine.messages());
  Config smaller = test_config();
  smaller.max_messages = 2;
  const Effects effects = h.feed(input::Configure{smaller});
  follow(copy, effects, h.engine.messages());
  ASSERT_EQ(h.engine.messages().size(), 2u);
  EXPECT_EQ(copy, contents(h.engine.messages()));
  const auto changes = only<effect::MessagesChanged>(effects);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].removed_front, 3u);
}

TEST(EngineDiff, AMessageEvictedAndSentAgainInOneCallIsOneInsertion) {
  Harness h;
  Config config = test_config();
  config.max_messages = 2;
  h.start("s1", config);
  const auto first = h.subscribe(h.establish());
  std::vector<Message> copy;
  // a is evicted by c, then comes again, later (re-timed): it stays, and b goes.
  const Effects effects = h.feed(input::HttpResult{
      first.id, 200, page_json({message_json("a", 5), message_json("b", 6), message_json("c", 7), message_json("a", 9)})});
  follow(copy, effects, h.engine.messages());
  EXPECT_EQ(copy, contents(h.engine.messages()));
  ASSERT_EQ(h.engine.messages().size(), 2u);
  EXPECT_EQ(h.engine.messages().at(1).id, "a");
}

}  // namespace
}  // namespace pushsync
