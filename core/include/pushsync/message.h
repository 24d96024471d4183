// A chat message as the store keeps it (the server's wire shape, with `messageId` as `id`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pushsync/rare.h"
#include "pushsync/time_text.h"

namespace pushsync {

struct MessageError {
  std::string code;
  std::string message;
  bool operator==(const MessageError&) const = default;
};

/// The largest sequence number read: 2^53 - 1, what JSON numbers and JavaScript carry exactly (a
/// larger one would not survive the JS side, and cursor + 1 could overflow).
inline constexpr std::int64_t kMaxSequence = 9'007'199'254'740'991;

struct Message {
  std::string id;                 ///< `messageId` on the wire; unique within a session
  std::string role;               ///< "user", "assistant", "system" (others are kept as they come)
  std::string content;            ///< plain text, never markup
  std::string status;             ///< e.g. "sent", "pending", "success", "failure"
  /// `clientMessageId`: the sender's id for a user message, where the backend echoes it ("" when
  /// not sent). A host's outbox matches its pending sends by it.
  std::string client_message_id;
  Rare<std::string> action_payload;  ///< `actionPayload`, kept as JSON text
  Rare<MessageError> error;
  TimeText timestamp;             ///< server time, ISO-8601, as received
  TimeText updated_at;            ///< server time of the last change, ISO-8601 ("" when not sent)
  std::int64_t sequence = 0;      ///< `sequenceNumber`: per session, strictly increasing from 1; 0: none sent
  std::int64_t timestamp_ms = 0;  ///< `timestamp` parsed (ms since the epoch, UTC), for ordering

  bool operator==(const Message&) const = default;
};

/// Statuses after which the server may still change a message (a `message_update` can follow).
/// Recovery refetches from the oldest such message, so an update missed while offline is not lost.
bool is_unsettled_status(const std::string& status);

}  // namespace pushsync
