// Messages the client knows exist but could not load: a gap is data, kept where it is, shown to
// the person and tried again later (the idea of matrix-rust-sdk's gaps and MSC3871), never
// silently closed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pushsync {

struct Gap {
  /// The message the gap follows; "" when it lies before the first stored message (older history
  /// the backend did not give).
  std::string after_id;
  /// The message the gap precedes.
  std::string before_id;
  /// How many messages are missing, when sequence numbers on both sides prove it.
  std::optional<std::int64_t> missing;
  bool operator==(const Gap&) const = default;
};

}  // namespace pushsync
