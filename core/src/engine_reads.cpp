// The engine's REST reads: which read comes next, and what each answer means for the store, the
// cursors and the gaps. The reads themselves are values (sync_plan.h); the dialect is the api
// part's business (api.h).
#include <algorithm>

#include "pushsync/engine.h"

namespace pushsync {

namespace {

// A gap nobody can fill is tried again at most this rarely (gap_retry doubled four times).
constexpr int kGapRetryDoublings = 4;

}  // namespace

// The next REST read, when none is in flight and one is wanted.
void Engine::plan_sync(Millis now) {
  if (sync_ || timers_.armed(Timer::SyncRetry)) return;
  const bool delivering = subscription_.subscribed() || polling_.running();
  if (!delivering) return;
  if (polling_.running() && (poll_wanted_ || (polling_.due() && now >= *polling_.due()))) {
    poll_wanted_ = false;
    polling_.poll_sent();
    resync_wanted_ = true;  // a poll is a catch-up
  }
  const bool resync = resync_wanted_;
  if (api_.paged()) {
    // A catch-up reads every change since the since cursor when there is one, and the whole
    // session to get one (a server that sends no serverTime never gives one: then, like a gap
    // backfill, what follows the sequence cursor, from the oldest message that may still change).
    if (resync && !recovery_.since().empty()) start_sync(read::ChangesSince{recovery_.since()}, true, now);
    // Started from the host's copy: what follows it, by sequence, first (the whole session, for a
    // since cursor, at the next catch-up).
    else if (resync && seeded_) start_sync(read::Backfill{recovery_.sync_from()}, true, now);
    else if (resync && !since_unsupported_) start_sync(read::Whole{}, true, now);
    else if (resync || backfill_wanted_) start_sync(read::Backfill{recovery_.sync_from()}, resync, now);
    return;
  }
  if (resync || backfill_wanted_) {
    start_sync(read::Forward{recovery_.known_through(), {}}, resync, now);
    return;
  }
  if (gap_fill_wanted_) {
    gap_fill_wanted_ = false;
    const auto& gaps = recovery_.gaps();
    const auto it = std::find_if(gaps.begin(), gaps.end(), [](const Gap& g) { return !g.after_id.empty(); });
    if (it == gaps.end()) return;
    if (const Message* after = store_.find(it->after_id)) {
      start_sync(read::Forward{after->timestamp_ms, it->after_id}, false, now);
    }
  }
}

void Engine::start_sync(Read read, bool resync, Millis now) {
  Sync sync;
  sync.resync = resync;
  sync.for_reply = resync && reply_wanted_;
  sync.query = query_for(read, config_.page_limit, api_.max_limit());
  sync.read = std::move(read);
  backfill_wanted_ = false;  // a catch-up covers any gap too
  if (resync) {
    resync_wanted_ = false;
    reply_wanted_ = false;
  }
  sync_ = std::move(sync);
  send_sync(now);
}

void Engine::send_sync(Millis now) {
  sync_->id = next_request_++;
  timers_.set(Timer::SyncTimeout, now + config_.request_timeout);
  ++counters_.syncs;
  out_.push_back(api_.messages_request(sync_->id, session_id_, sync_->query, token_));
}

void Engine::on_sync_result(const Sync& sync, const input::HttpResult& in, Millis now) {
  const bool newest = std::holds_alternative<read::Newest>(sync.read);
  if (in.status != 200) {
    if (api_.refused(sync.query, in.status)) {
      // The backend refuses afterSequence: ask again at once in the minimal dialect.
      report(ErrorCode::HttpFailed, "messages request refused (400): reading without afterSequence from now on");
      if (!newest) (sync.resync ? resync_wanted_ : backfill_wanted_) = true;
      return;
    }
    report(ErrorCode::HttpFailed, "messages request failed (" + std::to_string(in.status) + ")" + told_to_wait(in));
    if (!newest) sync_failed(sync, now);
    if (in.retry_after) {
      // Back off as told (a 429 or 503): no read before then, the poll or the retry alike.
      const Millis at = now + std::min(*in.retry_after, kMaxRetryAfter);
      polling_.wait_until(at);
      if (const auto due = timers_.get(Timer::SyncRetry); due && *due < at) timers_.set(Timer::SyncRetry, at);
    }
    return;
  }
  if (in.body.size() > config_.max_page_bytes) {
    ++counters_.frames_rejected;
    report(ErrorCode::BadPayload, "a messages answer of " + std::to_string(in.body.size()) +
                                      " bytes is over the limit of " + std::to_string(config_.max_page_bytes));
    if (!newest) sync_failed(sync, now);
    return;
  }
  auto decoded = decode_message_page(in.body);
  if (!decoded) {
    ++counters_.frames_rejected;
    report(ErrorCode::BadPayload, decoded.error().what);
    if (!newest) sync_failed(sync, now);
    return;
  }
  MessagePage page = std::move(decoded).value();
  counters_.rest_messages += page.messages.size();
  if (sync.for_reply) counters_.reply_messages += page.messages.size();
  if (!page.rejected.empty()) {
    counters_.messages_rejected += page.rejected.size();
    report(ErrorCode::BadPayload, std::to_string(page.rejected.size()) + " message(s) of " +
                                      std::to_string(page.rejected.size() + page.messages.size()) +
                                      " skipped, the first: " + page.rejected.front().what);
  }
  const bool was_paged = api_.paged();
  api_.learn(sync.query, page);
  const auto apply_all = [&] {
    for (auto& message : page.messages) apply_message(std::move(message), loaded_, now);
  };
  if (newest) {
    apply_all();
    return;
  }
  sync_failures_ = 0;
  if (was_paged && !api_.paged()) {
    // afterSequence was ignored: what this page says about the cursor cannot be trusted.
    apply_all();
    report(ErrorCode::HttpFailed, "the backend ignores afterSequence: reading by time from now on");
    resync_wanted_ = true;
    return;
  }
  if (const auto* forward = std::get_if<read::Forward>(&sync.read)) {
    if (!api_.paged()) {
      on_forward_page(sync, *forward, std::move(page), now);
    } else if (!page.has_more.value_or(false) && !forward->from_ms) {
      // The first answer showed a paged backend and holds the whole session: it was the whole read.
      Sync whole = sync;
      whole.read = read::Whole{};
      on_paged_page(std::move(whole), std::move(page), now);
    } else {
      // A paged backend with more, or a read from a known time (the host's copy): keep this page,
      // then read the session the paged way.
      apply_all();
      resync_wanted_ = true;
    }
    return;
  }
  on_paged_page(sync, std::move(page), now);
}

// A paged backend: `afterSequence` pages until `hasMore` is false; `serverTime` is the next since.
void Engine::on_paged_page(Sync sync, MessagePage page, Millis now) {
  const std::int64_t from = sync.query.after_sequence.value_or(0);
  std::int64_t newest = from;
  for (auto& message : page.messages) {
    newest = std::max(newest, message.sequence);
    apply_message(std::move(message), loaded_, now);
  }
  if (sync.server_time.empty()) sync.server_time = page.server_time;
  if (page.has_more.value_or(false) && newest > from) {
    sync.busy = true;
    // Page on at once; the first page's messages are already applied and shown.
    sync.query.after_sequence = newest;
    sync_ = std::move(sync);
    send_sync(now);
    return;
  }
  // The server has nothing after `newest`: numbers it skipped are no gap.
  recovery_.complete_through(newest);
  // Every change up to the first page's server time is now in the store, when this read covered
  // all of them: a since read, or a read of the whole session.
  const bool since_read = std::holds_alternative<read::ChangesSince>(sync.read);
  const bool whole = std::holds_alternative<read::Whole>(sync.read);
  if (!sync.server_time.empty() && (since_read || whole)) recovery_.set_since(sync.server_time);
  if (whole && sync.server_time.empty()) since_unsupported_ = true;
  sync_done(sync, now);
}

// A minimal backend (see sync_plan.h for the proof an overlap gives).
void Engine::on_forward_page(Sync sync, const read::Forward& forward, MessagePage page, Millis now) {
  std::int64_t run_end = recovery_.cursor();
  if (!forward.filling.empty()) {
    // A gap tried again continues the run that ends at the gap's start.
    const Message* start = store_.find(forward.filling);
    run_end = start && start->sequence > 0 ? start->sequence : -1;
  }
  const ForwardProof proof = prove_forward(forward, sync.query, page, run_end, api_.max_limit());
  if (proof.cap) api_.learn_cap(*proof.cap);
  if (proof.full) sync.busy = true;
  for (auto& message : page.messages) apply_message(std::move(message), loaded_, now);

  if (proof.next == ForwardProof::Next::Widen) {
    // Ask once more for as many as the backend gives: that may reach the cursor.
    Sync wider = sync;
    wider.query.limit = api_.max_limit();
    sync_ = std::move(wider);
    send_sync(now);
    return;
  }
  if (!forward.filling.empty()) {
    on_gap_fill_page(sync, forward, proof, now);
    return;
  }
  if (proof.next == ForwardProof::Next::Gap) {
    record_gap(proof.oldest_id, now);
  } else if (!forward.from_ms && proof.full && store_.size() > 0 && store_.at(0).id == proof.oldest_id) {
    // The first read of a session gave a full page: when sequence numbers show older messages
    // (the backend gave the newest N), that is history not loaded, not a loss: data, no error.
    if (const auto missing = missing_between(store_, std::nullopt, 0); missing && *missing > 0) {
      recovery_.gaps().insert(recovery_.gaps().begin(), Gap{"", proof.oldest_id, missing});
      changes_.gaps = true;
    }
  }
  if (proof.newest_ms) recovery_.known_through(*proof.newest_ms);
  if (proof.next == ForwardProof::Next::PageOn) {
    // More may follow: page on from the newest message of this page.
    Sync next = sync;
    next.read = read::Forward{proof.newest_ms, {}};
    next.query = query_for(next.read, config_.page_limit, api_.max_limit());
    sync_ = std::move(next);
    send_sync(now);
    return;
  }
  // Complete as far as the backend can tell: the numbers it skipped are no gap.
  recovery_.complete_through(proof.newest_sequence);
  sync_done(sync, now);
}

// A gap tried again: filled when the read connected to its start and reached its end; moved on
// when it connected but stopped short (page on at once); left as it is otherwise.
void Engine::on_gap_fill_page(const Sync& sync, const read::Forward& forward, const ForwardProof& proof, Millis now) {
  auto& gaps = recovery_.gaps();
  const auto it = std::find_if(gaps.begin(), gaps.end(), [&](const Gap& g) { return g.after_id == forward.filling; });
  if (it == gaps.end() || !proof.connected) {
    ++gap_retries_;
    arm_gap_retry(now);
    sync_done(sync, now);
    return;
  }
  changes_.gaps = true;
  gap_retries_ = 0;
  const Message* before = store_.find(it->before_id);
  if (!proof.full || !proof.newest_ms || (before && *proof.newest_ms >= before->timestamp_ms)) {
    gaps.erase(it);
    arm_gap_retry(now);
    sync_done(sync, now);
    return;
  }
  it->after_id = proof.newest_id;
  const auto after_at = store_.position_of(proof.newest_id);
  const auto before_at = store_.position_of(it->before_id);
  if (after_at && before_at) it->missing = missing_between(store_, *after_at, *before_at);
  Sync next = sync;
  next.read = read::Forward{proof.newest_ms, proof.newest_id};
  next.query = query_for(next.read, config_.page_limit, api_.max_limit());
  sync_ = std::move(next);
  send_sync(now);
}

void Engine::arm_gap_retry(Millis now) {
  const auto& gaps = recovery_.gaps();
  const bool interior = std::any_of(gaps.begin(), gaps.end(), [](const Gap& g) { return !g.after_id.empty(); });
  if (!interior) {
    timers_.clear(Timer::GapRetry);
    return;
  }
  timers_.set(Timer::GapRetry, now + (config_.gap_retry << std::min(gap_retries_, kGapRetryDoublings)));
}

// A full page that does not reach the cursor, even at the backend's largest page: the messages in
// between cannot be had now. Where they are and how many is kept, shown and tried again later.
void Engine::record_gap(const std::string& before_id, Millis now) {
  const auto at = store_.position_of(before_id);
  if (!at || *at == 0) return;
  const std::optional<std::int64_t> missing = missing_between(store_, *at - 1, *at);
  if (missing && *missing == 0) return;
  recovery_.gaps().push_back(Gap{store_.at(*at - 1).id, before_id, missing});
  changes_.gaps = true;
  ++counters_.gaps_found;
  report(ErrorCode::Incomplete,
         (missing ? std::to_string(*missing) : std::string("some")) +
             " messages could not be loaded: the backend gives at most " + std::to_string(api_.max_limit()) +
             " of the newest; tried again later");
  gap_retries_ = 0;
  arm_gap_retry(now);
}

void Engine::sync_done(const Sync& sync, Millis now) {
  loaded_ = true;
  if (sync.resync) seeded_ = false;
  if (sync.resync) timers_.set(Timer::Resync, now + config_.resync_interval);
  if (polling_.running()) {
    polling_.poll_done(true, now);
    if (sync.busy) polling_.soon(now + PollSchedule::kBusyInterval);
    link_.poll_succeeded(now, io());
  }
  if (recovery_.has_gap()) timers_.set_if_unset(Timer::GapGrace, now + config_.gap_grace);
}

void Engine::sync_failed(const Sync& sync, Millis now) {
  // What failed is still wanted.
  if (sync.resync) resync_wanted_ = true; else backfill_wanted_ = true;
  if (sync.for_reply) reply_wanted_ = true;
  if (const auto* forward = std::get_if<read::Forward>(&sync.read); forward && !forward->filling.empty()) {
    // A gap retry that failed waits for the next retry, not for the read backoff.
    backfill_wanted_ = false;
    ++gap_retries_;
    arm_gap_retry(now);
  }
  if (polling_.running()) {
    // The next poll reads it (a poll is a catch-up), after the schedule's backoff of 3, 6, 12,
    // 24, 30 s. Asking again at once was a tight loop against a server that fails fast.
    resync_wanted_ = false;
    backfill_wanted_ = false;
    polling_.poll_done(false, now);
    return;
  }
  // While push is up, retry with its own backoff: 1 s, 2 s, ... 30 s.
  ++sync_failures_;
  timers_.set(Timer::SyncRetry, now + backoff_delay(config_.backoff, sync_failures_, random_));
}

}  // namespace pushsync
