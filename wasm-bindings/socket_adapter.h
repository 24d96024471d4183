// Carries out the engine's socket effects with Emscripten's WebSocket API (the browser's, or Node's
// global WebSocket) and turns the socket's events back into engine inputs. It decides nothing: what
// to send and when is the engine's business.
#pragma once

#include <emscripten/websocket.h>

#include <functional>
#include <span>
#include <string>
#include <unordered_map>

#include "pushsync/input.h"

namespace pushsync::wasm {

class SocketAdapter {
 public:
  /// Receives every socket event as an engine input, from the browser's event loop: the text
  /// frames that arrived in one task together (websocket_text.js), every other event alone.
  using Sink = std::function<void(std::span<const Input>)>;

  explicit SocketAdapter(Sink sink) : sink_(std::move(sink)) {}
  ~SocketAdapter();
  SocketAdapter(const SocketAdapter&) = delete;
  SocketAdapter& operator=(const SocketAdapter&) = delete;

  void open(SocketId id, const std::string& url);
  /// Sends a text frame; false when the socket is unknown or the browser refused it.
  bool send(SocketId id, const std::string& text);
  void close(SocketId id, int code, const std::string& reason);

 private:
  struct Entry {
    SocketAdapter* adapter;
    SocketId id;
    EMSCRIPTEN_WEBSOCKET_T handle;
    bool opened = false;
  };
  static EM_BOOL on_open(int, const EmscriptenWebSocketOpenEvent*, void* user);
  static EM_BOOL on_message(int, const EmscriptenWebSocketMessageEvent* event, void* user);
  static EM_BOOL on_error(int, const EmscriptenWebSocketErrorEvent*, void* user);
  static EM_BOOL on_close(int, const EmscriptenWebSocketCloseEvent* event, void* user);
  void forget(SocketId id);
  void give(Input input);

  Sink sink_;
  bool detached_ = false;  // being destroyed: socket events are dropped
  // Entries are heap-allocated and owned here: the browser's callbacks hold their address.
  std::unordered_map<SocketId, Entry*> sockets_;
};

}  // namespace pushsync::wasm
