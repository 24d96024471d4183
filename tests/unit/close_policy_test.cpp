// Close code -> what to do next, as a table over the class boundaries.
#include "pushsync/close_policy.h"

#include <gtest/gtest.h>

namespace pushsync {
namespace {

const char* name(CloseAction action) {
  switch (action) {
    case CloseAction::DoNotRetry: return "DoNotRetry";
    case CloseAction::Backoff: return "Backoff";
    case CloseAction::ReconnectNow: return "ReconnectNow";
  }
  return "?";
}

TEST(ClosePolicy, ActionByCodeTable) {
  struct Case {
    int code;
    CloseAction action;
  };
  using A = CloseAction;
  for (const Case c : {
           Case{1000, A::Backoff},       // normal closure: the server shut down, come back later
           Case{1001, A::Backoff},       // going away: the server restarts
           Case{1006, A::Backoff},       // abnormal closure reported by the browser
           Case{3999, A::Backoff},
           Case{4000, A::DoNotRetry},    // first of the refused class
           Case{4001, A::DoNotRetry},    // app does not exist
           Case{4009, A::DoNotRetry},    // connection unauthorised
           Case{4099, A::DoNotRetry},    // last of the refused class
           Case{4100, A::Backoff},       // first of the back-off class (over capacity)
           Case{4150, A::Backoff},
           Case{4199, A::Backoff},       // last of the back-off class
           Case{4200, A::ReconnectNow},  // first of the reconnect-now class
           Case{4201, A::ReconnectNow},  // pong not received in time
           Case{4299, A::ReconnectNow},  // last of the reconnect-now class
           Case{4300, A::Backoff},       // unknown classes back off
           Case{4301, A::Backoff},
           Case{0, A::Backoff},
           Case{-1, A::Backoff},
       }) {
    EXPECT_EQ(close_action(c.code), c.action)
        << c.code << ": expected " << name(c.action) << ", got " << name(close_action(c.code));
  }
}

}  // namespace
}  // namespace pushsync
