// Emscripten 3.1.6's WebSocket message handler (src/library_websocket.js), overriding it with one
// change: a text frame is written into module memory by TextEncoder.encodeInto (one native pass,
// into a buffer reused from frame to frame) instead of lengthBytesUTF8, a malloc, stringToUTF8
// (two JavaScript loops over every character) and a free per frame. Binary frames, the event
// struct and the callback are as in Emscripten's. Linked with --js-library (a later definition
// replaces the library's).
mergeInto(LibraryManager.library, {
  emscripten_websocket_set_onmessage_callback_on_thread__deps: ['$WS'],
  emscripten_websocket_set_onmessage_callback_on_thread__proxy: 'sync',
  emscripten_websocket_set_onmessage_callback_on_thread__sig: 'iiiii',
  emscripten_websocket_set_onmessage_callback_on_thread: function(socketId, userData, callbackFunc, thread) {
    if (!WS.socketEvent) WS.socketEvent = _malloc(1024); // sizeof the largest event struct, as Emscripten's
    var socket = WS.sockets[socketId];
    if (!socket) return {{{ cDefine('EMSCRIPTEN_RESULT_INVALID_TARGET') }}};
    socket.onmessage = function(e) {
      HEAPU32[WS.socketEvent>>2] = socketId;
      var buf, len, owned = false;
      if (typeof e.data == 'string') {
        // UTF-8 takes at most 3 bytes per UTF-16 unit, plus the NUL Emscripten's text events end with.
        var need = e.data.length * 3 + 1;
        if (need > 1048576) {
          // A rare huge frame gets a buffer of its own, not a megabytes-large one kept forever.
          len = lengthBytesUTF8(e.data) + 1;
          buf = _malloc(len);
          stringToUTF8(e.data, buf, len);
          owned = true;
        } else {
          if (!WS.textBuffer || WS.textCapacity < need) {
            if (WS.textBuffer) _free(WS.textBuffer);
            WS.textCapacity = Math.max(need, 16384);
            WS.textBuffer = _malloc(WS.textCapacity);
            WS.textEncoder = WS.textEncoder || new TextEncoder();
          }
          buf = WS.textBuffer;
          // HEAPU8 after the malloc: memory may have grown.
          len = WS.textEncoder.encodeInto(e.data, HEAPU8.subarray(buf, buf + WS.textCapacity - 1)).written;
          HEAPU8[buf + len] = 0;
          len += 1;
        }
        HEAPU32[(WS.socketEvent+12)>>2] = 1; // text data
      } else {
        len = e.data.byteLength;
        buf = _malloc(len);
        HEAP8.set(new Uint8Array(e.data), buf);
        owned = true;
        HEAPU32[(WS.socketEvent+12)>>2] = 0; // binary data
      }
      HEAPU32[(WS.socketEvent+4)>>2] = buf;
      HEAPU32[(WS.socketEvent+8)>>2] = len;
      // The handler copies the frame before anything else runs (socket_adapter.cpp), so the
      // reused buffer may be written again by a later event.
      {{{ makeDynCall('iiii', 'callbackFunc') }}}(0/*TODO*/, WS.socketEvent, userData);
      if (owned) _free(buf);
    };
    return {{{ cDefine('EMSCRIPTEN_RESULT_SUCCESS') }}};
  },
});
