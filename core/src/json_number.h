// Internal: a JSON number as an integer of a given type, exactly or not at all. Hosts in
// JavaScript send whole numbers as doubles (1e3, 5.0), so those count when integral; a value out
// of the type's range, fractional, infinite or NaN is refused, never wrapped or clamped (and never
// converted first: a double at or past 2^63 cast to int64 is undefined behaviour).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "json_scanner.h"

namespace pushsync {

template <class T>
bool fits(std::int64_t v) {
  if constexpr (std::is_unsigned_v<T>) {
    return v >= 0 && static_cast<std::uint64_t>(v) <= std::numeric_limits<T>::max();
  } else {
    return v >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
           v <= static_cast<std::int64_t>(std::numeric_limits<T>::max());
  }
}

template <class T>
bool fits(std::uint64_t v) {
  return v <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
}

/// True, with `out` set, when `number` (as the scanner read it) equals an integer that T holds.
template <class T>
bool integer_from_number(const scan::Number& number, T& out) {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
  if (number.kind == scan::Number::Kind::Unsigned) {
    if (!fits<T>(number.u)) return false;
    out = static_cast<T>(number.u);
    return true;
  }
  if (number.kind == scan::Number::Kind::Integer) {
    if (!fits<T>(number.i)) return false;
    out = static_cast<T>(number.i);
    return true;
  }
  const double d = number.value;
  if (!std::isfinite(d) || d != std::trunc(d)) return false;
  // 2^64 and -2^63 are exact doubles: compare before any conversion.
  if (d >= 0) {
    if (!(d < 18446744073709551616.0)) return false;
    const auto v = static_cast<std::uint64_t>(d);
    if (!fits<T>(v)) return false;
    out = static_cast<T>(v);
    return true;
  }
  if (!(d >= -9223372036854775808.0)) return false;
  const auto v = static_cast<std::int64_t>(d);
  if (!fits<T>(v)) return false;
  out = static_cast<T>(v);
  return true;
}

/// The same for a value of nlohmann's DOM: true, with `out` set, when `value` is a number equal to
/// an integer that T holds.
template <class T>
bool integer_from_json(const nlohmann::json& value, T& out) {
  scan::Number number;
  if (value.is_number_unsigned()) {
    number.u = value.get<std::uint64_t>();
  } else if (value.is_number_integer()) {
    number.kind = scan::Number::Kind::Integer;
    number.i = value.get<std::int64_t>();
  } else if (value.is_number_float()) {
    number.kind = scan::Number::Kind::Float;
    number.value = value.get<double>();
  } else {
    return false;
  }
  return integer_from_number(number, out);
}

}  // namespace pushsync
