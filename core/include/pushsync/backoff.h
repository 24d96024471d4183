// Reconnect delays: 1 s, 2 s, 4 s, 8 s, 16 s, then 30 s, each spread by seeded jitter so that many
// clients cut off together do not come back together.
#pragma once

#include <cstdint>

#include "pushsync/time.h"

namespace pushsync {

/// A small deterministic generator (SplitMix64): same seed, same jitter, natively and in WASM.
class SeededRandom {
 public:
  explicit SeededRandom(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  /// Uniform in [0, bound); 0 when bound is 0.
  std::uint64_t below(std::uint64_t bound) { return bound == 0 ? 0 : next() % bound; }

 private:
  std::uint64_t state_;
};

struct BackoffPolicy {
  Millis base = 1'000;
  Millis cap = 30'000;
  /// Jitter adds up to this fraction of the delay (0.2: a 4 s delay becomes 4.0 to 4.8 s).
  double jitter = 0.2;
  /// The first retry after a lost connection waits up to this much more, uniformly (0: only the
  /// jitter). When a Sockudo node dies, all its clients lose their socket in the same instant;
  /// with 20% jitter on 1 s they would all reconnect and ask for channel auth within 200 ms (a
  /// reconnect storm on the surviving node and the app server). Spread over a few seconds, the
  /// peak is about clients / spread per second (docs/scaling.md has the measurements). The host
  /// sets it (the JS glue: 5 s); 0 keeps the plain schedule.
  Millis first_spread = 0;

  bool operator==(const BackoffPolicy&) const = default;
};

/// The delay before reconnect attempt `attempt` (1 for the first retry), without jitter:
/// base * 2^(attempt-1), capped.
Millis backoff_delay(const BackoffPolicy& policy, int attempt);

/// The same with jitter drawn from `random`; attempt 1 also adds up to `first_spread`.
Millis backoff_delay(const BackoffPolicy& policy, int attempt, SeededRandom& random);

}  // namespace pushsync
