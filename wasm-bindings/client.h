// The engine with a real WebSocket: socket effects are carried out here, in WebAssembly, so frames
// go from the browser's socket into the engine without crossing into JavaScript. Everything else
// (HTTP, storage, notifications, the timer) is the JavaScript host's, through `on_effects`.
#pragma once

#include <emscripten/val.h>

#include <deque>
#include <span>
#include <string>
#include <string_view>

#include "engine_view.h"
#include "socket_adapter.h"

namespace pushsync::wasm {

class Client : public EngineView {
 public:
  /// `on_effects(address, length, deadline, now, loaded)` receives the effects that socket events
  /// cause (socket events come from the browser's event loop, not from a call): their JSON array as
  /// `length` bytes of UTF-8 at `address` in HEAPU8, readable only during the call (the buffer is
  /// reused), with what the host reads after every answer: `next_deadline()` (-1: none), `now()`
  /// after the call and `loaded()`. So a frame costs one call into JavaScript, none back, and no
  /// copy of the answer (embind's std::string argument is a malloc, a copy, two JavaScript loops
  /// over every byte and a free). `on_frame(text)`, when a function (looked at once, here), sees
  /// every received frame first (for `pushsync record`).
  Client(emscripten::val on_effects, emscripten::val on_frame);

  /// Applies an input (JSON, as in docs/core.md) now; carries out socket effects and returns the
  /// others as a JSON array. Malformed input returns `[{"type":"error","code":"bad_input",...}]`.
  std::string handle(const std::string& input_json);
  /// Where JavaScript may write `bytes` of UTF-8 (TextEncoder.encodeInto on HEAPU8) for
  /// `handle_buffer`: a REST page or a session's copy crosses in one native copy, not embind's
  /// two JavaScript loops over every character of a std::string argument.
  double input_buffer(double bytes);
  /// `handle` of the `length` bytes of input JSON written at `input_buffer()`.
  std::string handle_buffer(double length);
  /// The clock the client stamps inputs with (performance.now() in milliseconds).
  double now() const;

 private:
  /// Applies `inputs` (a burst of frames shares engine calls: Engine::handle_some), then the socket
  /// events they raised meanwhile, and appends the effects that are not socket effects to `out`,
  /// each written right after its own engine call (see `append_effects_json`: a `messages` effect
  /// carries its messages as they are then).
  std::string handle_text(std::string_view input_json);
  void run(std::span<const Input> inputs, std::string& out);
  void from_socket(std::span<const Input> inputs);

  SocketAdapter sockets_;
  emscripten::val on_effects_;
  emscripten::val on_frame_;
  bool has_on_frame_;
  bool busy_ = false;
  bool answering_ = false;  // on_effects_ is running: answer_ is being read
  std::string answer_;      // the answer to a socket event, reused from one to the next
  std::string input_;       // the input buffer (input_buffer)
  std::deque<Input> deferred_;  // socket events raised while an input is being applied
};

}  // namespace pushsync::wasm
