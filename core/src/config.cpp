#include "pushsync/config.h"

namespace pushsync {

const char* to_string(BackendDialect dialect) {
  switch (dialect) {
    case BackendDialect::Auto: return "auto";
    case BackendDialect::Minimal: return "minimal";
    case BackendDialect::Paged: return "paged";
  }
  return "auto";
}

const char* to_string(TypingSource source) {
  switch (source) {
    case TypingSource::Auto: return "auto";
    case TypingSource::Server: return "server";
    case TypingSource::Infer: return "infer";
  }
  return "auto";
}

std::string config_problem(const Config& c) {
  if (c.api_base.empty()) return "api_base is required";
  if (c.protocol != 7 && c.protocol != 2) return "protocol must be 7 or 2";
  if (c.ws_port <= 0 || c.ws_port > 65535) return "ws_port must be 1-65535";
  if (c.page_limit < 1 || c.page_limit > 1000) return "page_limit must be 1-1000";
  if (c.max_page_limit < 1 || c.max_page_limit > 1000) return "max_page_limit must be 1-1000";
  if (c.max_reconnect_attempts < 0) return "max_reconnect_attempts must not be negative";
  if (c.probe_interval < 1'000) return "probe_interval must be at least 1000 ms";
  if (c.gap_retry < 1'000) return "gap_retry must be at least 1000 ms";
  if (c.messages_path.find("{session}") == std::string::npos) return "messages_path must contain {session}";
  if (c.auth_path.empty() || c.auth_path[0] != '/') return "auth_path must start with /";
  if (c.max_messages < 1) return "max_messages must be at least 1";
  const struct {
    const char* name;
    Millis value;
  } timings[] = {{"keepalive", c.keepalive},           {"connect_timeout", c.connect_timeout},
                 {"pong_timeout", c.pong_timeout},     {"request_timeout", c.request_timeout},
                 {"typing_timeout", c.typing_timeout}, {"probe_interval", c.probe_interval},
                 {"gap_retry", c.gap_retry},           {"persist_interval", c.persist_interval},
                 {"settle_check", c.settle_check},     {"gap_grace", c.gap_grace},
                 {"resync_interval", c.resync_interval}, {"backoff.base", c.backoff.base},
                 {"backoff.cap", c.backoff.cap}};
  for (const auto& t : timings) {
    if (t.value < 1 || t.value > kMaxConfigTiming) {
      return std::string(t.name) + " must be 1-" + std::to_string(kMaxConfigTiming) + " ms";
    }
  }
  if (c.backoff.base > c.backoff.cap) return "backoff.base must not exceed backoff.cap";
  if (!(c.backoff.jitter >= 0 && c.backoff.jitter <= 1)) return "backoff.jitter must be 0-1";
  if (c.backoff.first_spread < 0 || c.backoff.first_spread > kMaxConfigTiming) {
    return "backoff.first_spread must be 0-" + std::to_string(kMaxConfigTiming) + " ms";
  }
  return "";
}

std::string socket_url(const Config& config) {
  return std::string(config.ws_tls ? "wss://" : "ws://") + config.ws_host + ":" + std::to_string(config.ws_port) +
         "/app/" + config.app_key + "?protocol=" + std::to_string(config.protocol) +
         "&client=pushsync&version=" + config.client_version;
}

}  // namespace pushsync
