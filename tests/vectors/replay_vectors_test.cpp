// Replays the shared test vectors through the native engine: the effects must be exactly those
// recorded. The WebAssembly build replays the same files in Node (js-glue tests).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "pushsync/engine.h"
#include "pushsync/json_io.h"

namespace {

using nlohmann::json;

TEST(SharedVectors, NativeEngineReproducesEveryRecordedEffect) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(PUSHSYNC_VECTORS_DIR)) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    const json doc = json::parse(std::ifstream(entry.path()), nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << entry.path();
    pushsync::Engine engine;
    int step = 0;
    for (const auto& s : doc["steps"]) {
      auto input = pushsync::input_from_json(s["input"].dump());
      ASSERT_TRUE(input.ok()) << entry.path() << " step " << step << ": " << input.error().what;
      const auto effects = engine.handle(input.value(), s["at"].get<pushsync::Millis>());
      // Byte for byte: the fast writer of the common effects must match nlohmann's output.
      EXPECT_EQ(pushsync::effects_to_json(effects), s["effects"].dump())
          << entry.path().filename() << " step " << step;
      const auto deadline = engine.next_deadline();
      EXPECT_EQ(deadline ? json(*deadline) : json(nullptr), s["nextDeadline"]) << entry.path().filename() << " step " << step;
      ++step;
    }
  }
  EXPECT_GE(files, 4);
}

}  // namespace
