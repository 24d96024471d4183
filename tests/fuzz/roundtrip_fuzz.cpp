// Fuzz target: the encoders, by round trips of fuzzer-built values.
//
// The fuzzer's bytes are not a text here but the choices that build values (FuzzedDataProvider):
// persisted states, frames, the frames the client sends (subscribe, unsubscribe, ping, pong,
// sockudo:resume), messages (in a REST page, in a new_message payload, in a whole frame), host
// inputs with every configuration field, and the `messages` effect. Strings are valid UTF-8 built
// from code points of every class (controls, quotes, backslashes, 2-, 3- and 4-byte sequences), or
// now and then raw bytes.
//
// Invariant:
// - decode(encode(v)) == v, exactly, for every value with valid UTF-8 text (a persisted state, a
//   frame, a message, an input or configuration, the positions of a `messages` effect);
// - with raw bytes (invalid UTF-8 is replaced by the encoders, never aborting), decode(encode(v))
//   is accepted, and from there encoding is a fixed point;
// - the fast decode path (the scanner) and the general one (nlohmann) agree on every encoded frame
//   and new_message payload;
// - a message whose actionPayload nests k levels is accepted in a page exactly when the page's
//   depth (3 + k) is within kMaxJsonDepth, and in a new_message payload when 2 + k is;
// - nothing crashes, aborts or trips a sanitizer.
// A violation calls __builtin_trap(), which libFuzzer reports with the input.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "support/json_oracle.h"
#include "../../core/src/json_limits.h"
#include "pushsync/events.h"
#include "pushsync/frame.h"
#include "pushsync/iso_time.h"
#include "pushsync/json_io.h"
#include "pushsync/persisted_state.h"

namespace {

using namespace pushsync;
using nlohmann::json;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Counted on the value, independently of the decoders' pre-scan.
int depth_of(const json& v) {
  if (!v.is_structured()) return 0;
  int deepest = 0;
  for (const auto& child : v) deepest = std::max(deepest, depth_of(child));
  return 1 + deepest;
}

class Builder {
 public:
  explicit Builder(FuzzedDataProvider& fuzz) : f(fuzz) {}

  /// Valid UTF-8 of up to `max` code points.
  std::string text(std::size_t max = 12) {
    std::string out;
    const auto n = f.ConsumeIntegralInRange<std::size_t>(0, max);
    for (std::size_t i = 0; i < n && f.remaining_bytes() > 0; ++i) {
      switch (f.ConsumeIntegralInRange(0, 7)) {
        case 0: append_utf8(out, f.ConsumeIntegralInRange<std::uint32_t>(0, 0x1F)); break;
        case 1: out += f.PickValueInArray({'"', '\\', '/', '{', '}', '[', ']', ':', ',', ' '}); break;
        case 2: append_utf8(out, f.ConsumeIntegralInRange<std::uint32_t>(0x80, 0x7FF)); break;
        case 3: {
          auto cp = f.ConsumeIntegralInRange<std::uint32_t>(0x800, 0xFFFF - 0x800);
          if (cp >= 0xD800) cp += 0x800;  // no surrogates: they are not characters
          append_utf8(out, cp);
          break;
        }
        case 4: append_utf8(out, f.ConsumeIntegralInRange<std::uint32_t>(0x10000, 0x10FFFF)); break;
        default: append_utf8(out, f.ConsumeIntegralInRange<std::uint32_t>(0x20, 0x7E)); break;
      }
    }
    return out;
  }

  /// Mostly valid UTF-8; sometimes raw bytes (then `raw` is set).
  std::string any_text(bool& raw, std::size_t max = 12) {
    if (f.ConsumeIntegralInRange(0, 7) == 0) {
      raw = true;
      return f.ConsumeRandomLengthString(max);
    }
    return text(max);
  }

  template <class T>
  T integer() {
    // The extremes often, since that is where conversions break.
    switch (f.ConsumeIntegralInRange(0, 3)) {
      case 0: return std::numeric_limits<T>::max();
      case 1: return std::numeric_limits<T>::min();
      default: return f.ConsumeIntegral<T>();
    }
  }

  /// A JSON value nested `depth` levels (arrays and objects) around small leaves.
  json value(int depth) {
    json leaf;
    switch (f.ConsumeIntegralInRange(0, 5)) {
      case 0: leaf = text(4); break;
      case 1: leaf = f.ConsumeIntegral<std::int64_t>(); break;
      case 2: leaf = f.ConsumeBool(); break;
      case 3: leaf = f.ConsumeFloatingPoint<double>(); break;
      case 4: leaf = nullptr; break;
      default: leaf = f.ConsumeIntegral<std::uint64_t>(); break;
    }
    for (int i = 0; i < depth; ++i) {
      if (f.ConsumeBool()) {
        leaf = json::array({leaf});
        if (f.ConsumeBool()) leaf.push_back(text(3));
      } else {
        json object = json::object();
        object[text(3)] = std::move(leaf);
        leaf = std::move(object);
      }
    }
    return leaf;
  }

  std::string timestamp(std::int64_t& ms) {
    ms = f.ConsumeIntegralInRange<std::int64_t>(0, 253'402'300'799'999);
    std::string iso = format_iso8601_ms(ms);  // 2026-12-01T10:00:00.000Z
    switch (f.ConsumeIntegralInRange(0, 3)) {
      case 0: iso = iso.substr(0, 19) + "Z"; break;
      case 1: iso = iso.substr(0, 23) + (f.ConsumeBool() ? "+02:00" : "-0130"); break;
      default: break;
    }
    const auto parsed = parse_iso8601_ms(iso);
    if (!parsed) {
      iso = format_iso8601_ms(ms);
    } else {
      ms = *parsed;
    }
    return iso;
  }

  Message message(int& payload_depth) {
    Message m;
    m.id = "m" + text(6);
    m.sequence = f.ConsumeBool() ? 0 : f.ConsumeIntegralInRange<std::int64_t>(1, kMaxSequence);
    m.role = f.PickValueInArray({"user", "assistant", "system", ""});
    if (f.ConsumeBool()) m.role = text(6);
    m.content = text(40);
    m.status = f.PickValueInArray({"sent", "pending", "success", "failure"});
    if (f.ConsumeBool()) m.status = "s" + text(6);
    m.timestamp = timestamp(m.timestamp_ms);
    if (f.ConsumeBool()) {
      std::int64_t ignored;
      m.updated_at = timestamp(ignored);
    }
    payload_depth = -1;
    if (f.ConsumeBool()) {
      // Now and then near the limit, to check where it is (deeper than the limit, a payload cannot
      // come from a decoder, so it is no value to round-trip).
      json payload = value(f.ConsumeIntegralInRange(0, 5) == 0 ? f.ConsumeIntegralInRange(kMaxJsonDepth - 4, kMaxJsonDepth)
                                                               : f.ConsumeIntegralInRange(0, 6));
      if (payload.is_null()) payload = json::object();  // a null payload is no payload
      payload_depth = depth_of(payload);
      m.action_payload = payload.dump();
    }
    if (f.ConsumeBool()) m.error = MessageError{text(6), text(20)};
    return m;
  }

  Config config() {
    Config c;
    c.api_base = text(20);
    c.ws_host = text(10);
    c.ws_port = integer<int>();
    c.ws_tls = f.ConsumeBool();
    c.app_key = text(10);
    c.protocol = integer<int>();
    c.client_version = text(6);
    c.keepalive = integer<Millis>();
    c.jitter_seed = integer<std::uint64_t>();
    c.max_messages = integer<std::size_t>();
    c.page_limit = integer<int>();
    c.max_page_limit = integer<int>();
    c.messages_path = text(20);
    c.auth_path = text(20);
    c.dialect = static_cast<BackendDialect>(f.ConsumeIntegralInRange(0, 2));
    c.max_frame_bytes = integer<std::size_t>();
    c.max_page_bytes = integer<std::size_t>();
    c.max_message_bytes = integer<std::size_t>();
    c.typing = static_cast<TypingSource>(f.ConsumeIntegralInRange(0, 2));
    c.backoff.base = integer<Millis>();
    c.backoff.cap = integer<Millis>();
    c.backoff.jitter = f.ConsumeFloatingPoint<double>();
    c.max_reconnect_attempts = integer<int>();
    c.connect_timeout = integer<Millis>();
    c.pong_timeout = integer<Millis>();
    c.request_timeout = integer<Millis>();
    c.typing_timeout = integer<Millis>();
    c.probe_interval = integer<Millis>();
    c.gap_retry = integer<Millis>();
    c.persist_interval = integer<Millis>();
    c.settle_check = integer<Millis>();
    c.gap_grace = integer<Millis>();
    c.resync_interval = integer<Millis>();
    return c;
  }

  Input input() {
    switch (f.ConsumeIntegralInRange(0, 13)) {
      case 0: return input::Configure{config()};
      case 1: return input::SelectSession{text()};
      case 2: return input::Stop{};
      case 3: return input::SetToken{f.ConsumeBool() ? std::optional<std::string>(text(30)) : std::nullopt};
      case 4: return input::Visibility{f.ConsumeBool()};
      case 5: return input::Network{f.ConsumeBool()};
      case 6: return input::Refresh{};
      case 7: return input::SocketOpened{integer<SocketId>()};
      case 8: return input::SocketText{integer<SocketId>(), text(60)};
      case 9: return input::SocketClosed{integer<SocketId>(), integer<int>(), text()};
      case 10: return input::SocketError{integer<SocketId>(), text()};
      case 11: return input::HttpResult{integer<RequestId>(), integer<int>(), text(60)};
      case 12: return input::Tick{};
      default: return input::Restore{text(60)};
    }
  }

  FuzzedDataProvider& f;
};

void persisted_state(Builder& b) {
  bool raw = false;
  PersistedState state;
  state.session_id = b.any_text(raw);
  state.was_connected = b.f.ConsumeBool();
  state.saved_at = b.integer<Millis>();
  state.cursor = b.f.ConsumeIntegralInRange<std::int64_t>(0, std::numeric_limits<std::int64_t>::max());
  const std::string encoded = encode_persisted_state(state);
  const auto decoded = decode_persisted_state(encoded);
  check(decoded.ok());
  if (!raw) check(decoded.value() == state);
  if (!raw) check(encode_persisted_state(decoded.value()) == encoded);
  const auto again = decode_persisted_state(encode_persisted_state(decoded.value()));
  check(again.ok() && again.value() == decoded.value());
  // A negative cursor is never valid, whoever wrote it.
  if (state.cursor > 0) {
    state.cursor = -state.cursor;
    check(!decode_persisted_state(encode_persisted_state(state)).ok());
  }
}

void frame(Builder& b) {
  bool raw = false;
  const std::string event = b.any_text(raw);
  const std::string data = b.any_text(raw, 60);
  std::optional<std::string> channel;
  if (b.f.ConsumeBool()) channel = b.any_text(raw);
  const std::string encoded = encode_frame(event, data, channel);
  const auto decoded = decode_frame(encoded);
  check(decoded.ok());
  check(decoded == oracle::decode_frame(encoded));
  const Frame& f = decoded.value();
  if (!raw) check(f.event == event && f.data == data && f.channel == channel);
  check(!f.user_id && !f.message_id && !f.stream_id && !f.serial);
  const std::string again = encode_frame(f.event, f.data, f.channel);
  check(raw || again == encoded);
  check(decode_frame(again) == decoded);
}

json frame_data(const std::string& encoded, const char* event) {
  const auto decoded = decode_frame(encoded);
  check(decoded.ok() && decoded == oracle::decode_frame(encoded));
  check(decoded.value().event == event && !decoded.value().channel);
  const json data = json::parse(decoded.value().data, nullptr, false);
  check(data.is_object());
  return data;
}

void client_frames(Builder& b) {
  const std::string channel = b.text(), auth = b.text(30);
  check(frame_data(encode_subscribe(channel, auth), "pusher:subscribe") == json{{"auth", auth}, {"channel", channel}});
  check(frame_data(encode_unsubscribe(channel), "pusher:unsubscribe") == json{{"channel", channel}});
  check(frame_data(encode_ping(), "pusher:ping").empty());
  check(frame_data(encode_pong(), "pusher:pong").empty());

  std::vector<ResumePosition> positions(b.f.ConsumeIntegralInRange<std::size_t>(0, 4));
  std::map<std::string, const ResumePosition*> last;  // a channel named twice: the last one counts
  for (auto& p : positions) {
    p.channel = b.f.ConsumeBool() ? "private-session-s1" : b.text(8);
    p.stream_id = b.text(8);
    p.serial = b.f.ConsumeIntegralInRange<std::int64_t>(0, std::numeric_limits<std::int64_t>::max());
    if (b.f.ConsumeBool()) p.last_message_id = b.text(8);
    last[p.channel] = &p;
  }
  const json data = frame_data(encode_resume(positions), "sockudo:resume");
  const json& channels = data.at("channel_positions");
  check(channels.is_object() && channels.size() == last.size());
  for (const auto& [name, p] : last) {
    const json& at = channels.at(name);
    check(at.at("stream_id") == p->stream_id && at.at("serial").get<std::int64_t>() == p->serial);
    check(at.contains("last_message_id") == p->last_message_id.has_value());
    if (p->last_message_id) check(at.at("last_message_id") == *p->last_message_id);
  }
}

void message(Builder& b) {
  int payload_depth = -1;
  const Message m = b.message(payload_depth);
  const std::string wire = message_to_json(m);
  const std::string session = b.text(6);

  // In a REST page: {"messages":[ {message} ]} adds 3 levels to the payload's.
  const auto page = decode_message_page(R"({"messages":[)" + wire + "]}");
  const bool page_fits = payload_depth < 0 || 3 + payload_depth <= kMaxJsonDepth;
  check(page.ok() == page_fits);
  if (page_fits) {
    check(page.value().rejected.empty() && page.value().messages.size() == 1);
    check(page.value().messages[0] == m);
    check(message_to_json(page.value().messages[0]) == wire);
  }

  // In a new_message payload {"sessionId":..., "message":{...}}: 2 levels, and in a frame, where
  // the payload is a string (its nesting counts only when it is decoded).
  const std::string payload = json{{"sessionId", session}, {"message", json::parse(wire, nullptr, false)}}.dump();
  const bool payload_fits = payload_depth < 0 || 2 + payload_depth <= kMaxJsonDepth;
  const auto event = decode_app_event("new_message", payload);
  check(event == oracle::decode_app_event("new_message", payload));
  check(event.ok() == payload_fits);
  if (payload_fits) check(event.value() == AppEvent{NewMessageEvent{session, m}});

  const std::string frame = encode_frame("new_message", payload, "private-session-" + session);
  const auto decoded = decode_frame(frame);
  check(decoded.ok() && decoded == oracle::decode_frame(frame) && decoded.value().data == payload);
}

void host_input(Builder& b) {
  const Input in = b.input();
  const std::string encoded = input_to_json(in);
  const auto decoded = input_from_json(encoded);
  check(decoded.ok() && decoded.value() == in);
  check(input_to_json(decoded.value()) == encoded);
  if (const auto* configure = std::get_if<input::Configure>(&in)) {
    const auto config = config_from_json(config_to_json(configure->config));
    check(config.ok() && config.value() == configure->config);
  }
}

void messages_effect(Builder& b) {
  // The engine's most frequent effect has a writer of its own (no DOM); it must say what nlohmann
  // would, for any session id (printable ASCII takes the fast writer, anything else the general).
  bool raw = false;
  effect::MessagesChanged x;
  x.session_id = b.f.ConsumeBool() ? "s" + std::to_string(b.f.ConsumeIntegral<std::uint16_t>()) : b.any_text(raw);
  x.reset = b.f.ConsumeBool();
  x.removed_front = b.integer<std::size_t>();
  x.inserted.resize(b.f.ConsumeIntegralInRange<std::size_t>(0, 5));
  for (auto& p : x.inserted) p = b.integer<std::size_t>();
  x.updated.resize(b.f.ConsumeIntegralInRange<std::size_t>(0, 5));
  for (auto& p : x.updated) p = b.integer<std::size_t>();
  x.size = b.integer<std::size_t>();
  const json out = json::parse(effects_to_json({x, effect::Error{ErrorCode::BadFrame, "e"}}), nullptr, false);
  check(out.is_array() && out.size() == 2);
  const json& e = out[0];
  check(e.size() == 7 && e.at("type") == "messages" && e.at("reset") == x.reset);
  if (!raw) check(e.at("sessionId") == x.session_id);
  check(e.at("removedFront").get<std::size_t>() == x.removed_front && e.at("size").get<std::size_t>() == x.size);
  check(e.at("inserted").get<std::vector<std::size_t>>() == x.inserted);
  check(e.at("updated").get<std::vector<std::size_t>>() == x.updated);
  check(out[1].at("type") == "error");

  // So has the typing effect (as frequent while a turn is inferred): the same bytes as nlohmann's.
  effect::TypingChanged t;
  t.session_id = b.f.ConsumeBool() ? "s" + std::to_string(b.f.ConsumeIntegral<std::uint16_t>()) : b.any_text(raw);
  t.is_typing = b.f.ConsumeBool();
  t.context = b.f.ConsumeBool() ? std::string(b.f.ConsumeBool() ? "thinking" : "") : b.any_text(raw);
  const json typing = {{"type", "typing"}, {"sessionId", t.session_id}, {"isTyping", t.is_typing}, {"context", t.context}};
  check(effects_to_json({t}) == "[" + typing.dump(-1, ' ', false, json::error_handler_t::replace) + "]");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  FuzzedDataProvider fuzz(bytes, size);
  Builder b(fuzz);
  for (int i = 0; i < 4 && fuzz.remaining_bytes() > 0; ++i) {
    switch (fuzz.ConsumeIntegralInRange(0, 5)) {
      case 0: persisted_state(b); break;
      case 1: frame(b); break;
      case 2: client_frames(b); break;
      case 3: message(b); break;
      case 4: host_input(b); break;
      default: messages_effect(b); break;
    }
  }
  return 0;
}
