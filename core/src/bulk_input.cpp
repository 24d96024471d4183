#include "bulk_input.h"

#include <nlohmann/json.hpp>

#include "json_limits.h"
#include "json_number.h"
#include "json_scanner.h"

namespace pushsync {

namespace {

// The members of the outer object that the two inputs read, as the text of their values (views
// into the input; the last of a repeated key wins, as in nlohmann's DOM).
struct Members {
  std::optional<std::string_view> type, id, status, body, retry_after, session_id, messages, gaps;

  std::optional<std::string_view>* slot(std::string_view key) {
    if (key == "type") return &type;
    if (key == "id") return &id;
    if (key == "status") return &status;
    if (key == "body") return &body;
    if (key == "retryAfterMs") return &retry_after;
    if (key == "sessionId") return &session_id;
    if (key == "messages") return &messages;
    if (key == "gaps") return &gaps;
    return nullptr;
  }
};

// The whole text validated (as nlohmann's parse would), its members kept; nullopt when the text
// is not a JSON object.
std::optional<Members> members_of(std::string_view text) {
  scan::Scanner scanner(text);
  if (scanner.peek_value() != '{' || !scanner.begin_object()) return std::nullopt;
  Members members;
  std::string_view key;
  std::string scratch;
  while (scanner.next_key(key, scratch)) {
    std::string_view value;
    if (!scanner.raw_value(value)) return std::nullopt;
    if (auto* slot = members.slot(key)) *slot = value;
  }
  if (!scanner.ok() || !scanner.at_end()) return std::nullopt;
  return members;
}

char kind_of(std::string_view value) { return value.empty() ? '\0' : value.front(); }

// Values already validated by members_of: each is decoded by a scanner of its own.
std::string string_of(std::string_view value) {
  std::string out;
  scan::Scanner(value, scan::Utf8::Valid).string_value(out);
  return out;
}

// Optional fields read as json_io.cpp's Reader reads them: an absent one leaves the default, the
// first of the wrong type is the error.
class Fields {
 public:
  Fields& string(const std::optional<std::string_view>& value, const char* key, std::string& out) {
    if (!value || !error_.empty()) return *this;
    if (kind_of(*value) != '"') return fail(key, "a string");
    out = string_of(*value);
    return *this;
  }
  template <class T>
  Fields& integer(const std::optional<std::string_view>& value, const char* key, T& out) {
    if (!value || !error_.empty()) return *this;
    const char kind = kind_of(*value);
    if (kind != '-' && (kind < '0' || kind > '9')) return fail(key, "an integer");
    scan::Number number;
    scan::Scanner(*value, scan::Utf8::Valid).number_value(number);
    if (!integer_from_number(number, out)) return fail(key, "an integer in range");
    return *this;
  }
  Fields& fail(const char* key, const char* kind) {
    error_ = std::string("'") + key + "' must be " + kind;
    return *this;
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

bool is_null(const std::optional<std::string_view>& value) { return value && kind_of(*value) == 'n'; }

Result<Input, DecodeError> http_result(const Members& m) {
  input::HttpResult in;
  Fields f;
  f.integer(m.id, "id", in.id).integer(m.status, "status", in.status).string(m.body, "body", in.body);
  if (m.retry_after && !is_null(m.retry_after)) {
    Millis wait = 0;
    f.integer(m.retry_after, "retryAfterMs", wait);
    if (wait < 0) return DecodeError{"input httpResult: 'retryAfterMs' must not be negative"};
    in.retry_after = wait;
  }
  if (!f.error().empty()) return DecodeError{"input httpResult: " + f.error()};
  return Input{std::move(in)};
}

Result<Input, DecodeError> seed(const Members& m) {
  input::Seed in;
  Fields f;
  f.string(m.session_id, "sessionId", in.session_id);
  if (!m.messages || kind_of(*m.messages) != '[') return DecodeError{"input seed: 'messages' must be an array"};
  in.page.reserve(m.messages->size() + 14);
  in.page.append(R"({"messages":)").append(*m.messages).push_back('}');
  if (m.gaps && !is_null(m.gaps)) {
    if (kind_of(*m.gaps) != '[') return DecodeError{"input seed: 'gaps' must be an array"};
    // A few small objects: nlohmann's reader, shared with the other inputs' gaps.
    for (const auto& item : parse_bounded(*m.gaps)) {
      auto gap = gap_from(item);
      if (!gap) return DecodeError{"input seed: " + gap.error().what};
      in.gaps.push_back(std::move(gap).value());
    }
  }
  if (!f.error().empty()) return DecodeError{"input seed: " + f.error()};
  return Input{std::move(in)};
}

}  // namespace

std::optional<Result<Input, DecodeError>> scan_bulk_input(std::string_view text) {
  const auto members = members_of(text);
  if (!members || !members->type || kind_of(*members->type) != '"') return std::nullopt;
  const std::string type = string_of(*members->type);
  if (type == "httpResult") return http_result(*members);
  if (type == "seed") return seed(*members);
  return std::nullopt;
}

std::optional<std::string_view> seed_messages_text(std::string_view page) {
  constexpr std::string_view head = R"({"messages":)";
  if (page.size() < head.size() + 1 || page.substr(0, head.size()) != head || page.back() != '}') return std::nullopt;
  const std::string_view messages = page.substr(head.size(), page.size() - head.size() - 1);
  // Exactly one array between the two: the page is then {"messages": <it>} and nothing else.
  scan::Scanner scanner(messages);
  std::string_view value;
  if (scanner.peek_value() != '[' || !scanner.raw_value(value) || !scanner.at_end()) return std::nullopt;
  return messages;
}

}  // namespace pushsync
