// A value or an error, for a core built without exceptions (std::expected is C++23).
#pragma once

#include <cassert>
#include <utility>
#include <variant>

namespace pushsync {

template <class T, class E>
class Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit on purpose
  Result(E error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit on purpose

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& { assert(ok()); return *std::get_if<0>(&v_); }
  T& value() & { assert(ok()); return *std::get_if<0>(&v_); }
  T&& value() && { assert(ok()); return std::move(*std::get_if<0>(&v_)); }
  const E& error() const { assert(!ok()); return *std::get_if<1>(&v_); }

  bool operator==(const Result&) const = default;

 private:
  std::variant<T, E> v_;
};

}  // namespace pushsync
