#include "mzl/replay/parallel_replay.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "mzl/codec/event_type.h"
#include "mzl/codec/query_event.h"
#include "mzl/codec/rows_event.h"
#include "mzl/net/server_connection.h"
#include "mzl/replay/statement_sink.h"
#include "mzl/replay/write_set.h"

namespace mzl::replay {
namespace {

using codec::EventType;

// An event copied out of the reader's buffer, with its place.
struct OwnedEvent {
  std::vector<uint8_t> bytes;
  codec::RawEvent raw;  // header, checksum, offset; spans rebuilt by view()
  size_t body_offset = 0, body_size = 0;

  explicit OwnedEvent(const codec::RawEvent& from)
      : bytes(from.data.begin(), from.data.end()),
        raw(from),
        body_offset(static_cast<size_t>(from.body.data() - from.data.data())),
        body_size(from.body.size()) {}
  codec::RawEvent view() const {
    codec::RawEvent r = raw;
    r.data = Bytes(bytes);
    r.body = Bytes(bytes).subspan(body_offset, body_size);
    return r;
  }
};

// The FORMAT_DESCRIPTION an event was framed with: its bytes (sent to a session before the first event it
// describes) and its decoded form.
struct Format {
  OwnedEvent event;
  codec::FormatDescription description;
};

struct Unit {
  std::vector<OwnedEvent> events;
  std::shared_ptr<const Format> format;
  std::string file;
  std::vector<uint64_t> keys;
  bool alone = false;
  size_t bytes = 0;
};

// Events that row-only transactions consist of; anything else makes a transaction be applied alone.
bool row_transaction_event(uint8_t type) {
  switch (static_cast<EventType>(type)) {
    case EventType::kMariaGtid:
    case EventType::kGtid:
    case EventType::kGtidTagged:
    case EventType::kAnonymousGtid:
    case EventType::kTableMap:
    case EventType::kXid:
    case EventType::kMariaAnnotateRows:
    case EventType::kRowsQuery:
      return true;
    default:
      return codec::is_rows_event(type);
  }
}

}  // namespace

class ParallelApplier::Impl {
 public:
  struct Session {
    std::optional<net::ServerConnection> connection;
    std::unique_ptr<ServerStatementSink> sink;
    std::unique_ptr<ReplayTranslator> translator;
    const Format* format_sent = nullptr;
    std::deque<std::shared_ptr<Unit>> queue;
    size_t pending = 0;  // units queued or being applied
    std::thread thread;
  };

  explicit Impl(ParallelReplayOptions options) : options_(std::move(options)) {}

  Status connect() {
    MZL_TRY(auto catalog, net::ServerConnection::connect(options_.target));
    catalog_.emplace(std::move(catalog));
    write_set_ = std::make_unique<WriteSetBuilder>(*catalog_);
    sessions_.resize(std::max(1u, options_.sessions));
    for (Session& s : sessions_) {
      MZL_TRY(auto c, net::ServerConnection::connect(options_.target));
      s.connection.emplace(std::move(c));
      if (!options_.write_binlog) MZL_CHECK(s.connection->execute("SET SESSION sql_log_bin = 0"));
      MZL_TRY(s.sink, ServerStatementSink::create(*s.connection));
      s.translator = std::make_unique<ReplayTranslator>(*s.sink, false, options_.collations, options_.filter);
    }
    for (size_t i = 0; i < sessions_.size(); ++i) sessions_[i].thread = std::thread([this, i] { work(i); });
    return ok_status();
  }

  ~Impl() { stop_threads(); }

  // Transactions are cut where the archive reader's TransactionTracker says they start and end.
  Status add(const archive::ArchiveEvent& event) {
    const codec::RawEvent& raw = event.raw;
    if (raw.header.type_code == codec::code(EventType::kFormatDescription)) {
      format_ = std::make_shared<Format>(Format{OwnedEvent(raw), event.format()});
      return ok_status();
    }
    if (streaming_) return stream(event);
    if (event.starts_transaction) {
      if (unit_) MZL_CHECK(end_unit());  // a transaction without its commit: cannot happen in a binlog
      unit_ = std::make_shared<Unit>();
      unit_->format = format_;
      unit_->file = event.file;
      return append(event);
    }
    if (!unit_) {
      if (!event.in_transaction && needs_nothing_applied(raw.header.type_code)) return ok_status();
      // Outside any transaction (INTVAR and the like before a statement of a server without GTID events):
      // applied alone.
      unit_ = std::make_shared<Unit>();
      unit_->format = format_;
      unit_->file = event.file;
      unit_->alone = true;
    }
    return append(event);
  }

  bool in_transaction() const {
    return unit_ != nullptr || (streaming_ && sessions_[0].translator->in_transaction());
  }

  Status finish() {
    Status status = ok_status();
    if (streaming_) {
      status = sessions_[0].translator->finish();  // rolls the open transaction back
      streaming_ = false;
    }
    unit_.reset();  // a transaction the archive holds only part of is not applied
    if (Status s = wait_all_done(); status.ok() && !s.ok()) status = std::move(s);
    stop_threads();
    for (Session& s : sessions_) {
      if (Status f = s.translator->finish(); status.ok() && !f.ok()) status = std::move(f);
    }
    return status;
  }

  ParallelReplayStats stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
  }
  // Statements run only on the first session (they make a transaction be applied alone).
  uint64_t skipped_statements() const { return sessions_[0].translator->skipped_statements(); }

 private:
  Status append(const archive::ArchiveEvent& event) {
    const codec::RawEvent& raw = event.raw;
    const codec::FormatDescription& format = event.format();
    const uint8_t type = raw.header.type_code;
    unit_->events.emplace_back(raw);
    unit_->bytes += raw.data.size();
    if (type == codec::code(EventType::kQuery) || type == codec::code(EventType::kMariaQueryCompressed)) {
      ByteReader body(raw.body);
      auto q = type == codec::code(EventType::kQuery) ? codec::decode_query_event(body, format)
                                                      : codec::decode_query_compressed_event(body, format);
      if (!q.ok()) return std::move(q).error().at_r(event.file, raw.offset);
      if (q->query != "BEGIN" && q->query != "COMMIT" && q->query != "ROLLBACK") unit_->alone = true;
    } else if (!row_transaction_event(type)) {
      unit_->alone = true;
    } else if (!unit_->alone && (type == codec::code(EventType::kTableMap) || codec::is_rows_event(type))) {
      MZL_TRY(bool parallel, write_set_->add(raw, format));
      if (!parallel) unit_->alone = true;
    }
    if (event.ends_transaction || !event.in_transaction) return end_unit();
    if (unit_->bytes > options_.max_buffered_bytes) return start_streaming();
    return ok_status();
  }

  // The transaction is too large to hold: everything else finishes, then it goes to the first session as it
  // is read.
  Status start_streaming() {
    MZL_CHECK(wait_all_done());
    std::shared_ptr<Unit> unit = std::move(unit_);
    unit_.reset();
    (void)write_set_->take_keys();
    streaming_ = true;
    Session& first = sessions_[0];
    MZL_CHECK(send_format(first, *unit));
    for (const OwnedEvent& e : unit->events)
      MZL_CHECK(first.translator->translate(e.view(), unit->format->description, unit->file));
    std::lock_guard lock(mutex_);
    ++stats_.alone;
    return ok_status();
  }

  Status stream(const archive::ArchiveEvent& event) {
    Session& first = sessions_[0];
    MZL_CHECK(first.translator->translate(event.raw, event.format(), event.file));
    if (event.ends_transaction) {
      streaming_ = false;
      MZL_CHECK(first.sink->flush());
      write_set_->forget_tables();
    }
    return ok_status();
  }

  Status send_format(Session& session, const Unit& unit) {
    if (!unit.format || session.format_sent == unit.format.get()) return ok_status();
    session.format_sent = unit.format.get();
    return session.translator->translate(unit.format->event.view(), unit.format->description, unit.file);
  }

  Status end_unit() {
    std::shared_ptr<Unit> unit = std::move(unit_);
    unit_.reset();
    unit->keys = write_set_->take_keys();
    if (unit->alone) {
      // After everything before it, on the first session (whose session state the statements need), and
      // before anything after it.
      MZL_CHECK(wait_all_done());
      Session& first = sessions_[0];
      note_applying(true);
      Status applied = apply(first, *unit);
      note_applying(false);
      MZL_CHECK(std::move(applied));
      write_set_->forget_tables();
      std::lock_guard lock(mutex_);
      ++stats_.alone;
      return ok_status();
    }
    std::unique_lock lock(mutex_);
    bool waited = false;
    bool conflicted = false;
    while (true) {
      if (error_) return *error_;
      std::optional<size_t> holder;
      bool several = false;
      for (uint64_t key : unit->keys) {
        auto it = held_.find(key);
        if (it == held_.end()) continue;
        if (holder && *holder != it->second.first) several = true;
        holder = it->second.first;
      }
      if (holder) conflicted = true;
      size_t target = 0;
      if (holder) {
        target = *holder;
      } else {
        for (size_t i = 1; i < sessions_.size(); ++i) {
          if (sessions_[i].pending < sessions_[target].pending) target = i;
        }
      }
      if (!several && sessions_[target].pending < options_.max_queued) {
        for (uint64_t key : unit->keys) {
          auto& entry = held_[key];
          entry.first = target;
          ++entry.second;
        }
        ++sessions_[target].pending;
        sessions_[target].queue.push_back(std::move(unit));
        ++stats_.parallel;
        if (waited) ++stats_.waits;
        if (conflicted) ++stats_.conflicts;
        work_cv_.notify_all();
        return ok_status();
      }
      waited = true;
      done_cv_.wait(lock);
    }
  }

  Status apply(Session& session, const Unit& unit) {
    MZL_CHECK(send_format(session, unit));
    for (const OwnedEvent& e : unit.events) {
      MZL_CHECK(session.translator->translate(
          e.view(), unit.format ? unit.format->description : codec::FormatDescription{}, unit.file));
    }
    return session.sink->flush();
  }

  void work(size_t index) {
    Session& session = sessions_[index];
    std::unique_lock lock(mutex_);
    while (true) {
      work_cv_.wait(lock, [&] { return stopping_ || !session.queue.empty(); });
      if (session.queue.empty()) return;
      std::shared_ptr<Unit> unit = session.queue.front();
      const bool failed = error_.has_value();  // after a failure, queued units are dropped, not applied
      stats_.peak_in_flight = std::max(stats_.peak_in_flight, ++in_flight_);
      lock.unlock();
      Status status = failed ? ok_status() : apply(session, *unit);
      lock.lock();
      --in_flight_;
      session.queue.pop_front();
      --session.pending;
      for (uint64_t key : unit->keys) {
        auto it = held_.find(key);
        if (it != held_.end() && --it->second.second == 0) held_.erase(it);
      }
      if (!status.ok() && !error_) error_ = std::move(status).error();
      done_cv_.notify_all();
    }
  }

  // A transaction applied alone on the reading thread (nothing else is in flight then).
  void note_applying(bool starts) {
    std::lock_guard lock(mutex_);
    if (starts) {
      stats_.peak_in_flight = std::max(stats_.peak_in_flight, ++in_flight_);
    } else {
      --in_flight_;
    }
  }

  Status wait_all_done() {
    std::unique_lock lock(mutex_);
    done_cv_.wait(lock, [&] {
      for (const Session& s : sessions_) {
        if (s.pending > 0) return false;
      }
      return true;
    });
    if (error_) return *error_;
    return ok_status();
  }

  void stop_threads() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      work_cv_.notify_all();
    }
    for (Session& s : sessions_) {
      if (s.thread.joinable()) s.thread.join();
    }
  }

  ParallelReplayOptions options_;
  std::optional<net::ServerConnection> catalog_;
  std::unique_ptr<WriteSetBuilder> write_set_;
  std::vector<Session> sessions_;
  std::shared_ptr<const Format> format_;
  std::shared_ptr<Unit> unit_;  // the transaction being read
  bool streaming_ = false;      // a large transaction is being applied on the first session as it is read

  mutable std::mutex mutex_;
  std::condition_variable work_cv_, done_cv_;
  std::unordered_map<uint64_t, std::pair<size_t, size_t>> held_;  // key -> (session, units holding it)
  std::optional<Error> error_;
  bool stopping_ = false;
  uint64_t in_flight_ = 0;  // units being applied now
  ParallelReplayStats stats_;
};

Result<std::unique_ptr<ParallelApplier>> ParallelApplier::create(const ParallelReplayOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  MZL_CHECK(impl->connect());
  return std::unique_ptr<ParallelApplier>(new ParallelApplier(std::move(impl)));
}

ParallelApplier::ParallelApplier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParallelApplier::~ParallelApplier() = default;

Status ParallelApplier::add(const archive::ArchiveEvent& event) {
  return impl_->add(event);
}
bool ParallelApplier::in_transaction() const {
  return impl_->in_transaction();
}
Status ParallelApplier::finish() {
  return impl_->finish();
}
ParallelReplayStats ParallelApplier::stats() const {
  return impl_->stats();
}

uint64_t ParallelApplier::skipped_statements() const {
  return impl_->skipped_statements();
}

}  // namespace mzl::replay
