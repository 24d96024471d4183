// The engine against a simulated Sockudo and app server with seeded faults, thousands of seeds a
// run. After the faults stop and the world is quiet, the store must equal the server's messages
// (none lost, none duplicated, in order, statuses final), push must be back, no frame may have
// been sent on a socket that was not open, and every state change must have been legal.
//
// Rerun one seed: PUSHSYNC_SIM_SEED=1234 ./pushsync_simulation_test
// More seeds:     PUSHSYNC_SIM_SEEDS=20000 ./pushsync_simulation_test
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "sim/simulated_world.h"

namespace pushsync::sim {
namespace {

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::strtoull(value, nullptr, 10) : fallback;
}

void run_seeds(int protocol, std::uint64_t first_seed, std::uint64_t default_count, const Faults& faults,
               Backend backend = Backend::Paged, bool unsequenced = false) {
  std::uint64_t first = first_seed;
  std::uint64_t count = env_or("PUSHSYNC_SIM_SEEDS", default_count);
  if (const char* one = std::getenv("PUSHSYNC_SIM_SEED"); one && *one) {
    first = std::strtoull(one, nullptr, 10);
    count = 1;
  }
  std::size_t failures = 0, messages = 0, restarts = 0, seeded = 0, unloadable = 0;
  for (std::uint64_t seed = first; seed < first + count; ++seed) {
    World world(seed, protocol, faults, backend, unsequenced);
    const Report report = world.run(5 * 60'000);
    messages += report.server_messages;
    unloadable += report.unloadable;
    restarts += report.restarts;
    seeded += report.seeded_restarts;
    if (!report.ok) {
      ++failures;
      std::string text;
      for (const auto& v : report.violations) text += "\n    " + v;
      ADD_FAILURE() << "seed " << seed << " (protocol " << protocol << ") failed; rerun with PUSHSYNC_SIM_SEED="
                    << seed << text;
      if (failures >= 5) break;
    }
  }
  static constexpr const char* kBackends[] = {"paged", "minimal newest-first", "minimal oldest-first"};
  std::printf("[ sim      ] protocol %d, %s backend%s: %llu seeds, %zu server messages, %zu host restarts, "
              "(%zu with the host's copy), %zu reported unloadable, %zu failed\n",
              protocol, kBackends[static_cast<int>(backend)], unsequenced ? " (some unnumbered)" : "",
              static_cast<unsigned long long>(count), messages, restarts, seeded, unloadable, failures);
}

TEST(Simulation, Protocol7SurvivesEveryFault) { run_seeds(7, 1, 2'000, Faults{}); }

TEST(Simulation, SockudoV2ResumesAndSurvivesEveryFault) { run_seeds(2, 1'000'001, 1'000, Faults{}); }

// The roadmap's backend (see World's Backend): 2,000 seeds each page order; the newest-first one
// may report messages it cannot load (after a host restart, history beyond one page), never lose
// them silently; half the seeds with unnumbered assistant messages.
TEST(Simulation, MinimalNewestFirstBackend) {
  run_seeds(7, 2'000'001, 1'000, Faults{}, Backend::MinimalNewestFirst, false);
  run_seeds(7, 2'500'001, 1'000, Faults{}, Backend::MinimalNewestFirst, true);
}

TEST(Simulation, MinimalOldestFirstBackend) {
  run_seeds(7, 3'000'001, 1'000, Faults{}, Backend::MinimalOldestFirst, false);
  run_seeds(7, 3'500'001, 1'000, Faults{}, Backend::MinimalOldestFirst, true);
}

TEST(Simulation, FaultFreeRunNeedsNoFallback) {
  Faults none{0, 0, 0, 0, 0, 0, 0, 0, 0, false};
  run_seeds(7, 5'000'001, 100, none);
}

}  // namespace
}  // namespace pushsync::sim
