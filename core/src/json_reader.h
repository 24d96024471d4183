// Internal: optional fields of an object of nlohmann's DOM read into a struct, the first of the
// wrong type remembered ("'x' must be a string"): how the host's inputs and configuration are read
// (json_io.cpp), and how the tests' oracle reads the inputs the scanner now reads (bulk_input.h).
#pragma once

#include <cmath>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "json_number.h"

namespace pushsync::json_reader {

class Reader {
 public:
  explicit Reader(const nlohmann::json& object) : object_(object) {}
  template <class T>
  Reader& get(const char* key, T& out) {
    const auto it = object_.find(key);
    if (it == object_.end() || !error_.empty()) return *this;
    if constexpr (std::is_same_v<T, bool>) {
      if (!it->is_boolean()) return fail(key, "a boolean");
      out = it->get<bool>();
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!it->is_string()) return fail(key, "a string");
      out = it->get<std::string>();
    } else if constexpr (std::is_same_v<T, double>) {
      // Finite only: JSON has no NaN or infinity (the encoder would write null).
      if (!it->is_number() || !std::isfinite(it->get<double>())) return fail(key, "a finite number");
      out = it->get<double>();
    } else {
      if (!it->is_number()) return fail(key, "an integer");
      if (!integer_from_json(*it, out)) return fail(key, "an integer in range");
    }
    return *this;
  }
  Reader& fail(const char* key, const char* kind) {
    if (error_.empty()) error_ = std::string("'") + key + "' must be " + kind;
    return *this;
  }
  const std::string& error() const { return error_; }

 private:
  const nlohmann::json& object_;
  std::string error_;
};

}  // namespace pushsync::json_reader
