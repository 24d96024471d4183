#pragma once

// A stored message written in the wire shape, as hosts read it (the messages a `messages` effect
// carries, a range of the store): byte for byte what message_to_json writes, without building a
// JSON document for the common message.

#include <string>

#include "pushsync/message.h"

namespace pushsync {

/// Appends `message` as message_to_json writes it. The common message (no error, well-formed
/// UTF-8 in every text) is written straight into `out`; any other goes through message_to_json,
/// which repairs bad text as nlohmann does.
void append_message_json(const Message& message, std::string& out);

}  // namespace pushsync
