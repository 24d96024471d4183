// The REST contract part: URLs for each query in each dialect, and what answers teach it.
#include "pushsync/api.h"

#include <gtest/gtest.h>

#include "support/engine_harness.h"

namespace pushsync {
namespace {

Api api_for(BackendDialect dialect) {
  Config config = testing::test_config();
  config.dialect = dialect;
  Api api;
  api.configure(config);
  return api;
}

MessagePage page_with(std::vector<std::int64_t> sequences, std::optional<bool> has_more) {
  MessagePage page;
  for (const auto s : sequences) {
    Message m;
    m.id = "m" + std::to_string(s);
    m.sequence = s;
    page.messages.push_back(m);
  }
  page.has_more = has_more;
  return page;
}

TEST(Api, AfterSequenceGoesOnlyToAPagedBackend) {
  const MessagesQuery query{50, 7, std::string("2026-11-29T10:00:00.000Z")};
  const std::string base = "http://127.0.0.1:3000/api/session/s%2F1/messages?limit=50&since=2026-11-29T10%3A00%3A00.000Z";
  EXPECT_EQ(api_for(BackendDialect::Paged).messages_request(1, "s/1", query, {}).url, base + "&afterSequence=7");
  EXPECT_EQ(api_for(BackendDialect::Minimal).messages_request(1, "s/1", query, {}).url, base);
  EXPECT_EQ(api_for(BackendDialect::Auto).messages_request(1, "s/1", query, {}).url, base);
}

TEST(Api, AutoLearnsTheDialectFromTheFirstAnswer) {
  Api paged = api_for(BackendDialect::Auto);
  paged.learn(MessagesQuery{}, page_with({1, 2}, false));
  EXPECT_EQ(paged.dialect(), BackendDialect::Paged);
  Api minimal = api_for(BackendDialect::Auto);
  minimal.learn(MessagesQuery{}, page_with({1, 2}, std::nullopt));
  EXPECT_EQ(minimal.dialect(), BackendDialect::Minimal);
  // Learnt once: a later answer does not flip it back.
  minimal.learn(MessagesQuery{}, page_with({3}, true));
  EXPECT_EQ(minimal.dialect(), BackendDialect::Minimal);
}

TEST(Api, AnIgnoredOrRefusedAfterSequenceMeansMinimal) {
  Api ignored = api_for(BackendDialect::Paged);
  ignored.learn(MessagesQuery{50, 10, {}}, page_with({11, 12}, true));
  EXPECT_EQ(ignored.dialect(), BackendDialect::Paged);
  ignored.learn(MessagesQuery{50, 10, {}}, page_with({9, 10, 11}, true));
  EXPECT_EQ(ignored.dialect(), BackendDialect::Minimal);

  Api refused = api_for(BackendDialect::Paged);
  EXPECT_FALSE(refused.refused(MessagesQuery{50, std::nullopt, {}}, 400));  // not about afterSequence
  EXPECT_FALSE(refused.refused(MessagesQuery{50, 3, {}}, 500));
  EXPECT_TRUE(refused.refused(MessagesQuery{50, 3, {}}, 400));
  EXPECT_EQ(refused.dialect(), BackendDialect::Minimal);
}

TEST(Api, AnotherBackendStartsOver) {
  Config config = testing::test_config();
  config.dialect = BackendDialect::Auto;
  Api api;
  api.configure(config);
  api.learn(MessagesQuery{}, page_with({1}, std::nullopt));
  api.learn_cap(40);
  api.configure(config);  // the same settings again: what was learnt stays
  EXPECT_EQ(api.dialect(), BackendDialect::Minimal);
  EXPECT_EQ(api.max_limit(), 40);
  config.api_base = "https://chat.example.com/";
  api.configure(config);
  EXPECT_EQ(api.dialect(), BackendDialect::Auto);
  EXPECT_EQ(api.max_limit(), 100);
  EXPECT_EQ(api.url("/x"), "https://chat.example.com/x");
}

TEST(Api, ChannelAuthIsAFormPostWithTheBearerToken) {
  const auto request = api_for(BackendDialect::Auto).auth_request(9, "123.456", "private-session-s1", std::string("tok"));
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "http://127.0.0.1:3000/api/pusher/auth");
  EXPECT_EQ(request.body, "socket_id=123.456&channel_name=private-session-s1");
  EXPECT_NE(std::find(request.headers.begin(), request.headers.end(),
                      std::pair<std::string, std::string>{"Authorization", "Bearer tok"}),
            request.headers.end());
}

}  // namespace
}  // namespace pushsync
