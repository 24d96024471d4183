// A value that most messages do not have (an error, an action payload), kept behind a pointer so
// that its absence costs one pointer: std::optional would hold its room in every stored message
// (28 bytes for a MessageError in WebAssembly, a sixth of a message's fixed size). Reads and
// writes like the std::optional it replaces; copies copy the value.
#pragma once

#include <memory>
#include <optional>
#include <utility>

namespace pushsync {

template <class T>
class Rare {
 public:
  Rare() = default;
  Rare(std::nullopt_t) {}
  Rare(T value) : value_(std::make_unique<T>(std::move(value))) {}
  Rare(const std::optional<T>& value) : value_(value ? std::make_unique<T>(*value) : nullptr) {}
  Rare(const Rare& other) : value_(other.value_ ? std::make_unique<T>(*other.value_) : nullptr) {}
  Rare(Rare&&) noexcept = default;

  Rare& operator=(const Rare& other) {
    if (this != &other) value_ = other.value_ ? std::make_unique<T>(*other.value_) : nullptr;
    return *this;
  }
  Rare& operator=(Rare&&) noexcept = default;
  Rare& operator=(T value) {
    value_ = std::make_unique<T>(std::move(value));
    return *this;
  }
  Rare& operator=(std::nullopt_t) {
    value_.reset();
    return *this;
  }

  bool has_value() const { return value_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  const T& operator*() const { return *value_; }
  T& operator*() { return *value_; }
  const T* operator->() const { return value_.get(); }
  T* operator->() { return value_.get(); }
  void reset() { value_.reset(); }

  friend bool operator==(const Rare& a, const Rare& b) { return a.value_ ? b.value_ && *a.value_ == *b.value_ : !b.value_; }
  friend bool operator==(const Rare& a, const std::optional<T>& b) { return a.value_ ? b && *a.value_ == *b : !b; }
  friend bool operator==(const Rare& a, std::nullopt_t) { return !a.value_; }
  friend bool operator==(const Rare& a, const T& b) { return a.value_ && *a.value_ == b; }

 private:
  std::unique_ptr<T> value_;
};

}  // namespace pushsync
