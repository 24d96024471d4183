// The app server's REST contract as the engine uses it: the REST twin of `frame.h`.
//
// The engine asks for "messages after this point" and this part decides the URL: the routes, the
// query dialect and how an answer is read live here and nowhere else. Two dialects exist:
// - Minimal (the roadmap's backend): `?limit=N&since=<ISO-8601>` answering `{messages}`; page order
//   (newest N or oldest N) unknown, messages may lack `sequenceNumber`.
// - Paged (the reference server): `afterSequence` and `hasMore`, and `serverTime` for an exact
//   `since` cursor.
// `Config::dialect` Auto (the default) starts Minimal-safe (no parameter a minimal backend does not
// know) and switches to Paged when an answer carries `hasMore`; an answer that shows
// `afterSequence` ignored, or a 400 to a request that carried it, switches back for good.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pushsync/config.h"
#include "pushsync/effect.h"
#include "pushsync/events.h"

namespace pushsync {

/// One messages request, in the engine's terms.
struct MessagesQuery {
  int limit = 50;
  std::optional<std::int64_t> after_sequence;  ///< Paged dialect only
  std::optional<std::string> since;            ///< ISO-8601: changes (or messages) after this time
  bool operator==(const MessagesQuery&) const = default;
};

class Api {
 public:
  void configure(const Config& config);

  /// What the backend is known to speak.
  BackendDialect dialect() const { return dialect_; }
  bool paged() const { return dialect_ == BackendDialect::Paged; }
  /// The largest page the backend gives (the configured maximum, or less once an answer shows it).
  int max_limit() const { return max_limit_; }

  effect::HttpRequest messages_request(RequestId id, std::string_view session_id, const MessagesQuery& query,
                                       const std::optional<std::string>& token) const;
  effect::HttpRequest auth_request(RequestId id, std::string_view socket_id, std::string_view channel,
                                   const std::optional<std::string>& token) const;
  /// An ad-hoc GET on the API (the host's own calls go elsewhere; this is for tests and tools).
  std::string url(std::string_view path) const;

  /// Learns from an answer to `query`: a `hasMore` field means the Paged dialect (in Auto), an
  /// older message than `afterSequence` asked for means the parameter was ignored.
  void learn(const MessagesQuery& query, const MessagePage& page);
  /// A 400 to a request carrying `afterSequence`: the backend refuses the parameter. True when this
  /// changed the dialect (the request is worth repeating at once without it).
  bool refused(const MessagesQuery& query, int status);
  /// A page shorter than asked for that does not reach the cursor: the backend caps its pages there.
  void learn_cap(int returned);

  /// The API base that answered in the Paged dialect while Auto was configured ("" otherwise): what
  /// a restarted engine is told back through `assume_paged`.
  std::string_view learnt_paged() const;
  /// A previous run learnt that `backend` is paged: taken while nothing is learnt yet, Auto is
  /// configured and `backend` is this API base (another server starts over).
  void assume_paged(std::string_view backend);

 private:
  std::string base_;
  std::string messages_path_;
  std::string auth_path_;
  BackendDialect configured_ = BackendDialect::Auto;
  BackendDialect dialect_ = BackendDialect::Auto;
  int max_limit_ = 100;
  int configured_max_ = 0;
};

/// Form/URL encoding (RFC 3986 unreserved characters stay).
std::string percent_encode(std::string_view text);

}  // namespace pushsync
