// The embind surface of pushsync's WebAssembly module (see js-glue/src/wasm/pushsync.d.mts for the typed view).
//
//   new Engine()                  the bare sans-IO engine: handle(inputJson, now) -> effectsJson
//   new Client(onEffects, onFrame) the engine with a real WebSocket (Emscripten's WebSocket API)
#include <emscripten/bind.h>

#include <string>

#include "client.h"
#include "engine_view.h"
#include "pushsync/json_io.h"

namespace pushsync::wasm {

/// The bare engine for JavaScript hosts that bring their own socket, and for tests and tools.
class EngineBinding : public EngineView {
 public:
  // The bare engine answers in the core's own effects JSON (the shared test vectors' shape) unless
  // asked for the messages too (`carryMessages(true)`, what a host that mirrors the store wants).
  EngineBinding() { carry_messages_ = false; }
  void carry_messages(bool carry) { carry_messages_ = carry; }

  std::string handle(const std::string& input_json, double now) {
    auto input = input_from_json(input_json);
    if (!input) {
      return effects_to_json({effect::Error{ErrorCode::BadPayload, "bad input: " + input.error().what}});
    }
    return answer(engine_.handle(input.value(), static_cast<Millis>(now)));
  }

  /// A socket frame, without the JSON envelope of `handle`.
  std::string socket_text(double socket, const std::string& text, double now) {
    return answer(engine_.handle(input::SocketText{static_cast<SocketId>(socket), text}, static_cast<Millis>(now)));
  }

  /// Where JavaScript may write `bytes` of UTF-8 (TextEncoder.encodeInto on HEAPU8) for
  /// `socket_text_from_buffer`: one copy into memory the module owns, no per-character marshalling.
  double input_buffer(double bytes) {
    buffer_.resize(static_cast<std::size_t>(bytes));
    return static_cast<double>(reinterpret_cast<std::uintptr_t>(buffer_.data()));
  }
  std::string socket_text_from_buffer(double socket, double length, double now) {
    return answer(engine_.handle(
        input::SocketText{static_cast<SocketId>(socket), std::string(buffer_.data(), static_cast<std::size_t>(length))},
        static_cast<Millis>(now)));
  }

 private:
  std::string answer(Effects effects) {
    if (!carry_messages_) return effects_to_json(effects);
    std::string out = "[";
    append_effects_json(std::move(effects), out);
    return out + "]";
  }

  std::string buffer_;
};

std::string version() { return "0.1.0"; }

}  // namespace pushsync::wasm

EMSCRIPTEN_BINDINGS(pushsync) {
  using namespace emscripten;
  using namespace pushsync::wasm;
  class_<EngineView>("EngineView")
      .function("nextDeadline", &EngineView::next_deadline)
      .function("state", &EngineView::state)
      .function("stateReason", &EngineView::state_reason)
      .function("stateCode", &EngineView::state_code)
      .function("loaded", &EngineView::loaded)
      .function("gapsJson", &EngineView::gaps_json)
      .function("sessionId", &EngineView::session_id)
      .function("socketId", &EngineView::socket_id)
      .function("cursor", &EngineView::cursor)
      .function("size", &EngineView::size)
      .function("messagesJson", &EngineView::messages_json)
      .function("countersJson", &EngineView::counters_json)
      .function("typingJson", &EngineView::typing_json);
  class_<EngineBinding, base<EngineView>>("Engine")
      .constructor<>()
      .function("handle", &EngineBinding::handle)
      .function("socketText", &EngineBinding::socket_text)
      .function("inputBuffer", &EngineBinding::input_buffer)
      .function("socketTextFromBuffer", &EngineBinding::socket_text_from_buffer)
      .function("carryMessages", &EngineBinding::carry_messages);
  class_<Client, base<EngineView>>("Client")
      .constructor<val, val>()
      .function("handle", &Client::handle)
      .function("inputBuffer", &Client::input_buffer)
      .function("handleBuffer", &Client::handle_buffer)
      .function("now", &Client::now);
  function("version", &version);
}
