// The native side of `bench/run ingest`, variant (d): the core itself, compiled with g++ -O3 and
// linked against build-bench's Release pushsync_core. No JavaScript, no WebAssembly, no JSON
// around the calls (one mode adds the effects' JSON, which is what the WASM binding returns).
//
//   ingest_driver FRAMES.ndjson SESSION_ID MODE IDS_OUT
//     MODE  engine       Engine::handle(SocketText{...}) per frame
//           engine+json  the same plus effects_to_json() of every answer (what the WASM binding does)
//   prints one JSON line: {"frames":N,"messages":M,"ms":T,"rejected":R}; IDS_OUT gets the store's
//   ids in order, one a line, for the caller's check ("-": none).
//
// The engine is brought to "subscribed" by the same fake handshake as `pushsync replay`
// (js-glue/src/cli/replay.ts), through the JSON boundary, so this driver does not depend on the
// core's internals.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pushsync/engine.h"
#include "pushsync/json_io.h"

using namespace pushsync;
using Json = nlohmann::json;

namespace {

constexpr Millis kNow = 1000;

Json run(Engine& engine, const Input& input) {
  return Json::parse(effects_to_json(engine.handle(input, kNow)), nullptr, false);
}

Json run_json(Engine& engine, const std::string& input_json) {
  auto input = input_from_json(input_json);
  if (!input) {
    std::fprintf(stderr, "ingest_driver: bad input %s: %s\n", input_json.c_str(), input.error().what.c_str());
    std::exit(2);
  }
  return run(engine, input.value());
}

const Json& find(const Json& effects, const char* type, const char* what) {
  for (const auto& effect : effects) {
    if (effect.value("type", "") == type) return effect;
  }
  std::fprintf(stderr, "ingest_driver: the engine did not %s: %s\n", what, effects.dump().substr(0, 300).c_str());
  std::exit(2);
}

/// Configure, select, answer like Sockudo and the app server; returns the socket id.
SocketId handshake(Engine& engine, const std::string& session) {
  run_json(engine, R"({"type":"configure","config":{"apiBase":"http://bench.invalid","wsHost":"bench.invalid","wsPort":443,"appKey":"bench","protocol":7,"jitterSeed":1,"maxMessages":1000000}})");
  run_json(engine, R"({"type":"setToken","token":"bench"})");
  Json selected = run_json(engine, Json{{"type", "selectSession"}, {"sessionId", session}}.dump());
  auto socket = find(selected, "openSocket", "open a socket")["socket"].get<SocketId>();
  run(engine, input::SocketOpened{socket});
  Json established = run(engine, input::SocketText{socket, R"({"event":"pusher:connection_established","data":"{\"socket_id\":\"1.1\",\"activity_timeout\":120}"})"});
  auto auth_id = find(established, "httpRequest", "ask for channel auth")["id"].get<RequestId>();
  Json subscribe = run(engine, input::HttpResult{auth_id, 200, R"({"auth":"x:y"})"});
  auto text = find(subscribe, "sendFrame", "subscribe")["text"].get<std::string>();
  auto channel = Json::parse(text, nullptr, false)["data"]["channel"].get<std::string>();
  Json succeeded = run(engine, input::SocketText{socket, Json{{"event", "pusher_internal:subscription_succeeded"}, {"channel", channel}, {"data", "{}"}}.dump()});
  auto backfill_id = find(succeeded, "httpRequest", "ask for the backfill")["id"].get<RequestId>();
  run(engine, input::HttpResult{backfill_id, 200, R"({"messages":[],"hasMore":false})"});
  if (engine.state() != ConnectionState::Connected) {
    std::fprintf(stderr, "ingest_driver: the engine did not subscribe (state %s)\n", pushsync::to_string(engine.state()));
    std::exit(2);
  }
  return socket;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: ingest_driver FRAMES.ndjson SESSION_ID engine|engine+json IDS_OUT|-\n");
    return 2;
  }
  const std::string mode = argv[3];
  const bool with_json = mode == "engine+json";
  if (!with_json && mode != "engine") {
    std::fprintf(stderr, "ingest_driver: unknown mode %s\n", mode.c_str());
    return 2;
  }
  std::ifstream file(argv[1], std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "ingest_driver: cannot read %s\n", argv[1]);
    return 2;
  }
  std::stringstream buffer;
  buffer << file.rdbuf();
  const std::string all = buffer.str();
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < all.size();) {
    std::size_t end = all.find('\n', start);
    if (end == std::string::npos) end = all.size();
    if (end > start) lines.emplace_back(all.data() + start, end - start);
    start = end + 1;
  }

  Engine engine;
  const SocketId socket = handshake(engine, argv[2]);
  const std::uint64_t rejected_before = engine.counters().frames_rejected;
  std::size_t json_bytes = 0;  // keeps the JSON from being optimised away

  const auto started = std::chrono::steady_clock::now();
  for (std::string_view line : lines) {
    // One copy of the frame into a std::string, as the WASM binding makes from its input buffer.
    Effects effects = engine.handle(input::SocketText{socket, std::string(line)}, kNow);
    if (with_json) json_bytes += effects_to_json(effects).size();
  }
  const auto finished = std::chrono::steady_clock::now();
  const double ms = std::chrono::duration<double, std::milli>(finished - started).count();

  if (std::string_view(argv[4]) != "-") {
    std::ofstream ids(argv[4], std::ios::binary);
    engine.messages().for_each(0, engine.messages().size(), [&](const Message& message) { ids << message.id << '\n'; });
  }
  std::printf("{\"frames\":%zu,\"messages\":%zu,\"ms\":%.4f,\"rejected\":%llu,\"jsonBytes\":%zu}\n", lines.size(),
              engine.messages().size(), ms,
              static_cast<unsigned long long>(engine.counters().frames_rejected - rejected_before), json_bytes);
  return 0;
}
