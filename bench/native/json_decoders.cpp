// Issue 12 asks the frame decoder to be chosen by measurement: the core's own scanner, or a
// maintained fast library. This reads every frame of a file of Pusher `new_message` frames into
// the core's NewMessageEvent three ways and times them:
//   pushsync   the core's decoder (decode_frame_into with the one pass, as the engine calls it)
//   rapidjson  RapidJSON's DOM (validating UTF-8), the frame and then its `data` string
//   simdjson   simdjson's On-Demand API, the frame and then its `data` string (natively only: Debian
//              ships simdjson as a library built for the host, not its source)
// Each gives the same event (a message's fields copied into its strings, the timestamp parsed,
// `actionPayload` kept as JSON text), checked against the core's for every frame in a first pass
// that is not timed; the libraries keep `actionPayload`'s keys in the order sent, where the core
// writes them sorted, as nlohmann does (so the check compares that one field as JSON values). Built natively
// (g++ -O3) and to WebAssembly (em++ -O3 -msimd128, as the module) by bench/json-decoders.mjs.
//
//   json_decoders FRAMES.ndjson DECODER REPEATS   prints {"decoder","frames","ms","checked"}
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "decoders.h"
#include "pushsync/iso_time.h"

#if defined(WITH_RAPIDJSON)
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#endif
#if defined(WITH_SIMDJSON)
#include <simdjson.h>
#endif

using namespace pushsync;

namespace {

std::vector<std::string> read_frames(const char* path) {
  std::ifstream in(path);
  std::vector<std::string> frames;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) frames.push_back(line);
  }
  return frames;
}

// What every decoder does with a message's timestamp: the core's TimeText keeps a canonical time
// as its milliseconds.
void set_time(Message& m, std::string_view text) {
  const auto ms = parse_iso8601_ms(text);
  m.timestamp = ms ? TimeText(std::string(text), *ms) : TimeText(std::string(text));
  m.timestamp_ms = ms.value_or(0);
}

bool pushsync_decode(const std::string& text, Frame& frame, std::optional<NewMessageEvent>& hot, NewMessageEvent& out) {
  if (decode_frame_into(text, frame, &hot)) return false;
  if (hot) {
    out = std::move(*hot);
    return true;
  }
  auto event = decode_frame_event(frame.event, frame.data);
  if (!event) return false;
  auto* message = std::get_if<NewMessageEvent>(&event.value());
  if (!message) return false;
  out = std::move(*message);
  return true;
}

#if defined(WITH_RAPIDJSON)
bool rapidjson_decode(const std::string& text, NewMessageEvent& out) {
  using namespace rapidjson;
  constexpr unsigned kFlags = kParseValidateEncodingFlag | kParseStopWhenDoneFlag;
  Document frame;
  if (frame.Parse<kFlags>(text.data(), text.size()).HasParseError() || !frame.IsObject()) return false;
  const auto event = frame.FindMember("event");
  const auto data = frame.FindMember("data");
  if (event == frame.MemberEnd() || !event->value.IsString() || data == frame.MemberEnd() || !data->value.IsString()) return false;
  if (std::string_view(event->value.GetString(), event->value.GetStringLength()) != "new_message") return false;
  Document payload;
  if (payload.Parse<kFlags>(data->value.GetString(), data->value.GetStringLength()).HasParseError() || !payload.IsObject()) return false;
  const auto session = payload.FindMember("sessionId");
  const auto message = payload.FindMember("message");
  if (session == payload.MemberEnd() || !session->value.IsString() || message == payload.MemberEnd() || !message->value.IsObject()) return false;
  out.session_id.assign(session->value.GetString(), session->value.GetStringLength());
  Message& m = out.message;
  m = Message{};
  const auto& fields = message->value;
  const auto text_of = [&](const char* key, std::string& into, bool required) {
    const auto it = fields.FindMember(key);
    if (it == fields.MemberEnd()) return !required;
    if (!it->value.IsString()) return false;
    into.assign(it->value.GetString(), it->value.GetStringLength());
    return true;
  };
  std::string timestamp, updated_at;
  if (!text_of("messageId", m.id, true) || !text_of("role", m.role, true) || !text_of("content", m.content, true) ||
      !text_of("status", m.status, true) || !text_of("timestamp", timestamp, true) || !text_of("updatedAt", updated_at, false) ||
      !text_of("clientMessageId", m.client_message_id, false))
    return false;
  set_time(m, timestamp);
  if (!updated_at.empty()) {
    const auto ms = parse_iso8601_ms(updated_at);
    m.updated_at = ms ? TimeText(updated_at, *ms) : TimeText(updated_at);
  }
  if (const auto it = fields.FindMember("sequenceNumber"); it != fields.MemberEnd()) {
    if (!it->value.IsInt64()) return false;
    m.sequence = it->value.GetInt64();
  }
  if (const auto it = fields.FindMember("actionPayload"); it != fields.MemberEnd() && !it->value.IsNull()) {
    StringBuffer buffer;
    Writer<StringBuffer> writer(buffer);
    it->value.Accept(writer);
    m.action_payload = std::string(buffer.GetString(), buffer.GetSize());
  }
  return true;
}
#endif

#if defined(WITH_SIMDJSON)
bool simdjson_decode(simdjson::ondemand::parser& parser, simdjson::ondemand::parser& inner_parser, const std::string& text,
                     NewMessageEvent& out) {
  using namespace simdjson;
  padded_string padded(text);
  ondemand::document frame;
  if (parser.iterate(padded).get(frame)) return false;
  std::string_view event, data;
  ondemand::object outer;
  if (frame.get_object().get(outer)) return false;
  if (outer.find_field_unordered("event").get_string().get(event) || event != "new_message") return false;
  if (outer.find_field_unordered("data").get_string().get(data)) return false;
  padded_string inner(data);  // the data's string view lives in the parser's buffer: copied, padded
  ondemand::document payload;
  if (inner_parser.iterate(inner).get(payload)) return false;
  ondemand::object object;
  if (payload.get_object().get(object)) return false;
  std::string_view session;
  if (object.find_field_unordered("sessionId").get_string().get(session)) return false;
  out.session_id.assign(session);
  ondemand::object fields;
  if (object.find_field_unordered("message").get_object().get(fields)) return false;
  Message& m = out.message;
  m = Message{};
  std::string timestamp, updated_at;
  for (auto field : fields) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    ondemand::value value;
    if (field.value().get(value)) return false;
    std::string_view s;
    if (key == "sequenceNumber") {
      if (value.get_int64().get(m.sequence)) return false;
    } else if (key == "actionPayload") {
      std::string_view raw;
      if (to_json_string(value).get(raw)) return false;  // the value's text as sent
      m.action_payload = std::string(raw);
    } else {
      std::string* into = key == "messageId" ? &m.id : key == "role" ? &m.role : key == "content" ? &m.content
                        : key == "status" ? &m.status : key == "timestamp" ? &timestamp : key == "updatedAt" ? &updated_at
                        : key == "clientMessageId" ? &m.client_message_id : nullptr;
      if (!into) continue;
      if (value.get_string().get(s)) return false;
      into->assign(s);
    }
  }
  if (m.id.empty() || m.role.empty() || timestamp.empty()) return false;
  set_time(m, timestamp);
  if (!updated_at.empty()) {
    const auto ms = parse_iso8601_ms(updated_at);
    m.updated_at = ms ? TimeText(updated_at, *ms) : TimeText(updated_at);
  }
  return true;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: json_decoders FRAMES.ndjson pushsync|rapidjson|simdjson REPEATS\n");
    return 2;
  }
  const auto frames = read_frames(argv[1]);
  const std::string decoder = argv[2];
  const int repeats = std::atoi(argv[3]);
  if (frames.empty() || repeats < 1) {
    std::fprintf(stderr, "json_decoders: no frames in %s, or no repeats\n", argv[1]);
    return 2;
  }
  // The core's answer for every frame, to check the others against (and to time the core).
  std::vector<NewMessageEvent> expected(frames.size());
  Frame frame;
  std::optional<NewMessageEvent> hot;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (!pushsync_decode(frames[i], frame, hot, expected[i])) {
      std::fprintf(stderr, "json_decoders: the core refused frame %zu\n", i);
      return 2;
    }
  }
#if defined(WITH_SIMDJSON)
  simdjson::ondemand::parser parser, inner_parser;  // reused from frame to frame, as the core reuses its buffers
#endif
  NewMessageEvent out;
  std::size_t checked = 0;
  double best_ms = 0;
  // Pass 0 checks every frame and is not timed; the best of the `repeats` timed passes counts.
  for (int r = 0; r <= repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < frames.size(); ++i) {
      bool ok = false;
      if (decoder == "pushsync") ok = pushsync_decode(frames[i], frame, hot, out);
#if defined(WITH_RAPIDJSON)
      else if (decoder == "rapidjson") ok = rapidjson_decode(frames[i], out);
#endif
#if defined(WITH_SIMDJSON)
      else if (decoder == "simdjson") ok = simdjson_decode(parser, inner_parser, frames[i], out);
#endif
      else {
        std::fprintf(stderr, "json_decoders: %s is not built in\n", decoder.c_str());
        return 2;
      }
      if (r > 0) continue;
      const auto payload = [](const Message& m) { return m.action_payload ? nlohmann::json::parse(*m.action_payload) : nlohmann::json(); };
      Message a = out.message, b = expected[i].message;
      const bool same_payload = payload(a) == payload(b);
      a.action_payload = b.action_payload = std::nullopt;
      if (!ok || out.session_id != expected[i].session_id || !(a == b) || !same_payload) {
        std::fprintf(stderr, "json_decoders: %s read frame %zu differently from the core\n", decoder.c_str(), i);
        return 1;
      }
      ++checked;
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (r == 1 || (r > 1 && ms < best_ms)) best_ms = ms;
  }
  std::printf("{\"decoder\":\"%s\",\"frames\":%zu,\"ms\":%.3f,\"checked\":%zu}\n", decoder.c_str(), frames.size(), best_ms, checked);
  return 0;
}
