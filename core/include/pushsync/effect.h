// Everything the engine asks of its host, as values, returned in order from each call.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "pushsync/connection.h"
#include "pushsync/gap.h"
#include "pushsync/input.h"

namespace pushsync {

enum class ErrorCode {
  BadFrame,       ///< a socket frame that is not a Pusher frame
  BadPayload,     ///< an event payload or REST body that fails validation (nothing was applied)
  ServerError,    ///< the server reported an error (`pusher:error`, an app `error` event)
  HttpFailed,     ///< a REST request failed (its retry is scheduled)
  BadConfig,      ///< the configuration cannot work (what is missing is named)
  BadRestore,     ///< a persisted value that cannot be read (ignored)
  Incomplete,     ///< the backend could not give some messages: a gap (see `GapsChanged`)
};
const char* to_string(ErrorCode code);

namespace effect {

struct OpenSocket { SocketId socket = 0; std::string url; bool operator==(const OpenSocket&) const = default; };
struct SendFrame { SocketId socket = 0; std::string text; bool operator==(const SendFrame&) const = default; };
struct CloseSocket {
  SocketId socket = 0;
  int code = 1000;
  std::string reason;
  bool operator==(const CloseSocket&) const = default;
};
struct HttpRequest {
  RequestId id = 0;
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool operator==(const HttpRequest&) const = default;
};
struct Persist { std::string key; std::string value; bool operator==(const Persist&) const = default; };

struct StateChanged {
  ConnectionState state = ConnectionState::Disconnected;
  StateReason code = StateReason::NotStarted;  ///< why, for logic (see `to_code`)
  std::string reason;  ///< why, for people: "No token", "Auth failed", "Attempt 2 of 5", ...
  bool operator==(const StateChanged&) const = default;
};

/// How the ordered messages changed during one call, in final positions. To follow along: drop
/// `removed_front` messages from the front (the cap evicted them), then insert the messages now at
/// `inserted` positions (ascending), then re-read those at `updated`. `reset`: start from empty.
struct MessagesChanged {
  std::string session_id;
  bool reset = false;
  std::size_t removed_front = 0;
  std::vector<std::size_t> inserted;
  std::vector<std::size_t> updated;
  std::size_t size = 0;  ///< the store's size after the change
  bool operator==(const MessagesChanged&) const = default;
};

struct TypingChanged {
  std::string session_id;
  bool is_typing = false;
  std::string context;
  bool operator==(const TypingChanged&) const = default;
};

struct SessionChanged {
  std::string session_id;
  std::string status;  ///< from `session_update`; "" when the selection itself changed
  bool operator==(const SessionChanged&) const = default;
};

/// The gaps of the session changed (each is where messages are missing and how many, when known).
struct GapsChanged {
  std::string session_id;
  std::vector<Gap> gaps;
  bool operator==(const GapsChanged&) const = default;
};

/// The assistant's turn finished (`interact_response`); `data` is its JSON object.
struct InteractResponse {
  std::string session_id;
  std::string data;
  bool operator==(const InteractResponse&) const = default;
};

struct Error {
  ErrorCode code = ErrorCode::BadFrame;
  std::string message;
  bool operator==(const Error&) const = default;
};

}  // namespace effect

using Effect = std::variant<effect::OpenSocket, effect::SendFrame, effect::CloseSocket, effect::HttpRequest,
                            effect::Persist, effect::StateChanged, effect::MessagesChanged, effect::TypingChanged,
                            effect::SessionChanged, effect::GapsChanged, effect::InteractResponse, effect::Error>;
using Effects = std::vector<Effect>;

}  // namespace pushsync
