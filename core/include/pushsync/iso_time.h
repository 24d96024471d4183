// Server timestamps (ISO-8601) as numbers, so messages can be ordered by them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pushsync {

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM|±HHMM]` (the forms servers send) into milliseconds since the
/// Unix epoch, UTC. Returns nullopt for anything else; never reads the clock.
std::optional<std::int64_t> parse_iso8601_ms(std::string_view text);

/// Formats milliseconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.fffZ` (years 0-9999).
std::string format_iso8601_ms(std::int64_t ms);

/// The length of that form.
inline constexpr std::size_t kIso8601MsLength = 24;
/// format_iso8601_ms into `out` (kIso8601MsLength characters, no terminator): no allocation.
void write_iso8601_ms(std::int64_t ms, char* out);

}  // namespace pushsync
