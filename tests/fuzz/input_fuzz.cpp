// Fuzz target: the host's side of the boundary, what the WebAssembly bindings decode on every call
// (`Engine.handle(inputJson)` and `Client.handle(inputJson)` go straight to input_from_json, the
// configuration inside a `configure` input to config_from), and what the engine then does with a
// configuration the decoder let through.
//
// Invariant: for any bytes, input_from_json and config_from_json return a value or a DecodeError
// that says something. What they accept is a fixed point of the codec: encoded again
// (input_to_json, config_to_json) it decodes to the same value and encodes to the same text (so a
// host that records and replays inputs, or stores the configuration, gets back what it gave). A
// configuration the decoder accepts is then given to an engine, which a small scripted host drives
// (socket open, handshake, auth and page answers, failures, ticks at `next_deadline()`): whatever
// the timings, limits and routes, the engine either refuses the configuration with an error or
// - changes state only along `is_legal_transition`;
// - never sends a frame on a socket that is not open;
// - never asks for a tick at an instant that already passed, more than a few times in a row (a
//   timing of 0 or less must not make the host's timer spin);
// - keeps its store within its cap;
// - never crashes, aborts or trips a sanitizer.
// A violation calls __builtin_trap(), which libFuzzer reports with the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pushsync/engine.h"
#include "../support/engine_harness.h"
#include "pushsync/json_io.h"
#include "../support/json_oracle.h"

namespace {

using namespace pushsync;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

// A Pusher frame's double-encoded `data`, as the unit tests build it.
using testing::quoted;

// Drives an engine through a session with `config`, answering what it asks for: a connect that
// works, then a socket that fails, answers that fail and ones that work, ticks at its deadlines.
class ScriptedHost {
 public:
  void run(const Config& config) {
    const Effects configured = step(input::Configure{config});
    for (const auto& e : configured) {
      if (const auto* error = std::get_if<effect::Error>(&e); error && error->code == ErrorCode::BadConfig) return;
    }
    step(input::SetToken{std::string("t")});
    step(input::SelectSession{"s1"});
    for (round_ = 0; round_ < 120; ++round_) {
      serve();
      tick();
    }
  }

 private:
  enum class Phase { Opening, Open, Closed };

  void serve() {
    // A few passes: an answer usually asks for the next thing.
    for (int pass = 0; pass < 4; ++pass) {
      if (const auto it = std::find_if(sockets_.begin(), sockets_.end(), [](const auto& s) { return s.second == Phase::Opening; });
          it != sockets_.end()) {
        const SocketId id = it->first;
        if (round_ % 7 == 3) {
          it->second = Phase::Closed;
          step(input::SocketClosed{id, 1006, "lost"});
          continue;
        }
        it->second = Phase::Open;
        step(input::SocketOpened{id});
        step(input::SocketText{id, R"({"event":"pusher:connection_established","data":)" +
                                       quoted(R"({"socket_id":"1.2","activity_timeout":30})") + "}"});
      }
      std::vector<effect::HttpRequest> requests;
      requests.swap(requests_);
      for (const auto& request : requests) {
        if (request.url.find("/auth") != std::string::npos) {
          step(input::HttpResult{request.id, 200, R"({"auth":"key:sig"})"});
          for (auto& [id, phase] : sockets_) {
            if (phase == Phase::Open) {
              step(input::SocketText{id, R"({"event":"pusher_internal:subscription_succeeded","channel":"private-session-s1","data":"{}"})"});
              if (round_ % 5 == 1) {
                step(input::SocketText{id, R"({"event":"new_message","channel":"private-session-s1","data":)" +
                                               quoted(R"({"sessionId":"s1","message":{"messageId":"p)" + std::to_string(round_) +
                                                      R"(","role":"user","content":"c","timestamp":"2026-12-01T10:00:00Z","sequenceNumber":)" +
                                                      std::to_string(round_ + 1) + "}}") + "}"});
              }
            }
          }
        } else if (round_ % 4 == 2) {
          step(input::HttpResult{request.id, round_ % 8 == 2 ? 0 : 500, ""});
        } else {
          std::string page = R"({"messages":[)";
          for (int i = 0; i < 3; ++i) {
            page += std::string(i ? "," : "") + R"({"messageId":"m)" + std::to_string(round_ * 3 + i) +
                    R"(","role":"assistant","content":"c","status":"sent","timestamp":"2026-12-01T10:00:0)" +
                    std::to_string(i) + R"(Z","sequenceNumber":)" + std::to_string(round_ * 3 + i + 1) + "}";
          }
          step(input::HttpResult{request.id, 200, page + R"(],"hasMore":false,"serverTime":"2026-12-01T10:00:05Z"})"});
        }
      }
    }
  }

  void tick() {
    const auto deadline = engine_.next_deadline();
    if (!deadline) return;
    same_instant_ = *deadline <= now_ ? same_instant_ + 1 : 0;
    check(same_instant_ < 5);
    now_ = std::max(now_, *deadline);
    step(input::Tick{});
  }

  Effects step(const Input& input) {
    Effects effects = engine_.handle(input, now_);
    for (const auto& e : effects) {
      if (const auto* open = std::get_if<effect::OpenSocket>(&e)) {
        sockets_[open->socket] = Phase::Opening;
      } else if (const auto* send = std::get_if<effect::SendFrame>(&e)) {
        check(sockets_.count(send->socket) && sockets_[send->socket] == Phase::Open);
      } else if (const auto* close = std::get_if<effect::CloseSocket>(&e)) {
        sockets_[close->socket] = Phase::Closed;
      } else if (const auto* request = std::get_if<effect::HttpRequest>(&e)) {
        requests_.push_back(*request);
      } else if (const auto* state = std::get_if<effect::StateChanged>(&e)) {
        check(is_legal_transition(state_, state->state));
        state_ = state->state;
      }
    }
    check(engine_.messages().size() <= engine_.messages().capacity());
    return effects;
  }

  Engine engine_;
  Millis now_ = 1'000'000;
  int round_ = 0;
  int same_instant_ = 0;
  ConnectionState state_ = ConnectionState::Disconnected;
  std::map<SocketId, Phase> sockets_;
  std::vector<effect::HttpRequest> requests_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(bytes), size);

  const auto input = input_from_json(text);
  if (input) {
    const std::string encoded = input_to_json(input.value());
    const auto again = input_from_json(encoded);
    check(again.ok() && again.value() == input.value());
    check(input_to_json(again.value()) == encoded);
  } else {
    check(!input.error().what.empty());
  }

  // The bulk inputs' one reader (the scanner, core/src/bulk_input.h) and the nlohmann reader it
  // replaced read the same value or refuse with the same sentence.
  if (const auto expected = oracle::decode_bulk_input(text)) {
    check(input.ok() == expected->ok());
    check(input.ok() ? oracle::same_input(input.value(), expected->value()) : input.error().what == expected->error().what);
  } else if (input) {
    check(!std::holds_alternative<input::HttpResult>(input.value()) && !std::holds_alternative<input::Seed>(input.value()));
  }

  // The same bytes as a bare configuration (as the glue's options become one).
  const auto config = config_from_json(text);
  if (config) {
    const std::string encoded = config_to_json(config.value());
    const auto again = config_from_json(encoded);
    check(again.ok() && again.value() == config.value());
    check(config_to_json(again.value()) == encoded);
  } else {
    check(!config.error().what.empty());
  }

  // Whatever configuration got through the decoder, the engine must live with it.
  if (input) {
    if (const auto* configure = std::get_if<input::Configure>(&input.value())) ScriptedHost().run(configure->config);
  }
  if (config) ScriptedHost().run(config.value());
  return 0;
}
