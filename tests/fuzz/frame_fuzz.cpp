// Fuzz target: socket frames and the application events inside them.
//
// Invariant: for any bytes, decode_frame parses them into a Frame or reports a FrameError, and
// every payload decoder (decode_app_event for each known event name, decode_connection_established,
// decode_pusher_error, decode_channel_auth) parses its input or reports a DecodeError. Nothing
// else: no crash, no abort, no hang, no sanitizer report. What is accepted is also well formed:
// - an accepted frame, encoded again with encode_frame, decodes to the same event, channel, data;
// - an accepted event is the alternative its name promises, and a new_message holds a message
//   the store can order (non-empty id, sequence >= 1 or 0 for none, timestamp_ms == parse of its
//   timestamp);
// - connection_established's activity timeout is within 1..3600 s;
// - the core's one decoder of frames and new_message payloads (core/src/json_scanner.h) agrees
//   with the nlohmann oracle (tests/support/json_oracle.h): the same value, or the same error;
// - a frame's data read as a frame's (its UTF-8 not checked again) reads as any payload does;
// - the frame as the engine reads it, a new_message read in one pass out of the escaped data
//   (decode_frame_into with `hot`), is the same frame or error, and its event is the data's.
// A violation calls __builtin_trap(), which libFuzzer reports as a crash with the input.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "../../core/src/decoders.h"
#include "support/json_oracle.h"
#include "pushsync/events.h"
#include "pushsync/frame.h"
#include "pushsync/iso_time.h"

namespace {

using namespace pushsync;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

void check_message(const Message& m) {
  check(!m.id.empty());
  check(m.sequence >= 0);
  check(!m.status.empty());
  const auto ms = parse_iso8601_ms(m.timestamp.text());
  check(ms.has_value() && *ms == m.timestamp_ms);
}

constexpr std::string_view kEvents[] = {"new_message", "message_update",    "session_update",
                                        "typing",      "interact_response", "error"};

void decode_payload(std::string_view data) {
  for (std::size_t i = 0; i < std::size(kEvents); ++i) {
    const auto event = decode_app_event(kEvents[i], data);
    if (!event) {
      check(!event.error().what.empty());
      continue;
    }
    check(event.value().index() == i);  // AppEvent's alternatives are in kEvents order
    if (const auto* m = std::get_if<NewMessageEvent>(&event.value())) check_message(m->message);
  }
  if (const auto established = decode_connection_established(data)) {
    check(established.value().activity_timeout_s >= 1 && established.value().activity_timeout_s <= 3600);
  }
  (void)decode_pusher_error(data);
  if (const auto auth = decode_channel_auth(data)) check(!auth.value().empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(bytes), size);

  const auto frame = decode_frame(text);
  check(oracle::agree(frame, oracle::decode_frame(text)));
  Frame fast;
  std::optional<NewMessageEvent> hot;
  const auto fast_error = decode_frame_into(text, fast, &hot);
  if (frame) {
    check(!fast_error);
    if (hot) {
      check(fast.data.empty());
      fast.data = frame.value().data;
      const auto event = decode_frame_event(fast.event, fast.data);
      check(event.ok() && AppEvent{*hot} == event.value());
    }
    check(fast == frame.value());
  } else {
    check(fast_error == frame.error() && !hot);
  }
  check(oracle::agree(decode_app_event("new_message", text), oracle::decode_app_event("new_message", text)));
  if (frame) {
    const Frame& f = frame.value();
    const auto again = decode_frame(encode_frame(f.event, f.data, f.channel));
    check(again.ok());
    check(again.value().event == f.event && again.value().channel == f.channel && again.value().data == f.data);
    decode_payload(f.data);
    const auto event = decode_app_event("new_message", f.data);
    check(oracle::agree(event, oracle::decode_app_event("new_message", f.data)));
    check(decode_frame_event("new_message", f.data) == event);
  } else {
    const char* why = to_string(frame.error());
    check(why != nullptr && *why != '\0');
  }

  // The payload decoders also see the raw bytes, so the fuzzer explores them without having to
  // learn Pusher's double encoding first.
  decode_payload(text);
  return 0;
}
