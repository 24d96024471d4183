#include "pushsync/api.h"

namespace pushsync {

namespace {

std::vector<std::pair<std::string, std::string>> headers_for(const std::optional<std::string>& token) {
  std::vector<std::pair<std::string, std::string>> headers{{"Accept", "application/json"}};
  if (token) headers.emplace_back("Authorization", "Bearer " + *token);
  return headers;
}

}  // namespace

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

void Api::configure(const Config& config) {
  std::string base = config.api_base;
  while (!base.empty() && base.back() == '/') base.pop_back();
  // What was learnt holds for one backend under one setting: another server, other routes or
  // another dialect setting start over.
  const bool other_backend = base != base_ || config.messages_path != messages_path_ ||
                             config.dialect != configured_ || config.max_page_limit != configured_max_;
  base_ = std::move(base);
  messages_path_ = config.messages_path;
  auth_path_ = config.auth_path;
  configured_ = config.dialect;
  configured_max_ = config.max_page_limit;
  if (other_backend) {
    dialect_ = config.dialect;
    max_limit_ = config.max_page_limit < config.page_limit ? config.page_limit : config.max_page_limit;
  }
}

std::string Api::url(std::string_view path) const { return base_ + std::string(path); }

effect::HttpRequest Api::messages_request(RequestId id, std::string_view session_id, const MessagesQuery& query,
                                          const std::optional<std::string>& token) const {
  std::string path = messages_path_;
  if (const auto at = path.find("{session}"); at != std::string::npos) {
    path.replace(at, 9, percent_encode(session_id));
  }
  std::string target = url(path + (path.find('?') == std::string::npos ? "?" : "&") + "limit=" +
                           std::to_string(query.limit));
  if (query.since) target += "&since=" + percent_encode(*query.since);
  // Never to a backend that is not known to take it: a minimal backend may refuse the parameter.
  if (query.after_sequence && paged()) target += "&afterSequence=" + std::to_string(*query.after_sequence);
  return effect::HttpRequest{id, "GET", std::move(target), headers_for(token), ""};
}

effect::HttpRequest Api::auth_request(RequestId id, std::string_view socket_id, std::string_view channel,
                                      const std::optional<std::string>& token) const {
  auto headers = headers_for(token);
  headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  return effect::HttpRequest{id, "POST", url(auth_path_), std::move(headers),
                             "socket_id=" + percent_encode(socket_id) + "&channel_name=" + percent_encode(channel)};
}

void Api::learn(const MessagesQuery& query, const MessagePage& page) {
  if (query.after_sequence && paged()) {
    for (const auto& message : page.messages) {
      if (message.sequence > 0 && message.sequence <= *query.after_sequence) {
        dialect_ = BackendDialect::Minimal;  // the backend ignores afterSequence
        return;
      }
    }
  }
  if (dialect_ == BackendDialect::Auto) {
    dialect_ = page.has_more.has_value() ? BackendDialect::Paged : BackendDialect::Minimal;
  }
}

bool Api::refused(const MessagesQuery& query, int status) {
  if (status != 400 || !query.after_sequence || !paged()) return false;
  dialect_ = BackendDialect::Minimal;
  return true;
}

void Api::learn_cap(int returned) {
  if (returned > 0 && returned < max_limit_) max_limit_ = returned;
}

std::string_view Api::learnt_paged() const {
  return configured_ == BackendDialect::Auto && paged() ? std::string_view(base_) : std::string_view();
}

void Api::assume_paged(std::string_view backend) {
  if (configured_ == BackendDialect::Auto && dialect_ == BackendDialect::Auto && !backend.empty() && backend == base_) {
    dialect_ = BackendDialect::Paged;
  }
}

}  // namespace pushsync
