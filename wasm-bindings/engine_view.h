// Read access to an engine for JavaScript: what both the bare Engine binding and the Client
// (engine + WebSocket) offer. Values cross as JSON text or numbers: one decode in JavaScript,
// no per-field embind calls.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "pushsync/effect.h"
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
  /// Appends `effects` to `out` as the objects of a JSON array (comma-separated, no brackets): the
  /// effects' JSON, each `messages` effect also carrying the messages it names, read now, so a
  /// host applies the diff without calling back for them. Call it right after the engine call
  /// that made the effects (the positions are final only until the next input).
  void append_effects_json(Effects&& effects, std::string& out);

  Engine engine_;
  /// Whether `messages` effects carry `insertedMessages` and `updatedMessages` (wire-shaped, in
  /// the order of `inserted` and `updated`).
  bool carry_messages_ = true;

 private:
  void append_messages(const std::vector<std::size_t>& positions, std::string& out) const;
  Effects one_;  // reused: one effect at a time through effects_to_json
};

}  // namespace pushsync::wasm
