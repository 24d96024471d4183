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

std::string socket_url(const Config& config) {
  return std::string(config.ws_tls ? "wss://" : "ws://") + config.ws_host + ":" + std::to_string(config.ws_port) +
         "/app/" + config.app_key + "?protocol=" + std::to_string(config.protocol) +
         "&client=pushsync&version=" + config.client_version;
}

}  // namespace pushsync
