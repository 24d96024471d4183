#include "pushsync/backoff.h"

namespace pushsync {

std::uint64_t SeededRandom::next() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

Millis backoff_delay(const BackoffPolicy& policy, int attempt) {
  if (attempt < 1) attempt = 1;
  Millis delay = policy.base;
  for (int i = 1; i < attempt && delay < policy.cap; ++i) delay *= 2;
  return delay < policy.cap ? delay : policy.cap;
}

Millis backoff_delay(const BackoffPolicy& policy, int attempt, SeededRandom& random) {
  const Millis delay = backoff_delay(policy, attempt);
  auto spread = static_cast<std::uint64_t>(static_cast<double>(delay) * policy.jitter);
  // Only the first retry: later ones are already spread by their own doubling delays, and a
  // client that failed once should not also wait the whole window again.
  if (attempt <= 1 && policy.first_spread > 0) spread += static_cast<std::uint64_t>(policy.first_spread);
  return delay + static_cast<Millis>(random.below(spread + 1));
}

}  // namespace pushsync
