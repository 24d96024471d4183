// The user-visible connection states: every ordered pair against the transition table documented
// in core/src/connection.cpp, and the names the host shows.
#include "pushsync/connection.h"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>

namespace pushsync {
namespace {

using S = ConnectionState;
constexpr std::array<S, 6> kStates = {S::Disconnected, S::Connecting, S::Connected,
                                      S::Reconnecting, S::Polling,    S::Offline};

TEST(Connection, EveryTransitionTable) {
  // Rows: from; columns: to, in kStates order. 1: legal.
  // Staying put is always legal; Disconnected, Offline and Polling can be reached from anywhere;
  // the rest follows the documented paths (never Disconnected -> Connected without Connecting).
  constexpr int kLegal[6][6] = {
      //            Disc Conn'g Conn'd Reconn Poll Offl
      /* Disc   */ {1, 1, 0, 0, 1, 1},
      /* Conn'g */ {1, 1, 1, 1, 1, 1},
      /* Conn'd */ {1, 1, 1, 1, 1, 1},
      /* Reconn */ {1, 1, 1, 1, 1, 1},
      /* Poll   */ {1, 1, 1, 0, 1, 1},
      /* Offl   */ {1, 1, 0, 0, 1, 1},
  };
  for (std::size_t from = 0; from < kStates.size(); ++from) {
    for (std::size_t to = 0; to < kStates.size(); ++to) {
      EXPECT_EQ(is_legal_transition(kStates[from], kStates[to]), kLegal[from][to] == 1)
          << to_string(kStates[from]) << " -> " << to_string(kStates[to]);
    }
  }
}

TEST(Connection, NamesTable) {
  struct Case {
    S state;
    std::string name;
  };
  for (const Case& c : {Case{S::Disconnected, "disconnected"}, Case{S::Connecting, "connecting"},
                        Case{S::Connected, "connected"}, Case{S::Reconnecting, "reconnecting"},
                        Case{S::Polling, "polling"}, Case{S::Offline, "offline"}}) {
    EXPECT_EQ(to_string(c.state), c.name);
  }
  std::set<std::string> names;
  for (const S state : kStates) names.insert(to_string(state));
  EXPECT_EQ(names.size(), kStates.size());
}

TEST(Connection, ReasonCodesAndTextsAreDistinct) {
  using R = StateReason;
  const R all[] = {R::None,          R::NotStarted, R::NoSession,         R::Stopped, R::NetworkOffline, R::NotConfigured,
                   R::NoToken,       R::AuthFailed, R::ServerUnreachable, R::Refused, R::Retrying};
  std::set<std::string> codes;
  for (const R r : all) codes.insert(to_code(r));
  EXPECT_EQ(codes.size(), std::size(all));
  EXPECT_EQ(describe(R::AuthFailed, 0, 5), "Auth failed");
  EXPECT_EQ(describe(R::Refused, 4001, 5), "Refused (4001)");
  EXPECT_EQ(describe(R::Retrying, 2, 5), "Attempt 2 of 5");
  EXPECT_EQ(describe(R::None, 0, 5), "");
}

}  // namespace
}  // namespace pushsync
