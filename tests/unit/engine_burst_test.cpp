// A burst of frames given at once (Engine::handle_some, what the WebAssembly host does with the
// frames of one socket read) must do what one `handle` call per frame does: the same store, state
// and effects, in the same order, but for the store's changes, which become one diff, and the
// typing, told once as it ends. Each test runs a twin engine one call per frame next to it.
// tests/fuzz/engine_fuzz checks the same for any inputs; these pin the orders a host relies on.
#include <gtest/gtest.h>

#include <algorithm>
#include <span>
#include <vector>

#include "support/engine_harness.h"

namespace pushsync {
namespace {

using namespace pushsync::testing;

struct Call {
  std::size_t taken = 0;
  Effects effects;
};

class Burst : public ::testing::Test {
 protected:
  void SetUp() override {
    burst.connect();
    twin.connect();
    ASSERT_EQ(burst.socket, twin.socket);
  }

  /// The frames through `burst.engine` as the Client gives them (handle_some until none is left),
  /// and through `twin.engine` one call each; returns the burst's calls.
  std::vector<Call> give(const std::vector<std::string>& texts) {
    std::vector<Input> frames;
    for (const auto& text : texts) frames.push_back(input::SocketText{burst.socket, text});
    std::vector<Call> calls;
    for (std::span<const Input> rest(frames); !rest.empty();) {
      Call call;
      call.effects = burst.engine.handle_some(rest, burst.now, call.taken);
      follow(copy, call.effects);
      rest = rest.subspan(call.taken);
      calls.push_back(std::move(call));
    }
    for (const auto& frame : frames) {
      for (auto& e : twin.engine.handle(frame, twin.now)) one_by_one.push_back(std::move(e));
    }
    return calls;
  }

  // What js-glue/src/mirror.ts does with each diff, reading the store after the call.
  void follow(std::vector<Message>& list, const Effects& effects) {
    const MessageStore& store = burst.engine.messages();
    for (const auto& change : only<effect::MessagesChanged>(effects)) {
      if (change.reset) list.clear();
      list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(change.removed_front));
      for (const auto at : change.inserted) list.insert(list.begin() + static_cast<std::ptrdiff_t>(at), store.at(at));
      for (const auto at : change.updated) list[at] = store.at(at);
    }
  }

  /// Without the diffs and the typing's steps, which a burst gives fewer of.
  static Effects without_diffs(Effects effects) {
    std::erase_if(effects, [](const Effect& e) {
      return std::holds_alternative<effect::MessagesChanged>(e) || std::holds_alternative<effect::TypingChanged>(e);
    });
    return effects;
  }

  /// Where the twin is, the burst is too, and the host's copy is the store.
  void expect_same_as_twin(const std::vector<Call>& calls) {
    Effects together;
    for (const auto& call : calls) together.insert(together.end(), call.effects.begin(), call.effects.end());
    EXPECT_EQ(without_diffs(together), without_diffs(one_by_one));
    EXPECT_EQ(burst.engine.state(), twin.engine.state());
    EXPECT_EQ(burst.engine.next_deadline(), twin.engine.next_deadline());
    EXPECT_EQ(burst.engine.counters(), twin.engine.counters());
    EXPECT_EQ(burst.engine.typing(), twin.engine.typing());
    const MessageStore& store = burst.engine.messages();
    ASSERT_EQ(store.size(), twin.engine.messages().size());
    ASSERT_EQ(copy.size(), store.size());
    for (std::size_t i = 0; i < store.size(); ++i) {
      EXPECT_EQ(store.at(i), twin.engine.messages().at(i));
      EXPECT_EQ(copy[i], store.at(i));
    }
  }

  // The assistant's: a user's message starts the assistant's turn (typing on), which ends a run.
  static std::string message(int sequence) {
    return channel_frame("new_message", "private-session-s1",
                         R"({"type":"new_message","sessionId":"s1","message":)" +
                             message_json("m" + std::to_string(sequence), sequence, "hi", "sent", "assistant") + "}");
  }

  Harness burst;
  Harness twin;
  std::vector<Message> copy;  // the host's copy of the burst engine's store, by its diffs alone
  Effects one_by_one;
};

TEST_F(Burst, MessagesOfOneReadAreOneDiff) {
  // Out of order within the burst, each sequence number once: nothing is missing at its end.
  std::vector<std::string> frames;
  for (int sequence : {2, 1, 4, 3, 5, 7, 6, 8}) frames.push_back(message(sequence));
  const auto calls = give(frames);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].taken, frames.size());
  const auto diffs = only<effect::MessagesChanged>(calls[0].effects);
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].inserted, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(diffs[0].size, 8u);
  EXPECT_EQ(only<effect::MessagesChanged>(one_by_one).size(), 8u);
  expect_same_as_twin(calls);
}

TEST_F(Burst, WhatAFrameSetsOffComesAfterTheMessagesBeforeIt) {
  const std::string ping = R"({"event":"pusher:ping","data":{}})";
  const auto calls = give({message(1), message(2), ping, message(3), message(4)});
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].taken, 3u);
  ASSERT_EQ(calls[0].effects.size(), 2u);
  ASSERT_TRUE(std::holds_alternative<effect::MessagesChanged>(calls[0].effects[0]));
  EXPECT_EQ(std::get<effect::MessagesChanged>(calls[0].effects[0]).inserted, (std::vector<std::size_t>{0, 1}));
  EXPECT_TRUE(std::holds_alternative<effect::SendFrame>(calls[0].effects[1]));  // the pong
  EXPECT_EQ(calls[1].taken, 2u);
  ASSERT_EQ(only<effect::MessagesChanged>(calls[1].effects).size(), 1u);
  expect_same_as_twin(calls);
}

TEST_F(Burst, ABadFrameIsReportedAfterTheMessagesBeforeIt) {
  const auto calls = give({message(1), "{not json", message(2)});
  ASSERT_EQ(calls.size(), 2u);
  ASSERT_EQ(calls[0].effects.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<effect::MessagesChanged>(calls[0].effects[0]));
  EXPECT_EQ(std::get<effect::Error>(calls[0].effects[1]).code, ErrorCode::BadFrame);
  expect_same_as_twin(calls);
}

TEST_F(Burst, AReplyEndsTheRunAndItsCatchUpFollowsTheMessages) {
  const std::string reply = channel_frame("interact_response", "private-session-s1", R"({"sessionId":"s1","data":{"status":"done"}})");
  const auto calls = give({message(1), message(2), reply, message(3)});
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].taken, 3u);
  ASSERT_FALSE(calls[0].effects.empty());
  EXPECT_TRUE(std::holds_alternative<effect::MessagesChanged>(calls[0].effects[0]));
  EXPECT_EQ(only<effect::InteractResponse>(calls[0].effects).size(), 1u);
  expect_same_as_twin(calls);
}

TEST_F(Burst, AServerErrorIsReportedAfterTheMessagesBeforeIt) {
  const std::string error = R"({"event":"pusher:error","data":{"code":4200,"message":"reconnect"}})";
  const auto calls = give({message(1), error, message(2)});
  ASSERT_EQ(calls.size(), 2u);
  ASSERT_EQ(calls[0].effects.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<effect::MessagesChanged>(calls[0].effects[0]));
  EXPECT_EQ(std::get<effect::Error>(calls[0].effects[1]).code, ErrorCode::ServerError);
  expect_same_as_twin(calls);
}

TEST_F(Burst, FramesOfASocketLetGoChangeNothing) {
  std::vector<Input> frames;
  for (int sequence = 1; sequence <= 4; ++sequence) frames.push_back(input::SocketText{burst.socket + 100, message(sequence)});
  std::size_t taken = 0;
  const Effects effects = burst.engine.handle_some(frames, burst.now, taken);
  EXPECT_EQ(taken, frames.size());
  EXPECT_TRUE(effects.empty());
  EXPECT_EQ(burst.engine.messages().size(), 0u);
}

TEST_F(Burst, AGapInTheBurstAsksForTheMissingMessagesAsOneCallPerFrameDoes) {
  const auto calls = give({message(1), message(2), message(5), message(6)});
  expect_same_as_twin(calls);
  EXPECT_EQ(burst.engine.messages().size(), 4u);
}

TEST_F(Burst, TheTypingEndsAsOneCallPerFrameLeavesIt) {
  // A user's message starts the assistant's turn (typing on); the assistant's reply ends it.
  const auto turn = give({message(1), new_message_frame("s1", "u2", 2)});
  ASSERT_EQ(turn.size(), 1u);
  const auto on = only<effect::TypingChanged>(turn[0].effects);
  ASSERT_EQ(on.size(), 1u);
  EXPECT_TRUE(on[0].is_typing);
  EXPECT_EQ(burst.engine.typing(), twin.engine.typing());
  expect_same_as_twin(turn);

  // On and off again within one burst: the run goes on, and the host, shown "typing" before,
  // is told once where the twin was told twice.
  one_by_one.clear();
  const auto reply = give({message(3), new_message_frame("s1", "u4", 4), message(5)});
  ASSERT_EQ(reply.size(), 1u);
  EXPECT_EQ(reply[0].taken, 3u);
  const auto off = only<effect::TypingChanged>(reply[0].effects);
  ASSERT_EQ(off.size(), 1u);
  EXPECT_FALSE(off[0].is_typing);
  EXPECT_EQ(only<effect::TypingChanged>(one_by_one).size(), 3u);
  EXPECT_EQ(burst.engine.typing(), twin.engine.typing());
}

TEST_F(Burst, OneInputIsOneHandleCall) {
  std::size_t taken = 0;
  const Input frame = input::SocketText{burst.socket, message(1)};
  const Effects effects = burst.engine.handle_some({&frame, 1}, burst.now, taken);
  EXPECT_EQ(taken, 1u);
  EXPECT_EQ(effects, twin.engine.handle(frame, twin.now));
}

}  // namespace
}  // namespace pushsync
