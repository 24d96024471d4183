// Time in the core is always an argument: milliseconds on the host's monotonic clock, passed last.
#pragma once

#include <cstdint>

namespace pushsync {

/// Milliseconds. As an instant: on the host's monotonic clock (any epoch, never wall time).
using Millis = std::int64_t;

}  // namespace pushsync
