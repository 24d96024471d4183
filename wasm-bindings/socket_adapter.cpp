#include "socket_adapter.h"

#include <cstdint>
#include <cstring>
#include <vector>

// websocket_text.js: hands over the text frames collected so far, so that no other event of a
// socket overtakes them.
extern "C" void pushsync_websocket_flush();

namespace pushsync::wasm {

SocketAdapter::~SocketAdapter() {
  // Node's WebSocket fires events synchronously from close(): none may reach the owner, which is
  // being destroyed, nor change the map while it is walked.
  detached_ = true;
  auto sockets = std::move(sockets_);
  sockets_.clear();
  for (auto& [id, entry] : sockets) {
    emscripten_websocket_close(entry->handle, 1000, "shutdown");
    emscripten_websocket_delete(entry->handle);
    delete entry;
  }
}

void SocketAdapter::open(SocketId id, const std::string& url) {
  EmscriptenWebSocketCreateAttributes attributes;
  emscripten_websocket_init_create_attributes(&attributes);
  attributes.url = url.c_str();
  attributes.createOnMainThread = EM_TRUE;
  const EMSCRIPTEN_WEBSOCKET_T handle = emscripten_websocket_new(&attributes);
  if (handle <= 0) {
    // The browser refused the URL outright: report it as a socket that closed at once.
    give(input::SocketClosed{id, 1006, "WebSocket could not be created"});
    return;
  }
  auto* entry = new Entry{this, id, handle};
  sockets_[id] = entry;
  emscripten_websocket_set_onopen_callback(handle, entry, &SocketAdapter::on_open);
  emscripten_websocket_set_onmessage_callback(handle, entry, &SocketAdapter::on_message);
  emscripten_websocket_set_onerror_callback(handle, entry, &SocketAdapter::on_error);
  emscripten_websocket_set_onclose_callback(handle, entry, &SocketAdapter::on_close);
}

bool SocketAdapter::send(SocketId id, const std::string& text) {
  const auto it = sockets_.find(id);
  if (it == sockets_.end()) return false;
  return emscripten_websocket_send_utf8_text(it->second->handle, text.c_str()) == EMSCRIPTEN_RESULT_SUCCESS;
}

void SocketAdapter::close(SocketId id, int code, const std::string& reason) {
  const auto it = sockets_.find(id);
  if (it == sockets_.end()) return;
  emscripten_websocket_close(it->second->handle, static_cast<unsigned short>(code), reason.c_str());
  // Keep the entry until the close event: the engine ignores it (stale socket id), and the
  // browser's callbacks still point at the entry until then.
}

void SocketAdapter::give(Input input) { sink_({&input, 1}); }

void SocketAdapter::forget(SocketId id) {
  const auto it = sockets_.find(id);
  if (it == sockets_.end()) return;
  // Also drops the frames of the socket not yet handed over (websocket_text.js).
  emscripten_websocket_delete(it->second->handle);
  delete it->second;
  sockets_.erase(it);
}

EM_BOOL SocketAdapter::on_open(int, const EmscriptenWebSocketOpenEvent*, void* user) {
  auto* entry = static_cast<Entry*>(user);
  if (entry->adapter->detached_) return EM_TRUE;
  pushsync_websocket_flush();
  entry->opened = true;
  entry->adapter->give(input::SocketOpened{entry->id});
  return EM_TRUE;
}

EM_BOOL SocketAdapter::on_message(int, const EmscriptenWebSocketMessageEvent* event, void* user) {
  auto* entry = static_cast<Entry*>(user);
  if (entry->adapter->detached_) return EM_TRUE;
  if (!event->isText) return EM_TRUE;  // Pusher speaks text; binary frames are not ours
  // A batch of records, each a 4-byte length and that many bytes, padded to 4 (websocket_text.js).
  // Every frame is copied out before the engine runs: the batch's buffer is reused.
  const auto* at = reinterpret_cast<const char*>(event->data);
  const char* const end = at + event->numBytes;
  std::vector<Input> frames;
  while (end - at >= 4) {
    std::uint32_t length = 0;
    std::memcpy(&length, at, 4);
    at += 4;
    if (length > static_cast<std::size_t>(end - at)) break;  // never written so: a bug, not a frame
    frames.push_back(input::SocketText{entry->id, std::string(at, length)});
    at += (length + 3) & ~std::uint32_t{3};
  }
  entry->adapter->sink_(frames);
  return EM_TRUE;
}

EM_BOOL SocketAdapter::on_error(int, const EmscriptenWebSocketErrorEvent*, void* user) {
  auto* entry = static_cast<Entry*>(user);
  SocketAdapter* adapter = entry->adapter;
  if (adapter->detached_) return EM_TRUE;
  pushsync_websocket_flush();
  const SocketId id = entry->id;
  const bool opened = entry->opened;
  adapter->give(input::SocketError{id, "WebSocket error"});
  // A socket that fails before it opens gets no close event from Node 20's WebSocket (browsers
  // send one): report the close here, and forget the socket so a later close cannot repeat it.
  if (!opened && adapter->sockets_.count(id) != 0) {
    adapter->forget(id);
    adapter->give(input::SocketClosed{id, 1006, "connection failed"});
  }
  return EM_TRUE;
}

EM_BOOL SocketAdapter::on_close(int, const EmscriptenWebSocketCloseEvent* event, void* user) {
  auto* entry = static_cast<Entry*>(user);
  if (entry->adapter->detached_) return EM_TRUE;
  // The event's fields first: the flush's frames may make the engine close or open sockets.
  SocketAdapter* adapter = entry->adapter;
  const SocketId id = entry->id;
  const int code = event->code;
  const std::string reason = event->reason;
  pushsync_websocket_flush();
  adapter->forget(id);  // deletes entry
  adapter->give(input::SocketClosed{id, code, reason});
  return EM_TRUE;
}

}  // namespace pushsync::wasm
