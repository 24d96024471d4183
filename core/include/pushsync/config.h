// What the host tells the engine once (and again whenever the user changes a setting).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "pushsync/backoff.h"
#include "pushsync/time.h"

namespace pushsync {

/// Which REST dialect the app server speaks (see api.h). Auto detects it from the first answer.
enum class BackendDialect { Auto, Minimal, Paged };
const char* to_string(BackendDialect dialect);

/// Where the typing indicator comes from: the server's `typing` events, inferred from the turn
/// (a user's message until `interact_response` or the assistant's message, as the roadmap says for
/// a backend without typing events), or Auto: inferred until the first server `typing` event.
enum class TypingSource { Auto, Server, Infer };
const char* to_string(TypingSource source);

struct Config {
  std::string api_base;   ///< app server, e.g. "http://127.0.0.1:3000" (REST, channel auth)
  std::string ws_host;    ///< Sockudo host; empty: push is not configured, poll only
  int ws_port = 3005;
  bool ws_tls = false;
  std::string app_key;    ///< Pusher app key; empty: push is not configured, poll only
  int protocol = 7;       ///< 7: Pusher protocol (any Pusher server); 2: Sockudo V2 with resume
  std::string client_version = "0.1.0";

  /// Ping after this much silence while the host wants to stay alive (a view is open). Chrome stops
  /// an idle extension service worker after 30 s, so the extension uses 20 s; Pusher's 120 s is
  /// far too long there. The smaller of this and the server's activity_timeout wins.
  Millis keepalive = 20'000;
  std::uint64_t jitter_seed = 1;
  std::size_t max_messages = 100'000;
  int page_limit = 50;
  /// The largest `limit` the backend honours: a catch-up that does not reach the cursor asks again
  /// with this many before it calls the rest a gap.
  int max_page_limit = 100;
  /// The backend's routes: a team whose app server uses other paths sets them here. `{session}`
  /// stands for the session id (percent-encoded).
  std::string messages_path = "/api/session/{session}/messages";
  std::string auth_path = "/api/pusher/auth";
  BackendDialect dialect = BackendDialect::Auto;
  /// Limits on what a peer can hand the decoders, far above what a chat sends (Pusher servers
  /// refuse frames over 10 KB by default; a page of 100 long messages is well under 1 MB). Over a
  /// limit: an error notification, and nothing changes.
  std::size_t max_frame_bytes = 1 << 20;
  std::size_t max_page_bytes = 16 << 20;
  std::size_t max_message_bytes = 256 << 10;  ///< content and actionPayload of one message
  TypingSource typing = TypingSource::Auto;

  BackoffPolicy backoff{};
  int max_reconnect_attempts = 5;  ///< failed attempts before falling back to polling
  Millis connect_timeout = 10'000; ///< socket open to connection_established, and subscribe to succeeded
  Millis pong_timeout = 30'000;
  Millis request_timeout = 15'000; ///< an HTTP effect without a result by then counts as failed
  Millis typing_timeout = 30'000;  ///< a typing indicator clears itself without an update
  /// While polling, push is tried again at most this long apart (jittered), so it is back within
  /// about this long after the push server returns.
  Millis probe_interval = 8'000;
  /// A gap the backend could not fill is tried again after this, doubling up to 16 times as long.
  Millis gap_retry = 30'000;
  Millis persist_interval = 5'000; ///< at most one routine persist of the cursor per interval
  /// A message still "pending" this long is fetched again: its update may never come by push (the
  /// app server's trigger can fail after the message was stored; pushes carry no sequence for it).
  Millis settle_check = 30'000;
  /// A sequence gap is given this long to close by itself (pushes of concurrent writers can arrive
  /// out of order) before a REST backfill is asked for.
  Millis gap_grace = 500;
  /// While push is up, a catch-up read this often: a status change whose push the server failed to
  /// send (pushes of updates carry no sequence number, so no gap shows it) is late at most this
  /// long. It answers with changes only, usually none.
  Millis resync_interval = 60'000;

  bool operator==(const Config&) const = default;
};

/// The longest timing a configuration may set (a week): far past any sensible value, and far from
/// overflowing `now + timing` on any host clock.
inline constexpr Millis kMaxConfigTiming = 7LL * 24 * 3600 * 1000;

/// Why the engine refuses `config` ("" when it accepts it): every timing from 1 ms to
/// kMaxConfigTiming (a timing of 0 or less would spin the host's timer), backoff base <= cap,
/// jitter 0 to 1, a store cap of at least 1, and the checks of the connection and routes.
std::string config_problem(const Config& config);

/// The socket URL: `ws://host:port/app/<key>?protocol=7&client=pushsync&version=X`.
std::string socket_url(const Config& config);

}  // namespace pushsync
