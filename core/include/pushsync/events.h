// The application's events inside Pusher frames, and the REST bodies the engine reads: decoded and
// validated into value types. Anything malformed is an error value that names what was wrong.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pushsync/message.h"
#include "pushsync/result.h"

namespace pushsync {

struct NewMessageEvent {
  std::string session_id;
  Message message;
  bool operator==(const NewMessageEvent&) const = default;
};

struct MessageUpdateEvent {
  std::string session_id;
  std::string message_id;
  std::string status;
  std::string updated_at;
  std::optional<MessageError> error;
  bool operator==(const MessageUpdateEvent&) const = default;
};

struct SessionUpdateEvent {
  std::string session_id;
  std::string status;
  std::string updated_at;
  bool operator==(const SessionUpdateEvent&) const = default;
};

struct TypingEvent {
  std::string session_id;
  bool is_typing = false;
  std::string context;  ///< "thinking", "executing", "verifying", or "" when not given
  bool operator==(const TypingEvent&) const = default;
};

struct InteractResponseEvent {
  std::string session_id;
  std::string data;  ///< the `data` object as JSON text (taskId, action, thought, status)
  bool operator==(const InteractResponseEvent&) const = default;
};

struct ServerErrorEvent {
  std::string session_id;
  std::string code;
  std::string message;
  bool operator==(const ServerErrorEvent&) const = default;
};

using AppEvent = std::variant<NewMessageEvent, MessageUpdateEvent, SessionUpdateEvent, TypingEvent,
                              InteractResponseEvent, ServerErrorEvent>;

/// Why a payload was refused: a sentence naming the event and the field, for error notifications.
struct DecodeError {
  std::string what;
  bool operator==(const DecodeError&) const = default;
};

/// True for the application events this client reads (`new_message`, `message_update`,
/// `session_update`, `typing`, `interact_response`, `error`); others on the channel are ignored.
bool is_app_event(std::string_view event);

/// Decodes the inner payload of a channel event. `event` is the Pusher event name (`new_message`,
/// `message_update`, `session_update`, `typing`, `interact_response`, `error`); an unknown name is
/// a DecodeError too, so the caller decides whether to ignore it.
Result<AppEvent, DecodeError> decode_app_event(std::string_view event, std::string_view data);

/// `GET /api/session/:id/messages` answers `{messages: [...]}`, and a paged backend `hasMore` and
/// `serverTime` too. Messages that fail validation are left out and listed in `rejected`.
struct MessagePage {
  std::vector<Message> messages;
  std::vector<DecodeError> rejected;
  /// `hasMore`, when the backend sends it (only a paged backend does).
  std::optional<bool> has_more;
  /// `serverTime`: the server's clock when it read the page ("" when the server does not say);
  /// a `since` cursor that misses nothing written later.
  std::string server_time;
  bool operator==(const MessagePage&) const = default;
};
Result<MessagePage, DecodeError> decode_message_page(std::string_view body);

/// `POST /api/pusher/auth` answers `{auth: "key:signature"}`.
Result<std::string, DecodeError> decode_channel_auth(std::string_view body);

/// `pusher:connection_established` carries `{socket_id, activity_timeout}`; both are required.
struct ConnectionEstablished {
  std::string socket_id;
  int activity_timeout_s = 0;
  bool operator==(const ConnectionEstablished&) const = default;
};
Result<ConnectionEstablished, DecodeError> decode_connection_established(std::string_view data);

/// `pusher:error` carries `{code?, message}`.
struct PusherError {
  std::optional<int> code;
  std::string message;
  bool operator==(const PusherError&) const = default;
};
Result<PusherError, DecodeError> decode_pusher_error(std::string_view data);

}  // namespace pushsync
