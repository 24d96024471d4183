// Fuzz target: REST message pages and the persisted state.
//
// Invariant: for any bytes, decode_message_page and decode_persisted_state parse them or report a
// DecodeError. Nothing else: no crash, no abort, no hang, no sanitizer report. What is accepted is
// also well formed:
// - every message of an accepted page has a non-empty id, a sequence >= 1 or 0 (none sent), a
//   status, and a timestamp_ms equal to the parse of its timestamp; every skipped entry is named;
// - merged into a small MessageStore (so the cap evicts), the page leaves the store sorted by
//   (timestamp, sequence, id), free of duplicate ids, within capacity, with at/position_of/find
//   in agreement;
// - decode_message_page (the core's one message reader, core/src/json_scanner.h) agrees with the
//   nlohmann oracle (tests/support/json_oracle.h): the same page, or the same error;
// - each accepted message is written by append_message_json exactly as message_to_json writes it
//   (the hosts' fast writer against the nlohmann document);
// - an accepted persisted state has a cursor >= 0 and survives encode then decode unchanged.
// A violation calls __builtin_trap(), which libFuzzer reports as a crash with the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include "pushsync/events.h"
#include "pushsync/iso_time.h"
#include "pushsync/json_io.h"
#include "pushsync/message_json.h"
#include "pushsync/message_store.h"
#include "pushsync/persisted_state.h"
#include "support/json_oracle.h"

namespace {

using namespace pushsync;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

void check_store(const MessageStore& store) {
  check(store.size() <= store.capacity());
  const Message* previous = nullptr;
  for (std::size_t i = 0; i < store.size(); ++i) {
    const Message& m = store.at(i);
    if (previous) {
      check(std::tie(previous->timestamp_ms, previous->sequence, previous->id) <
            std::tie(m.timestamp_ms, m.sequence, m.id));
    }
    check(store.position_of(m.id) == i);
    check(store.find(m.id) == &m);
    previous = &m;
  }
  check(store.newest() == previous);
  std::size_t visited = 0;
  store.for_each(0, store.size(), [&](const Message& m) { check(&m == &store.at(visited++)); });
  check(visited == store.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(bytes), size);

  const auto decoded = decode_message_page(text);
  check(oracle::agree(decoded, oracle::decode_message_page(text)));
  if (const auto& page = decoded) {
    MessageStore store(8);
    for (const Message& m : page.value().messages) {
      check(!m.id.empty() && m.sequence >= 0 && !m.status.empty());
      const auto ms = parse_iso8601_ms(m.timestamp.text());
      check(ms.has_value() && *ms == m.timestamp_ms);
      std::string written;
      append_message_json(m, written);
      check(written == message_to_json(m));
      store.merge(m);
    }
    for (const DecodeError& skipped : page.value().rejected) check(!skipped.what.empty());
    check_store(store);
    // The same page again changes nothing.
    const std::size_t size_before = store.size();
    for (const Message& m : page.value().messages) {
      if (store.find(m.id)) check(store.merge(m) != MessageStore::Outcome::Inserted);
    }
    check(store.size() == size_before);
    check_store(store);
  } else {
    check(!page.error().what.empty());
  }

  if (const auto state = decode_persisted_state(text)) {
    check(state.value().cursor >= 0);
    const auto again = decode_persisted_state(encode_persisted_state(state.value()));
    check(again.ok() && again.value() == state.value());
  } else {
    check(!state.error().what.empty());
  }
  return 0;
}
