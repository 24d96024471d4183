// Records the shared test vectors: scripted stories run through the native engine, saved as
// (time, input, effects, next deadline) steps in tests/vectors/*.json. The native replay test and
// the WebAssembly tests in Node both replay them and must produce exactly the recorded effects.
//
// Rerun after an intended change of behaviour:  build/tests/pushsync_record_vectors tests/vectors
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "pushsync/json_io.h"
#include "support/engine_harness.h"

using namespace pushsync;
using nlohmann::json;

namespace {

class Recorder {
 public:
  explicit Recorder(std::string name, std::string description) : name_(std::move(name)) {
    doc_ = {{"name", name_}, {"description", std::move(description)}, {"steps", json::array()}};
  }
  void at(Millis now) { now_ = now; }
  void after(Millis ms) { now_ += ms; }
  Effects feed(const Input& input) {
    const Effects effects = engine_.handle(input, now_);
    const auto deadline = engine_.next_deadline();
    doc_["steps"].push_back({{"at", now_},
                             {"input", json::parse(input_to_json(input))},
                             {"effects", json::parse(effects_to_json(effects))},
                             {"nextDeadline", deadline ? json(*deadline) : json(nullptr)}});
    for (const auto& e : effects) {
      if (const auto* open = std::get_if<effect::OpenSocket>(&e)) socket_ = open->socket;
      if (const auto* request = std::get_if<effect::HttpRequest>(&e)) last_request_ = request->id;
    }
    return effects;
  }
  Effects tick(Millis ms) {
    after(ms);
    return feed(input::Tick{});
  }
  /// Ticks at each next deadline, as a host does, until the engine asks for a REST read.
  void until_request() {
    const RequestId before = last_request_;
    for (int ticks = 0; last_request_ == before && ticks < 100; ++ticks) {
      const auto deadline = engine_.next_deadline();
      if (!deadline) return;
      at(std::max(now_, *deadline));
      feed(input::Tick{});
    }
  }
  Effects frame(const std::string& text) { return feed(input::SocketText{socket_, text}); }
  Effects answer(int status, const std::string& body) { return feed(input::HttpResult{last_request_, status, body}); }
  SocketId socket() const { return socket_; }
  void save(const std::string& dir) const {
    std::ofstream(dir + "/" + name_ + ".json") << doc_.dump(1) << "\n";
  }
  void connect(const std::string& session, Config config) {
    feed(input::Configure{std::move(config)});
    feed(input::SetToken{std::string("token-1")});
    feed(input::SelectSession{session});
    after(20);
    feed(input::SocketOpened{socket_});
    frame(testing::established_frame("9.42", 120));
    after(15);
    answer(200, R"({"auth":"pushsync-key:sig"})");
    after(10);
    frame(testing::succeeded_frame(session));
  }

 private:
  std::string name_;
  json doc_;
  Engine engine_;
  Millis now_ = 5'000;
  SocketId socket_ = 0;
  RequestId last_request_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output dir>\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  using testing::message_json;
  using testing::new_message_frame;
  using testing::page_json;

  {
    Recorder r("connect_and_messages", "handshake, backfill, push messages with a duplicate and a gap, typing");
    r.connect("s1", testing::test_config());
    r.answer(200, page_json({message_json("m1", 1, "first")}));
    r.after(100);
    r.frame(new_message_frame("s1", "m2", 2, "second"));
    r.frame(new_message_frame("s1", "m2", 2, "second"));
    r.frame(new_message_frame("s1", "m4", 4, "fourth"));
    r.after(50);
    r.answer(200, page_json({message_json("m3", 3, "third"), message_json("m4", 4, "fourth")}));
    r.frame(testing::channel_frame("typing", "private-session-s1",
                                   R"({"type":"typing","sessionId":"s1","isTyping":true,"context":"thinking"})"));
    r.tick(20'000);
    r.tick(10'000);
    r.save(dir);
  }
  {
    Recorder r("backoff_to_polling", "lost socket, five failed retries with backoff, polling, probe");
    r.connect("s1", testing::test_config());
    r.answer(200, page_json({}));
    r.feed(input::SocketClosed{r.socket(), 1006, "gone"});
    for (const Millis delay : {1'000, 2'000, 4'000, 8'000, 16'000}) {
      r.tick(delay);
      r.feed(input::SocketClosed{r.socket(), 1006, "refused"});
    }
    r.until_request();  // the next poll
    r.answer(200, page_json({message_json("m1", 1)}));
    r.tick(3'000);
    r.answer(500, "");
    r.tick(6'000);
    r.save(dir);
  }
  {
    Recorder r("auth_failure_and_session_switch", "403 from channel auth, a new token, then a session switch");
    r.feed(input::Configure{testing::test_config()});
    r.feed(input::SetToken{std::string("bad")});
    r.feed(input::SelectSession{"a"});
    r.feed(input::SocketOpened{r.socket()});
    r.frame(testing::established_frame("1.1", 60));
    r.answer(403, R"({"error":"forbidden"})");
    r.answer(200, page_json({}));
    r.feed(input::SetToken{std::string("token-1")});
    r.feed(input::SocketOpened{r.socket()});
    r.frame(testing::established_frame("1.2", 60));
    r.answer(200, R"({"auth":"k:a"})");
    r.frame(testing::succeeded_frame("a"));
    r.answer(200, page_json({}));
    r.feed(input::SelectSession{"b"});
    r.answer(200, R"({"auth":"k:b"})");
    r.frame(testing::succeeded_frame("b"));
    r.frame("not json at all");
    r.frame(R"({"event":"pusher:error","data":{"code":4301,"message":"slow down"}})");
    r.feed(input::Stop{});
    r.save(dir);
  }
  {
    Config v2 = testing::test_config();
    v2.protocol = 2;
    Recorder r("sockudo_v2_resume", "protocol 2: positions from frames, resume after a reconnect");
    r.connect("s1", v2);
    r.answer(200, page_json({}));
    r.frame(R"({"event":"new_message","channel":"private-session-s1","data":)" +
            testing::quoted(R"({"type":"new_message","sessionId":"s1","message":)" + message_json("m1", 1) + "}") +
            R"(,"message_id":"u1","stream_id":"st","serial":3})");
    r.feed(input::SocketClosed{r.socket(), 4201, "pong timeout"});
    r.tick(0);
    r.feed(input::SocketOpened{r.socket()});
    r.frame(R"({"event":"sockudo:connection_established","data":"{\"socket_id\":\"2.2\",\"activity_timeout\":120}"})");
    r.answer(200, R"({"auth":"k:s"})");
    r.frame(R"({"event":"sockudo_internal:subscription_succeeded","channel":"private-session-s1","data":"{}"})");
    r.frame(R"({"event":"sockudo:resume_success","data":"{\"recovered\":[{\"channel\":\"private-session-s1\"}],\"failed\":[]}"})");
    r.save(dir);
  }
  return 0;
}
