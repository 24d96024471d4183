// A deterministic world for the engine: a simulated Pusher server (Sockudo) and app server, a host
// that carries out effects, a virtual clock, and seeded faults. Everything random comes from one
// seed, so a failing seed replays exactly.
//
// Faults (each a probability or a window, from the seed):
// - socket connects that fail, sockets cut at any moment, server outages (refused connects),
// - channel event deliveries duplicated, delayed past later ones (reordered) or silently lost,
// - channel auth refused (403) or failing (500), REST answers that fail, never come, or come late,
// - host restarts: the engine is dropped and a new one restored from the last persisted value and,
//   half the time, seeded with the host's copy of the messages: a copy written now and then from
//   the engine's diffs, so usually behind the store it copies (as an extension's cache is).
// Push delivery on an open socket is TCP: a frame lost without the connection is the server's
// fault, which the engine detects at the next message's sequence gap. So after the faults stop,
// the server stores one more message: the world is "quiet" only after that one arrived.
// Settled messages also change status now and then (a user retries, an admin fails a turn): push
// carries the change, and when push missed it, only a `since` catch-up can bring it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "pushsync/engine.h"

namespace pushsync::sim {

struct Faults {
  double connect_failure = 0.15;   ///< an OpenSocket that never establishes
  double socket_cut = 0.002;       ///< per delivered frame: the socket dies right after it
  double duplicate = 0.05;         ///< a channel event delivered twice
  double reorder = 0.05;           ///< a channel event delayed by up to 3 s
  double silent_drop = 0.02;       ///< a channel event lost with the connection still up
  double auth_refused = 0.05;      ///< 403 from channel auth
  double http_error = 0.08;        ///< 500 or no response (status 0)
  double http_lost = 0.03;         ///< the answer never comes (the engine's timeout must fire)
  double host_restart = 0.0005;    ///< per step: the engine is recreated and restored
  bool outages = true;             ///< the Pusher server goes down for a while, now and then
};

/// Which app server the world simulates. Paged: the reference server (afterSequence, hasMore,
/// serverTime, every event). The minimal ones are the roadmap's backend: `limit` and `since` (on
/// the message time) only, `{messages}` answers of the newest or the oldest N (at most 100), only
/// the user's `new_message` and `interact_response` pushed, no status changes; with
/// `unsequenced`, the assistant's messages carry no sequence number.
enum class Backend { Paged, MinimalNewestFirst, MinimalOldestFirst };

struct Report {
  bool ok = true;
  std::vector<std::string> violations;
  std::size_t server_messages = 0;
  std::size_t steps = 0;
  std::size_t restarts = 0;
  std::size_t seeded_restarts = 0;  ///< restarts that handed the engine the host's copy
  std::size_t frames_sent = 0;
  std::size_t unloadable = 0;  ///< messages the engine reported as a gap (only newest-first)
};

class World {
 public:
  World(std::uint64_t seed, int protocol, Faults faults, Backend backend = Backend::Paged, bool unsequenced = false);
  /// Runs the faulty phase for `duration`, then a quiet phase, and checks every invariant.
  Report run(Millis duration);

 private:
  struct ServerConnection {
    std::string pusher_id;
    std::optional<std::string> channel;
    bool established = false;
  };
  struct HostSocket {
    enum class Phase { Opening, Open, Closed } phase = Phase::Opening;
  };
  struct StoredMessage {
    std::string id;
    std::int64_t sequence;
    std::string role;
    std::string content;
    std::string status;
    std::string timestamp;
    std::string updated_at;
  };

  void deliver(Input input, Millis delay);
  void send_to_client(SocketId socket, const std::string& frame, Millis delay, bool faulty);
  void step_engine(const Input& input);
  void carry_out(const Effects& effects);
  void on_open(const effect::OpenSocket& open);
  void on_send(const effect::SendFrame& send);
  void on_close(SocketId socket, int code, bool by_engine);
  void on_http(const effect::HttpRequest& request);
  void server_store_message(bool faults_on);
  void server_change_status(bool faults_on);
  /// The server's clock for writes: strictly increasing, as the reference server's updatedAt is.
  std::string next_write_time();
  void broadcast(const std::string& event, const std::string& data, bool faults_on);
  void restart_host();
  void check_final();
  std::string message_json(const StoredMessage& m) const;
  std::string page(std::int64_t after, const std::string& since, bool latest, int limit) const;
  void violation(std::string what);
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  Millis between(Millis lo, Millis hi) { return std::uniform_int_distribution<Millis>(lo, hi)(rng_); }

  bool minimal() const { return backend_ != Backend::Paged; }
  std::string minimal_page(const std::string& since, int limit) const;

  std::uint64_t seed_;
  int protocol_;
  Backend backend_;
  bool unsequenced_;
  Faults faults_;
  bool faults_on_ = true;
  std::mt19937_64 rng_;
  Millis now_ = 1'000'000;
  std::uint64_t order_ = 0;
  std::unique_ptr<Engine> engine_;
  std::optional<std::string> persisted_;
  std::optional<std::string> host_copy_;  // the host's copy of the store, as a messages page
  std::vector<Gap> host_copy_gaps_;       // and of the gaps, written with it
  std::map<SocketId, HostSocket> host_sockets_;
  std::map<SocketId, ServerConnection> connections_;
  std::uint64_t next_pusher_id_ = 1;
  bool server_down_ = false;
  std::vector<StoredMessage> server_messages_;
  std::int64_t server_serial_ = 0;
  Millis last_write_ms_ = 0;
  std::string stream_id_ = "stream-1";
  std::vector<std::pair<std::int64_t, std::string>> replay_buffer_;  // V2: (serial, frame)
  std::map<SocketId, Millis> last_delivery_;
  std::uint64_t generation_ = 0;  // bumped by a host restart: what the old host awaited is lost
  std::function<void(Millis, std::function<void()>)> schedule_;
  ConnectionState last_state_ = ConnectionState::Disconnected;
  Report report_;
};

}  // namespace pushsync::sim
