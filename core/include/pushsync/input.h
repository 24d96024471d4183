// Everything that can happen to the engine, as values. The host passes each with `now`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <variant>

#include "pushsync/config.h"
#include "pushsync/gap.h"

namespace pushsync {

/// Identifies one socket the engine asked the host to open (Effect OpenSocket). Socket inputs
/// carry it, so events of a socket the engine has already given up on are recognised and ignored.
using SocketId = std::uint32_t;
using RequestId = std::uint64_t;

namespace input {

struct Configure { Config config; bool operator==(const Configure&) const = default; };
/// Sync this chat session (an empty id: none).
struct SelectSession { std::string session_id; bool operator==(const SelectSession&) const = default; };
/// Stop syncing: close the socket, stop polling. The store stays readable.
struct Stop { bool operator==(const Stop&) const = default; };
/// The bearer token changed; nullopt when the user logged out.
struct SetToken { std::optional<std::string> token; bool operator==(const SetToken&) const = default; };
/// Whether a view is open (the host wants to stay alive and poll briskly).
struct Visibility { bool visible = true; bool operator==(const Visibility&) const = default; };
struct Network { bool online = true; bool operator==(const Network&) const = default; };
/// Reload the newest page of the session from REST now.
struct Refresh { bool operator==(const Refresh&) const = default; };

struct SocketOpened { SocketId socket = 0; bool operator==(const SocketOpened&) const = default; };
struct SocketText { SocketId socket = 0; std::string text; bool operator==(const SocketText&) const = default; };
struct SocketClosed {
  SocketId socket = 0;
  int code = 1006;
  std::string reason;
  bool operator==(const SocketClosed&) const = default;
};
struct SocketError { SocketId socket = 0; std::string message; bool operator==(const SocketError&) const = default; };

/// The result of an HttpRequest effect. `status` 0: no response (network error, aborted).
struct HttpResult {
  RequestId id = 0;
  int status = 0;
  std::string body;
  /// The answer's `Retry-After` (a 429 or 503), in ms from now, as the host read the header;
  /// nullopt when it had none. The engine waits at least this long before asking again.
  std::optional<Millis> retry_after;
  bool operator==(const HttpResult&) const = default;
};

/// The host's timer fired (it may fire early or late; an early tick does nothing).
struct Tick { bool operator==(const Tick&) const = default; };
/// The value of a Persist effect, given back after a restart of the host.
struct Restore { std::string value; bool operator==(const Restore&) const = default; };
/// The host's own copy of a session (what the engine's diffs and GapsChanged showed it before a
/// restart): its messages as a messages page, `{"messages":[...]}`, and its gaps (without them,
/// history a backend could not give would look loaded). Taken only for the selected session
/// before its first read completed and while the store is empty: the messages show at once, and
/// the first read asks only for what is newer. The host keeps the copy; the engine never asks.
struct Seed {
  std::string session_id;
  std::string page;
  std::vector<Gap> gaps;
  bool operator==(const Seed&) const = default;
};

}  // namespace input

using Input = std::variant<input::Configure, input::SelectSession, input::Stop, input::SetToken, input::Visibility,
                           input::Network, input::Refresh, input::SocketOpened, input::SocketText,
                           input::SocketClosed, input::SocketError, input::HttpResult, input::Tick, input::Restore,
                           input::Seed>;

}  // namespace pushsync
