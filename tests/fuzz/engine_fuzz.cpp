// Fuzz target: the whole engine, driven by fuzzer-chosen inputs the way a host drives it.
//
// Invariant: whatever the order of inputs (socket events for current and stale sockets, socket
// errors, frames from templates with fuzzed fields or raw bytes, HTTP answers with fuzzed statuses
// and bodies, late and repeated answers, ticks at `next_deadline()`, network, visibility, token,
// session and configuration changes with fuzzed timings and limits, a restore of fuzzed text), the
// engine
// - never sends a frame on a socket the host has not reported open, or has closed;
// - gives every socket it opens a new id, and has at most one socket at a time: it opens one only
//   when every earlier one is closed (by the engine, or reported closed by the host);
// - only changes state along `is_legal_transition`, and `state()` is the last state it reported;
// - keeps its store sorted by (timestamp, sequence, id), each id once, within its cap;
// - describes every change of the store in its `messages` effects: a host copy that applies each
//   diff as the glue does (drop `removed_front`, insert at `inserted` ascending, re-read `updated`,
//   reading the store after the call) equals the store after every input, message for message;
// - refuses a configuration it cannot run with (config_problem) and keeps the previous one;
// - never asks for a tick at an instant that already passed, more than a few times in a row (a
//   busy loop of the host's timer);
// - given a burst of frames at once (`handle_some`, as the WebAssembly host gives the frames of one
//   socket read), does what a twin engine given them one `handle` call each does: the same
//   effects in the same order but for the diffs (fewer, and still followed by the host's copy)
//   and the typing (at most one change a call, to where the twin's ended), the same store, state,
//   typing, deadline and counters;
// - never crashes, aborts or trips a sanitizer.
// A violation calls __builtin_trap(), which libFuzzer reports with the input.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <map>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "pushsync/engine.h"
#include "../support/engine_harness.h"
#include "pushsync/iso_time.h"

namespace {

using namespace pushsync;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

// A Pusher frame's double-encoded `data`, as the unit tests build it.
using testing::quoted;

class Host {
 public:
  explicit Host(FuzzedDataProvider& fuzz) : fuzz_(fuzz) {}

  void run() {
    step(input::Configure{base_config()});
    step(input::SetToken{std::string("t")});
    step(input::SelectSession{"s1"});
    for (int i = 0; i < 400 && fuzz_.remaining_bytes() > 0; ++i) action();
  }

 private:
  enum class Phase { Opening, Open, Closed };

  void action() {
    switch (fuzz_.ConsumeIntegralInRange(0, 12)) {
      case 0: opened(socket()); break;
      case 1:
      case 2:
      case 3: {
        // A browser delivers frames only on a socket it reported open.
        const SocketId id = socket();
        opened(id);
        step(input::SocketText{id, frame()});
        break;
      }
      case 12: burst(); break;
      case 4: {
        const SocketId id = socket();
        if (fuzz_.ConsumeIntegralInRange(0, 3) == 0) {
          // A browser reports an error, then the close.
          step(input::SocketError{id, "x"});
          if (fuzz_.ConsumeBool()) break;
        }
        sockets_[id] = Phase::Closed;
        step(input::SocketClosed{id, fuzz_.ConsumeIntegralInRange(1000, 4299), "x"});
        break;
      }
      case 5:
      case 6: answer(); break;
      case 7:
      case 8: tick(); break;
      case 9: step(input::Network{fuzz_.ConsumeBool()}); break;
      case 10: step(input::Visibility{fuzz_.ConsumeBool()}); break;
      default: {
        switch (fuzz_.ConsumeIntegralInRange(0, 6)) {
          case 5: reconfigure(); break;
          case 6: late_answer(); break;
          case 0: step(input::SelectSession{fuzz_.ConsumeBool() ? "s1" : "s2"}); break;
          case 1: step(input::SetToken{fuzz_.ConsumeBool() ? std::optional<std::string>("t") : std::nullopt}); break;
          case 2: step(input::Refresh{}); break;
          case 3: step(input::Restore{fuzz_.ConsumeRandomLengthString(200)}); break;
          default: step(input::Stop{}); break;
        }
      }
    }
  }

  Config base_config() {
    Config config;
    config.api_base = "http://app.test";
    config.ws_host = "ws.test";
    config.app_key = "key";
    config.protocol = fuzz_.ConsumeBool() ? 2 : 7;
    config.dialect = static_cast<BackendDialect>(fuzz_.ConsumeIntegralInRange(0, 2));
    config.max_messages = fuzz_.ConsumeIntegralInRange<std::size_t>(1, 64);
    return config;
  }

  // A setting changed: timings and limits anywhere in what the engine accepts (and sometimes a
  // value it must refuse), another key or protocol (a new connection), another dialect or page size.
  void reconfigure() {
    Config config = base_config();
    const auto timing = [&](Millis low, Millis high) { return fuzz_.ConsumeIntegralInRange<Millis>(low, high); };
    if (fuzz_.ConsumeBool()) config.app_key = "key2";
    config.keepalive = timing(1, 60'000);
    config.connect_timeout = timing(1, 20'000);
    config.pong_timeout = timing(1, 40'000);
    config.request_timeout = timing(1, 20'000);
    config.typing_timeout = timing(1, 40'000);
    config.persist_interval = timing(1, 10'000);
    config.settle_check = timing(1, 40'000);
    config.gap_grace = timing(1, 2'000);
    config.resync_interval = timing(1, 120'000);
    config.probe_interval = timing(1'000, 10'000);
    config.gap_retry = timing(1'000, 60'000);
    config.backoff.base = timing(1, 2'000);
    config.backoff.cap = config.backoff.base + timing(0, 40'000);
    config.backoff.jitter = fuzz_.ConsumeProbability<double>();
    config.max_reconnect_attempts = fuzz_.ConsumeIntegralInRange(0, 6);
    config.page_limit = fuzz_.ConsumeIntegralInRange(1, 8);
    config.max_page_limit = fuzz_.ConsumeIntegralInRange(1, 12);
    config.max_frame_bytes = fuzz_.ConsumeIntegralInRange<std::size_t>(64, 1 << 20);
    config.max_page_bytes = fuzz_.ConsumeIntegralInRange<std::size_t>(64, 1 << 20);
    config.max_message_bytes = fuzz_.ConsumeIntegralInRange<std::size_t>(1, 4096);
    config.typing = static_cast<TypingSource>(fuzz_.ConsumeIntegralInRange(0, 2));
    const bool refused = fuzz_.ConsumeIntegralInRange(0, 7) == 0;
    if (refused) config.resync_interval = fuzz_.ConsumeBool() ? 0 : -fuzz_.ConsumeIntegral<std::uint16_t>();
    const Config before = engine_.config();
    step(input::Configure{config});
    check(engine_.config() == (refused ? before : config));
  }

  // The answer to a request already answered (a retry that raced it), or to one never made.
  void late_answer() {
    const RequestId id = answered_.empty() || fuzz_.ConsumeBool()
                             ? fuzz_.ConsumeIntegralInRange<RequestId>(0, 1000)
                             : answered_[fuzz_.ConsumeIntegralInRange<std::size_t>(0, answered_.size() - 1)];
    step(input::HttpResult{id, 200, R"({"messages":[)" + message_json() + "]}"});
  }

  void opened(SocketId id) {
    const auto it = sockets_.find(id);
    if (it == sockets_.end() || it->second != Phase::Opening) return;
    it->second = Phase::Open;
    step(input::SocketOpened{id});
  }

  SocketId socket() {
    if (opened_.empty()) return 1;
    // Mostly the newest, sometimes an old one (late events of a socket the engine let go).
    return fuzz_.ConsumeIntegralInRange(0, 3) == 0 ? opened_[fuzz_.ConsumeIntegralInRange<std::size_t>(0, opened_.size() - 1)]
                                                   : opened_.back();
  }

  std::string message_json() {
    const auto sequence = fuzz_.ConsumeIntegralInRange<std::int64_t>(0, 40);
    const auto ms = 1'796'032'800'000 + fuzz_.ConsumeIntegralInRange<std::int64_t>(0, 60) * 1000;
    std::string out = R"({"messageId":"m)" + std::to_string(fuzz_.ConsumeIntegralInRange(0, 50)) + R"(","role":")" +
                      (fuzz_.ConsumeBool() ? "user" : "assistant") + R"(","content":"c","status":")" +
                      (fuzz_.ConsumeBool() ? "sent" : "pending") + R"(","timestamp":")" + format_iso8601_ms(ms) + "\"";
    if (sequence > 0) out += ",\"sequenceNumber\":" + std::to_string(sequence);
    return out + "}";
  }

  std::string frame() {
    const std::string channel = fuzz_.ConsumeBool() ? "private-session-s1" : "private-session-s2";
    switch (fuzz_.ConsumeIntegralInRange(0, 9)) {
      case 0:
        return R"({"event":"pusher:connection_established","data":)" +
               quoted(R"({"socket_id":"1.2","activity_timeout":)" + std::to_string(fuzz_.ConsumeIntegralInRange(1, 200)) + "}") + "}";
      case 1: {
        std::string f = R"({"event":"pusher_internal:subscription_succeeded","channel":")" + channel + R"(","data":"{}")";
        if (fuzz_.ConsumeBool()) f += R"(,"stream_id":"st)" + std::to_string(fuzz_.ConsumeIntegralInRange(0, 2)) + R"(","serial":0)";
        return f + "}";
      }
      case 2:
      case 3: {
        std::string f = R"({"event":"new_message","channel":")" + channel + R"(","data":)" +
                        quoted(R"({"sessionId":"s1","message":)" + message_json() + "}");
        if (fuzz_.ConsumeBool()) f += R"(,"stream_id":"st0","serial":)" + std::to_string(fuzz_.ConsumeIntegralInRange(1, 99));
        return f + "}";
      }
      case 4:
        return R"({"event":"message_update","channel":")" + channel + R"(","data":)" +
               quoted(R"({"sessionId":"s1","messageId":"m)" + std::to_string(fuzz_.ConsumeIntegralInRange(0, 50)) +
                      R"(","status":"success"})") + "}";
      case 5:
        return R"({"event":"typing","channel":")" + channel + R"(","data":)" +
               quoted(std::string(R"({"sessionId":"s1","isTyping":)") + (fuzz_.ConsumeBool() ? "true" : "false") + "}") + "}";
      case 6:
        return R"({"event":"interact_response","channel":")" + channel + R"(","data":)" +
               quoted(R"({"sessionId":"s1","data":{"status":"done"}})") + "}";
      case 7:
        return R"({"event":"pusher:error","data":{"code":)" + std::to_string(fuzz_.ConsumeIntegralInRange(4000, 4300)) +
               R"(,"message":"m"}})";
      case 8:
        return R"({"event":"sockudo:resume_success","data":"{\"recovered\":[{\"channel\":\"private-session-s1\"}]}"})";
      default: return fuzz_.ConsumeRandomLengthString(300);
    }
  }

  void answer() {
    if (requests_.empty()) return;
    const auto at = fuzz_.ConsumeIntegralInRange<std::size_t>(0, requests_.size() - 1);
    const effect::HttpRequest request = requests_[at];
    requests_.erase(requests_.begin() + static_cast<std::ptrdiff_t>(at));
    answered_.push_back(request.id);
    if (answered_.size() > 32) answered_.erase(answered_.begin());
    const int status = fuzz_.ConsumeIntegralInRange(0, 5) == 0 ? fuzz_.PickValueInArray({0, 400, 403, 429, 500}) : 200;
    std::string body;
    if (request.url.find("/pusher/auth") != std::string::npos) {
      body = fuzz_.ConsumeBool() ? R"({"auth":"key:sig"})" : fuzz_.ConsumeRandomLengthString(60);
    } else if (fuzz_.ConsumeIntegralInRange(0, 7) == 0) {
      body = fuzz_.ConsumeRandomLengthString(300);
    } else {
      body = R"({"messages":[)";
      const int count = fuzz_.ConsumeIntegralInRange(0, 6);
      for (int i = 0; i < count; ++i) body += (i ? "," : "") + message_json();
      body += "]";
      switch (fuzz_.ConsumeIntegralInRange(0, 2)) {
        case 0: body += std::string(R"(,"hasMore":)") + (fuzz_.ConsumeBool() ? "true" : "false"); break;
        case 1: body += R"(,"hasMore":false,"serverTime":")" + format_iso8601_ms(1'796'032'800'000 + fuzz_.ConsumeIntegralInRange(0, 90'000)) + "\""; break;
        default: break;
      }
      body += "}";
    }
    step(input::HttpResult{request.id, status, body});
  }

  void tick() {
    const auto deadline = engine_.next_deadline();
    if (!deadline) return;
    same_instant_ = *deadline <= now_ ? same_instant_ + 1 : 0;
    check(same_instant_ < 5);  // a host timer spinning at one instant
    now_ = std::max(now_, *deadline);
    step(input::Tick{});
  }

  // Several frames of one socket at once, as the WebAssembly host hands over one socket read.
  void burst() {
    const SocketId id = socket();
    opened(id);
    std::vector<Input> frames;
    const int count = fuzz_.ConsumeIntegralInRange(2, 12);
    for (int i = 0; i < count; ++i) frames.push_back(input::SocketText{id, frame()});
    Effects together;
    for (std::span<const Input> rest(frames); !rest.empty();) {
      std::size_t taken = 0;
      const Effects effects = engine_.handle_some(rest, now_, taken);
      check(taken >= 1 && taken <= rest.size());
      rest = rest.subspan(taken);
      host(effects);  // each call's diff read against the store after that call, as the Client does
      together.insert(together.end(), effects.begin(), effects.end());
    }
    Effects one_by_one;
    for (const auto& frame : frames) {
      const Effects effects = twin_.handle(frame, now_);
      one_by_one.insert(one_by_one.end(), effects.begin(), effects.end());
    }
    const auto how_many = [](const Effects& all, auto kind) {
      return std::count_if(all.begin(), all.end(), [](const Effect& e) { return std::holds_alternative<decltype(kind)>(e); });
    };
    const auto others = [](Effects all) {
      std::erase_if(all, [](const Effect& e) {
        return std::holds_alternative<effect::MessagesChanged>(e) || std::holds_alternative<effect::TypingChanged>(e);
      });
      return all;
    };
    check(others(together) == others(one_by_one));
    check(how_many(together, effect::MessagesChanged{}) <= how_many(one_by_one, effect::MessagesChanged{}));
    check(how_many(together, effect::TypingChanged{}) <= how_many(one_by_one, effect::TypingChanged{}));
    check_twin();
  }

  void step(const Input& input) {
    const Effects effects = engine_.handle(input, now_);
    check(effects == twin_.handle(input, now_));
    host(effects);
    check_twin();
  }

  // What the host does with an answer: the sockets, requests and states it tracks, and its copy of
  // the store (follow); then the store and state it must see.
  void host(const Effects& effects) {
    for (const auto& e : effects) {
      if (const auto* open = std::get_if<effect::OpenSocket>(&e)) {
        check(sockets_.count(open->socket) == 0);
        for (const auto& [id, phase] : sockets_) check(phase == Phase::Closed);
        sockets_[open->socket] = Phase::Opening;
        opened_.push_back(open->socket);
      } else if (const auto* send = std::get_if<effect::SendFrame>(&e)) {
        check(sockets_.count(send->socket) && sockets_[send->socket] == Phase::Open);
      } else if (const auto* close = std::get_if<effect::CloseSocket>(&e)) {
        sockets_[close->socket] = Phase::Closed;
      } else if (const auto* request = std::get_if<effect::HttpRequest>(&e)) {
        requests_.push_back(*request);
        if (requests_.size() > 32) requests_.erase(requests_.begin());
      } else if (const auto* state = std::get_if<effect::StateChanged>(&e)) {
        check(is_legal_transition(state_, state->state));
        state_ = state->state;
      } else if (const auto* changed = std::get_if<effect::MessagesChanged>(&e)) {
        follow(*changed);
      } else if (const auto* typing = std::get_if<effect::TypingChanged>(&e)) {
        typing_ = Typing{typing->is_typing, typing->context};
      }
    }
    check(engine_.state() == state_);
    // What the host shows (only the changes were told) is the engine's typing, after every call.
    check(engine_.typing() == typing_);
    check_store();
  }

  // The twin, given every input one call each, is where the engine is.
  void check_twin() const {
    check(twin_.state() == engine_.state() && twin_.next_deadline() == engine_.next_deadline());
    check(twin_.counters() == engine_.counters() && twin_.cursor() == engine_.cursor());
    check(twin_.typing() == engine_.typing());
    const MessageStore& a = engine_.messages();
    const MessageStore& b = twin_.messages();
    check(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) check(a.at(i) == b.at(i));
  }

  // What the glue's MessageMirror does with a diff (js-glue/src/mirror.ts), reading the store as it
  // is after the call.
  void follow(const effect::MessagesChanged& diff) {
    const MessageStore& store = engine_.messages();
    if (diff.reset) mirror_.clear();
    check(diff.removed_front <= mirror_.size());
    mirror_.erase(mirror_.begin(), mirror_.begin() + static_cast<std::ptrdiff_t>(diff.removed_front));
    for (std::size_t i = 0; i < diff.inserted.size(); ++i) {
      const std::size_t at = diff.inserted[i];
      check(i == 0 || diff.inserted[i - 1] < at);
      check(at <= mirror_.size() && at < store.size());
      mirror_.insert(mirror_.begin() + static_cast<std::ptrdiff_t>(at), store.at(at));
    }
    for (const std::size_t at : diff.updated) {
      check(at < mirror_.size() && at < store.size());
      mirror_[at] = store.at(at);
    }
    check(mirror_.size() == diff.size);
  }

  void check_store() const {
    const MessageStore& store = engine_.messages();
    check(store.size() <= store.capacity());
    check(mirror_.size() == store.size());
    for (std::size_t i = 0; i < store.size(); ++i) check(mirror_[i] == store.at(i));
    const Message* previous = nullptr;
    std::map<std::string, int> seen;
    store.for_each(0, store.size(), [&](const Message& m) {
      check(++seen[m.id] == 1);
      if (previous) {
        check(std::tie(previous->timestamp_ms, previous->sequence, previous->id) <
              std::tie(m.timestamp_ms, m.sequence, m.id));
      }
      previous = &m;
    });
  }

  FuzzedDataProvider& fuzz_;
  Engine engine_;
  Engine twin_;  // given every input one `handle` call each, bursts too
  Millis now_ = 1'000'000;
  int same_instant_ = 0;
  ConnectionState state_ = ConnectionState::Disconnected;
  Typing typing_;  // what the TypingChanged effects told
  std::map<SocketId, Phase> sockets_;
  std::vector<SocketId> opened_;
  std::vector<effect::HttpRequest> requests_;
  std::vector<RequestId> answered_;
  std::vector<Message> mirror_;  // the host's copy, kept by the diffs alone
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  FuzzedDataProvider fuzz(bytes, size);
  Host(fuzz).run();
  return 0;
}
