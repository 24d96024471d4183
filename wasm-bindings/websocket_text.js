// Emscripten 3.1.6's WebSocket message handler and emscripten_websocket_delete
// (src/library_websocket.js), overriding them. The message handler has two changes, both for the
// cost of a frame:
// - A text frame is written into module memory by TextEncoder.encodeInto (one native pass, into a
//   buffer reused from frame to frame) instead of lengthBytesUTF8, a malloc, stringToUTF8 (two
//   JavaScript loops over every character) and a free per frame.
// - Text frames are handed over in batches: the frames that arrive in one task (Node's WebSocket
//   fires every frame of one socket read in one task; a browser gives each its own) are collected
//   and given in one call at the next microtask, so the engine answers a burst once
//   (Engine::handle_some). The batch is a run of records, each a 4-byte length then that many
//   bytes of UTF-8, padded to 4 bytes; `numBytes` is the length of the run (socket_adapter.cpp
//   reads it). The socket's other events must not overtake its frames: the adapter calls
//   `pushsync_websocket_flush` at the start of its open, error and close handlers, and a binary
//   frame flushes the batch before it goes as in Emscripten's. A deleted socket's frames are
//   dropped (emscripten_websocket_delete below).
// Linked with --js-library (a later definition replaces the library's).
mergeInto(LibraryManager.library, {
  $WSBatch__deps: ['$WS', 'malloc', 'free'],
  $WSBatch: {
    buffer: 0,
    capacity: 0,
    used: 0,
    socket: null,  // the socket whose frames are collected (null: none)
    socketId: 0,
    callback: 0,
    userData: 0,
    event: 0,      // an event struct of its own: a flush may run inside another event's handler
    scheduled: false,
    encoder: null,
    // Hands the collected frames to the module: detached first, so a handler that runs during
    // the call (a close fired synchronously by close()) finds nothing left to hand over.
    flush: function() {
      WSBatch.scheduled = false;
      var socket = WSBatch.socket;
      if (!socket) return;
      var used = WSBatch.used;
      WSBatch.socket = null;
      WSBatch.used = 0;
      if (!WSBatch.event) WSBatch.event = _malloc(16);
      var event = WSBatch.event;
      HEAPU32[event>>2] = WSBatch.socketId;
      HEAPU32[(event+4)>>2] = WSBatch.buffer;
      HEAPU32[(event+8)>>2] = used;
      HEAPU32[(event+12)>>2] = 1; // text data
      {{{ makeDynCall('iiii', 'WSBatch.callback') }}}(0/*TODO*/, event, WSBatch.userData);
    },
  },

  // Emscripten's, but for two things: the frames of the socket not yet handed over are dropped
  // (their reader, the adapter's entry, is gone), and the socket's slot is emptied by its id
  // (3.1.6 deletes a key of the socket object itself, so every deleted socket stayed referenced).
  emscripten_websocket_delete__deps: ['$WS', '$WSBatch'],
  emscripten_websocket_delete__proxy: 'sync',
  emscripten_websocket_delete__sig: 'ii',
  emscripten_websocket_delete: function(socketId) {
    var socket = WS.sockets[socketId];
    if (!socket) return {{{ cDefine('EMSCRIPTEN_RESULT_INVALID_TARGET') }}};
    if (WSBatch.socket === socket) {
      WSBatch.socket = null;
      WSBatch.used = 0;
    }
    socket.onopen = socket.onerror = socket.onclose = socket.onmessage = null;
    WS.sockets[socketId] = null;
    return {{{ cDefine('EMSCRIPTEN_RESULT_SUCCESS') }}};
  },

  pushsync_websocket_flush__deps: ['$WSBatch'],
  pushsync_websocket_flush: function() {
    WSBatch.flush();
  },

  emscripten_websocket_set_onmessage_callback_on_thread__deps: ['$WS', '$WSBatch'],
  emscripten_websocket_set_onmessage_callback_on_thread__proxy: 'sync',
  emscripten_websocket_set_onmessage_callback_on_thread__sig: 'iiiii',
  emscripten_websocket_set_onmessage_callback_on_thread: function(socketId, userData, callbackFunc, thread) {
    if (!WS.socketEvent) WS.socketEvent = _malloc(1024); // sizeof the largest event struct, as Emscripten's
    var socket = WS.sockets[socketId];
    if (!socket) return {{{ cDefine('EMSCRIPTEN_RESULT_INVALID_TARGET') }}};
    socket.onmessage = function(e) {
      if (typeof e.data != 'string') {
        WSBatch.flush();
        var len = e.data.byteLength;
        var buf = _malloc(len);
        HEAP8.set(new Uint8Array(e.data), buf);
        HEAPU32[WS.socketEvent>>2] = socketId;
        HEAPU32[(WS.socketEvent+4)>>2] = buf;
        HEAPU32[(WS.socketEvent+8)>>2] = len;
        HEAPU32[(WS.socketEvent+12)>>2] = 0; // binary data
        {{{ makeDynCall('iiii', 'callbackFunc') }}}(0/*TODO*/, WS.socketEvent, userData);
        _free(buf);
        return;
      }
      // UTF-8 takes at most 3 bytes per UTF-16 unit; the record adds its length and padding.
      var need = e.data.length * 3 + 8;
      if (WSBatch.socket !== socket || WSBatch.used + need > WSBatch.capacity) {
        WSBatch.flush();
        WSBatch.socket = socket;
        WSBatch.socketId = socketId;
        WSBatch.callback = callbackFunc;
        WSBatch.userData = userData;
        if (need > WSBatch.capacity) {
          if (WSBatch.buffer) _free(WSBatch.buffer);
          WSBatch.capacity = Math.max(need, 65536);
          WSBatch.buffer = _malloc(WSBatch.capacity);
        }
      }
      // A frame that needed an unusually large buffer does not keep it once it is handed over.
      var huge = need > 1048576;
      var at = WSBatch.buffer + WSBatch.used;
      WSBatch.encoder = WSBatch.encoder || new TextEncoder();
      // HEAPU8 after the malloc: memory may have grown.
      var written = WSBatch.encoder.encodeInto(e.data, HEAPU8.subarray(at + 4, WSBatch.buffer + WSBatch.capacity)).written;
      HEAPU32[at>>2] = written;
      WSBatch.used += 4 + ((written + 3) & ~3);
      if (huge) {
        WSBatch.flush();
        _free(WSBatch.buffer);
        WSBatch.buffer = WSBatch.capacity = 0;
      } else if (!WSBatch.scheduled) {
        WSBatch.scheduled = true;
        queueMicrotask(WSBatch.flush);
      }
    };
    return {{{ cDefine('EMSCRIPTEN_RESULT_SUCCESS') }}};
  },
});
