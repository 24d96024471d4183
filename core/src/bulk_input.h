// Internal: the two host inputs that carry bulk, read by the scanner instead of nlohmann's DOM: an
// `httpResult` (its body is a REST page, up to megabytes of messages) and a `seed` (the host's copy
// of a session). Through nlohmann every character of the body was lexed into a token buffer and a
// string, then the page was scanned again; a seed's messages were built into a DOM and written
// back out. Here the outer object is walked once, the body decoded straight into the input, and
// a seed's messages kept as the text they came in.
//
// What is accepted, the values read and every error sentence are those of the nlohmann reader it
// replaced, kept as the tests' oracle (tests/support/json_oracle.h): input_fuzz compares the two.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "pushsync/events.h"
#include "pushsync/gap.h"
#include "pushsync/input.h"
#include "pushsync/result.h"

namespace pushsync {

/// The input in `text` when it is an `httpResult` or a `seed` (its decoding or its error: this is
/// their only reader); nullopt for any other text, which input_from_json reads with nlohmann.
std::optional<Result<Input, DecodeError>> scan_bulk_input(std::string_view text);

/// A seed's page as `{"messages":` + the messages' text + `}` (how scan_bulk_input makes it):
/// the messages' text, so that encoding the seed again gives back the same page; nullopt for a page
/// of another shape.
std::optional<std::string_view> seed_messages_text(std::string_view page);

/// A gap as GapsChanged writes it (json_io.cpp; a seed's gaps are read with it here too).
Result<Gap, DecodeError> gap_from(const nlohmann::json& doc);

}  // namespace pushsync
