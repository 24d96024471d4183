// Read access to an engine for JavaScript: what both the bare Engine binding and the Client
// (engine + WebSocket) offer. Values cross as JSON text or numbers: one decode in JavaScript,
// no per-field embind calls.
#pragma once

#include <string>

#include "pushsync/engine.h"

namespace pushsync::wasm {

class EngineView {
 public:
  virtual ~EngineView() = default;

  /// Milliseconds of the next wanted tick, or -1 when none.
  double next_deadline() const;
  std::string state() const;
  std::string state_reason() const;
  std::string state_code() const;
  bool loaded() const { return engine_.loaded(); }
  std::string gaps_json() const;
  std::string session_id() const { return engine_.session_id(); }
  std::string socket_id() const { return engine_.socket_id(); }
  double cursor() const { return static_cast<double>(engine_.cursor()); }
  double size() const { return static_cast<double>(engine_.messages().size()); }
  /// Messages [first, first + count) in order, as a JSON array of wire-shaped messages.
  std::string messages_json(double first, double count) const;
  std::string counters_json() const;
  std::string typing_json() const;

 protected:
  Engine engine_;
};

}  // namespace pushsync::wasm
