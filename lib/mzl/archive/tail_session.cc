#include "mzl/archive/tail_session.h"

#include <fmt/format.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "mzl/archive/binlog_archive.h"
#include "mzl/archive/tail_change_stream.h"
#include "mzl/archive/tail_follow.h"
#include "mzl/archive/tail_output.h"
#include "mzl/codec/event_type.h"
#include "mzl/net/event_placement.h"
#include "mzl/net/replica_stream.h"
#include "mzl/net/server_connection.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/schema/schema_tracker.h"
#include "mzl/util/durable_file.h"
#include "mzl/util/latency_histogram.h"
#include "mzl/util/parse_number.h"
#include "mzl/util/prometheus_textfile.h"
#include "mzl/util/sliding_window.h"
#include "mzl/util/stop_signal.h"

namespace mzl::archive {

namespace {

using Clock = std::chrono::steady_clock;

// Output held back for a transaction that is not yet durable beyond this makes the next sync due even while
// more events are readable.
constexpr size_t kMaxHeldOutput = 16 << 20;

struct Metrics {
  uint64_t events = 0, bytes = 0, reconnects = 0, acks = 0, fsyncs = 0, transactions = 0;
  uint32_t last_event_timestamp = 0;
  // A heartbeat came after the last event: the server has nothing newer, the archive is not behind.
  bool caught_up = false;
  double last_fsync_unix = 0;
  double last_ack_latency_seconds = 0;
  bool connected = false;
  LatencyHistogram fsync_latency;  // each archive sync() (fdatasync)
  LatencyHistogram ack_latency;    // first event an ACK covers received -> ACK sent
  // lag_seconds() sampled at most once a second (sample_lag), over the two windows of the lag alert rules.
  SlidingWindow lag_1m{std::chrono::seconds(60)};
  SlidingWindow lag_5m{std::chrono::seconds(300)};
  Clock::time_point next_lag_sample{};
};

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Seconds the archive is behind the server, worked out when the metrics are written (not per event).
double lag_seconds(const Metrics& m) {
  if (m.caught_up || m.last_event_timestamp == 0) return 0;
  return std::max(0.0, unix_now() - m.last_event_timestamp);
}

// Called where the loop has just read the clock (`now`), so the events in between cost nothing. Before the
// first event and the first heartbeat the lag is unknown (lag_seconds() says 0): no sample.
void sample_lag(Metrics& m, Clock::time_point now) {
  if (now < m.next_lag_sample || (m.last_event_timestamp == 0 && !m.caught_up)) return;
  const double lag = lag_seconds(m);
  m.lag_1m.record(now, lag);
  m.lag_5m.record(now, lag);
  m.next_lag_sample = now + std::chrono::seconds(1);
}

// A Prometheus summary's samples: `{source="..."}` (labels) becomes `{source="...",quantile="0.5"}`.
void quantile_samples(PrometheusTextfile& out, std::string_view name, std::string_view labels,
                      const LatencyHistogram& histogram) {
  const std::string_view open = labels.substr(0, labels.size() - 1);
  out.sample(name, fmt::format("{},quantile=\"0.5\"}}", open), histogram.quantile_seconds(0.5));
  out.sample(name, fmt::format("{},quantile=\"0.99\"}}", open), histogram.quantile_seconds(0.99));
}

Status write_metrics(const std::string& path, const std::string& source, const Metrics& m) {
  if (path.empty()) return ok_status();
  const std::string labels = prometheus_label("source", source);
  PrometheusTextfile out;
  out.metric("mzl_binlog_tail_up", "gauge", "1 while connected to the server", labels, m.connected ? 1 : 0);
  out.metric("mzl_binlog_tail_last_event_timestamp_seconds", "gauge", "Timestamp of the last archived event",
             labels, m.last_event_timestamp);
  out.metric("mzl_binlog_tail_lag_seconds", "gauge", "Seconds the archive is behind the server", labels,
             lag_seconds(m));
  const auto now = Clock::now();
  out.metric("mzl_binlog_tail_lag_avg_1m_seconds", "gauge",
             "Average of the lag, sampled once a second, over the last minute", labels,
             m.lag_1m.average(now));
  out.metric("mzl_binlog_tail_lag_p99_5m_seconds", "gauge",
             "99th percentile of the lag, sampled once a second, over the last 5 minutes", labels,
             m.lag_5m.quantile(now, 0.99));
  out.metric("mzl_binlog_tail_events_total", "counter", "Events archived", labels, m.events);
  out.metric("mzl_binlog_tail_bytes_total", "counter", "Bytes archived", labels, m.bytes);
  out.metric("mzl_binlog_tail_transactions_total", "counter", "Transactions archived (ended)", labels,
             m.transactions);
  out.metric("mzl_binlog_tail_reconnects_total", "counter", "Reconnections to the server", labels,
             m.reconnects);
  out.metric("mzl_binlog_tail_fsyncs_total", "counter", "fsync calls on the archive", labels, m.fsyncs);
  out.metric("mzl_binlog_tail_last_fsync_timestamp_seconds", "gauge", "Unix time of the last fsync", labels,
             m.last_fsync_unix);
  out.family("mzl_binlog_tail_fsync_seconds", "summary", "Duration of the archive's fsyncs since the start");
  quantile_samples(out, "mzl_binlog_tail_fsync_seconds", labels, m.fsync_latency);
  out.metric("mzl_binlog_tail_semisync_acks_total", "counter", "Semi-sync ACKs sent", labels, m.acks);
  out.metric("mzl_binlog_tail_semisync_ack_latency_seconds", "gauge",
             "Time from receiving the last acknowledged event to its ACK", labels,
             m.last_ack_latency_seconds);
  out.family("mzl_binlog_tail_ack_seconds", "summary",
             "Time from receiving the first event a semi-sync ACK covers to the ACK, since the start");
  quantile_samples(out, "mzl_binlog_tail_ack_seconds", labels, m.ack_latency);
  return out.write(path);
}

Result<ServerIdentity> query_identity(net::ServerConnection& connection) {
  ServerIdentity id;
  MZL_TRY(auto server_id, connection.scalar("SELECT @@global.server_id"));
  auto parsed_id = parse_uint(server_id.value_or("0"), "@@global.server_id", UINT32_MAX);
  if (!parsed_id.ok()) return std::move(parsed_id).error().at_r(connection.server_name());
  id.server_id = static_cast<uint32_t>(*parsed_id);
  id.flavour = connection.is_mariadb() ? "mariadb" : "mysql";
  if (!connection.is_mariadb()) {
    MZL_TRY(auto uuid, connection.scalar("SELECT @@global.server_uuid"));
    id.server_uuid = uuid.value_or("");
  }
  return id;
}

// Test hook, off unless the environment sets MZL_TEST_STALL_BEFORE_FSYNC_MS (not documented for users, never
// set by mzl): every fsync that a semi-sync ACK waits for is delayed by that many milliseconds, so that
// tests/integration/binlog_tail_ack_order_test.cc can SIGKILL the archiver while a transaction it has
// received is not yet durable and check that the primary got no ACK for it (DESIGN.md: the ACK only after
// the fsync). Read once per process.
std::chrono::milliseconds test_stall_before_fsync() {
  static const std::chrono::milliseconds stall = [] {
    const char* text = std::getenv("MZL_TEST_STALL_BEFORE_FSYNC_MS");
    if (text == nullptr) return std::chrono::milliseconds(0);
    auto ms = parse_uint(text, "MZL_TEST_STALL_BEFORE_FSYNC_MS", 3'600'000);
    return std::chrono::milliseconds(ms.ok() ? *ms : 0);
  }();
  return stall;
}

void stall_before_fsync_for_test() {
  const auto stall = test_stall_before_fsync();
  if (stall.count() == 0) return;
  std::fprintf(stderr,
               "mzl-binlog-tail: test hook MZL_TEST_STALL_BEFORE_FSYNC_MS: holding a semi-sync transaction "
               "%lld ms before its fsync\n",
               static_cast<long long>(stall.count()));
  std::fflush(stderr);
  for (auto waited = std::chrono::milliseconds(0); waited < stall && !stop_requested();
       waited += std::chrono::milliseconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Where the events go: the archive, the output, or both (one of archive and placement is set).
struct TailSinks {
  BinlogArchive* archive = nullptr;
  net::StreamPlacement* placement = nullptr;  // without an archive: places the events for the output
  TailOutput* output = nullptr;
};

// The failover follower of a run and the source it archives (tail_follow.h); none without a repository.
struct TailFollowing {
  FailoverFollower* follower = nullptr;
  std::string archived_source;
};

// One connected stretch: streams until the dump ends, a stop is requested, the connection fails, or a
// failover record replaces the server (replaced()).
class TailRun {
 public:
  TailRun(const TailOptions& options, TailSinks sinks, Metrics& metrics, const std::string& source,
          TailFollowing following)
      : options_(options),
        sinks_(sinks),
        metrics_(metrics),
        source_(source),
        following_(std::move(following)) {}

  // stream() ended because a failover record replaced the server: no ACK went to it after the record was
  // seen, and the caller goes on with the new primary.
  bool replaced() const { return replaced_; }

  // Returns true when the run should end for good (dump complete or stop requested).
  Result<bool> stream(net::ReplicaStream& stream) {
    now_ = Clock::now();
    auto last_metrics = now_;
    auto last_sync = now_;
    auto last_checkpoint = now_;
    while (true) {
      if (stop_requested()) {
        MZL_CHECK(make_durable());
        MZL_CHECK(release_output());
        return true;
      }
      // Group commit: while more events are already waiting (received, not merely expected), read them before
      // paying for an fsync; one fsync and one ACK of the last position then cover every transaction of the
      // primary's commit group. A transaction the primary waits for (semi-sync) waits for at most
      // kMaxEventsBeforeAck more events; what arrives during the fsync forms the next group.
      const bool ack_waiting = pending_ack_.waiting;
      const bool ack_overdue = ack_waiting && events_since_ack_ >= kMaxEventsBeforeAck;
      const bool sync_due =
          ack_waiting || (unsynced_boundary_ && (options_.fsync_interval.count() == 0 ||
                                                 now_ - last_sync >= options_.fsync_interval));
      const bool output_full = sinks_.output && sinks_.output->held_bytes() >= kMaxHeldOutput;
      // Nothing buffered and no sync due: wait for the server (heartbeats come every heartbeat period). A
      // failover record is looked for after each wait: at least every 100 ms when following.
      MZL_TRY(bool readable, stream.wait_readable(std::chrono::milliseconds(0)));
      const bool drained = !readable;
      if (!readable && !sync_due) {
        MZL_TRY(readable, stream.wait_readable(std::chrono::milliseconds(following_.follower ? 100 : 500)));
      }
      // The clock is read once per batch, not per event: when nothing more was buffered, and every
      // kEventsPerClockRead events of a long batch. The deadlines it serves are milliseconds to seconds; an
      // ACK the primary waits for does not depend on it (ack_waiting makes the sync due).
      const bool batch_end = drained || ++events_since_clock_ >= kEventsPerClockRead;
      if (sync_due && (ack_overdue || !readable || output_full)) {
        MZL_CHECK(make_durable());  // reads the clock after the fsync
        // Fencing by withholding ACKs: once a record names this server as the old primary, not one more.
        // Looked for after the fsync, right before the ACK, so that a record written meanwhile counts.
        MZL_TRY(bool replaced, check_replaced(pending_ack_.waiting));
        if (replaced) return true;
        MZL_CHECK(send_ack(stream));
        MZL_CHECK(release_output());
        last_sync = now_;
      } else if (batch_end) {
        now_ = Clock::now();
      }
      if (batch_end) {
        events_since_clock_ = 0;
        sample_lag(metrics_, now_);
        MZL_TRY(bool replaced, check_replaced(false));
        if (replaced) return true;
        if (sinks_.archive && now_ - last_checkpoint >= std::chrono::seconds(5)) {
          MZL_CHECK(sinks_.archive->checkpoint());
          last_checkpoint = now_;
        }
        if (!options_.metrics_file.empty() && now_ - last_metrics >= options_.metrics_interval) {
          MZL_CHECK(write_metrics(options_.metrics_file, source_, metrics_));
          last_metrics = now_;
        }
      }
      if (!readable) continue;
      MZL_TRY(auto next, stream.next());
      if (!next) {  // the server sent everything it has (non-blocking dump), or is shutting down
        metrics_.caught_up = true;
        MZL_CHECK(make_durable());
        MZL_TRY(bool replaced, check_replaced(pending_ack_.waiting));
        if (replaced) return true;
        MZL_CHECK(send_ack(stream));
        MZL_CHECK(release_output());
        if (options_.stop_never) {
          return Error(ErrorCode::kNetwork, "the server ended the binlog stream (shutting down?)");
        }
        return true;
      }
      const net::StreamEvent& event = *next;
      if (event.heartbeat) {
        metrics_.caught_up = true;
        continue;
      }
      MZL_CHECK(sinks_.archive ? archive(event) : stream_only(event));
      if (pending_ack_.waiting) ++events_since_ack_;
      if (event.need_ack) {
        const auto received = Clock::now();
        if (!pending_ack_.waiting) {
          events_since_ack_ = 0;
          pending_ack_.first_received = received;
        }
        pending_ack_.waiting = true;
        pending_ack_.file = stream.current_file();  // reuses the string's memory
        pending_ack_.position = stream.current_position();
        pending_ack_.received = received;
        awaited_since_sync_ = true;
      }
    }
  }

  Status make_durable() {
    if (!unsynced_boundary_ && !pending_ack_.waiting) return ok_status();
    if (awaited_since_sync_) stall_before_fsync_for_test();
    if (sinks_.archive) {
      const auto started = Clock::now();
      MZL_TRY(auto durable, sinks_.archive->sync());
      if (options_.on_durable) options_.on_durable(durable.resume);
      now_ = Clock::now();
      metrics_.fsync_latency.record(now_ - started);
      ++metrics_.fsyncs;
      metrics_.last_fsync_unix = unix_now();
    } else {
      now_ = Clock::now();
    }
    unsynced_boundary_ = false;
    awaited_since_sync_ = false;
    return ok_status();
  }

  // Passes on to the output what make_durable() made durable (after the ACK: a slow pipeline must not hold
  // up the primary's commits).
  Status release_output() { return sinks_.output ? sinks_.output->release() : ok_status(); }

  // Called only right after make_durable(): the acknowledged transaction is on stable storage.
  Status send_ack(net::ReplicaStream& stream) {
    if (!pending_ack_.waiting) return ok_status();
    MZL_CHECK(stream.ack(pending_ack_.file, pending_ack_.position));
    now_ = Clock::now();
    ++metrics_.acks;
    metrics_.last_ack_latency_seconds = std::chrono::duration<double>(now_ - pending_ack_.received).count();
    metrics_.ack_latency.record(now_ - pending_ack_.first_received);
    pending_ack_.waiting = false;
    return ok_status();
  }

 private:
  // Never blocks (failover_watch.h); reads the records only when REPO/failovers/ changed. `before_ack`: an
  // ACK follows if not, so nothing may be put off to a later call.
  Result<bool> check_replaced(bool before_ack) {
    if (!following_.follower) return false;
    MZL_TRY(bool replaced, following_.follower->replaced(following_.archived_source, before_ack));
    if (replaced) replaced_ = true;
    return replaced;
  }

  Status archive(const net::StreamEvent& event) {
    MZL_TRY(auto appended, sinks_.archive->append_event(event));
    if (appended != BinlogArchive::Appended::kSkipped) count(event);
    if (sinks_.output) {
      if (event.is(codec::EventType::kFormatDescription)) {
        // Each file's FORMAT_DESCRIPTION goes first, also when the archive has it already (a resumed file).
        if (sinks_.output->last_file() != event.file) {
          MZL_TRY(codec::ClosedFileFormatDescription closed,
                  codec::closed_file_format_description(event.data));
          sinks_.output->add(event.file, codec::kBinlogMagicSize, closed.event,
                             appended == BinlogArchive::Appended::kSkipped);
        }
      } else if (appended != BinlogArchive::Appended::kSkipped) {
        sinks_.output->add(event.file, event.position, event.data);
      }
    }
    const uint64_t boundary = sinks_.archive->boundary_sequence();
    if (boundary != last_boundary_) {
      last_boundary_ = boundary;
      metrics_.transactions = sinks_.archive->transactions_ended();
      unsynced_boundary_ = true;
      if (sinks_.output) sinks_.output->mark_boundary();
    }
    return ok_status();
  }

  Status stream_only(const net::StreamEvent& event) {
    MZL_TRY(auto placed, sinks_.placement->place(event));
    if (!placed) return ok_status();
    count(event);
    MZL_CHECK(sinks_.output->add_tracked(placed->file, placed->offset, placed->event));
    unsynced_boundary_ = true;
    return ok_status();
  }

  void count(const net::StreamEvent& event) {
    ++metrics_.events;
    metrics_.bytes += event.data.size();
    if (event.header.timestamp != 0) {
      metrics_.last_event_timestamp = event.header.timestamp;
      metrics_.caught_up = false;
    }
  }

  // The ACK the primary waits for (`waiting`); the fields keep their memory from one transaction to the next.
  struct PendingAck {
    bool waiting = false;
    std::string file;
    uint64_t position = 0;
    Clock::time_point received;        // the last event the ACK covers
    Clock::time_point first_received;  // the first one (the transaction that waited longest)
  };
  const TailOptions& options_;
  TailSinks sinks_;
  Metrics& metrics_;
  const std::string& source_;
  TailFollowing following_;
  bool replaced_ = false;
  // BinlogArchive::boundary_sequence() when last seen: a new value is a new resume point to make durable.
  uint64_t last_boundary_ = UINT64_MAX;
  bool unsynced_boundary_ = false;
  Clock::time_point now_;  // the clock as last read (once per batch, see stream())
  size_t events_since_clock_ = 0;
  static constexpr size_t kEventsPerClockRead = 64;
  PendingAck pending_ack_;
  // A transaction the primary waits for arrived since the last make_durable(), whether or not its ACK is
  // still pending: the test hook holds exactly these before their fsync.
  bool awaited_since_sync_ = false;
  // Events read since the oldest unacknowledged transaction the primary waits for arrived.
  size_t events_since_ack_ = 0;
  static constexpr size_t kMaxEventsBeforeAck = 256;
};

bool retryable(const Error& error) {
  return error.code == ErrorCode::kNetwork;
}

}  // namespace

Result<TailStats> run_tail(const TailOptions& options) {
  if (options.server_id == 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "--server-id is required: an id no real server of the topology has");
  }
  const bool archiving = !options.repo.empty();
  if (!archiving && options.output == nullptr) {
    return Error(ErrorCode::kInvalidArgument,
                 "nowhere to put the events: give --repo DIR, --output, or both");
  }
  if (!archiving && options.semi_sync) {
    return Error(ErrorCode::kInvalidArgument,
                 "--semi-sync needs --repo: an ACK promises that the transaction is durable in the archive");
  }
  const std::string source =
      options.source.empty()
          ? default_source_name(options.connection.host == "localhost" ? "" : options.connection.host,
                                options.connection.host == "localhost" ? 0 : options.connection.port)
          : options.source;
  MZL_CHECK(validate_source_name(source));
  Metrics metrics;
  std::unique_ptr<BinlogArchive> archive;
  net::StreamPlacement placement;
  std::optional<TailOutput> output;
  std::unique_ptr<schema::SchemaTracker> schema_tracker;
  ChangeStreamOptions change_stream;
  if (!options.after_gtid.empty()) {
    if (options.output == nullptr) {
      return Error(ErrorCode::kInvalidArgument, "--after-gtid selects what --output writes: give --output");
    }
    // The flavour is known once connected; both readings are tried (a MySQL set has a ':').
    const bool mysql_set = options.after_gtid.find(':') != std::string::npos;
    auto point = schema::GtidPoint::parse(mysql_set ? "mysql" : "mariadb", options.after_gtid);
    if (!point.ok()) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("--after-gtid {}: {}", options.after_gtid, point.error().message));
    }
    change_stream.after_gtid = std::move(*point);
  }
  // With a repository the archive follows failovers (tail_follow.h): the server and source are resolved from
  // the records at every connection attempt, and watched while streaming with --stop-never.
  std::optional<FailoverFollower> follower;
  if (archiving) {
    MZL_TRY(follower, FailoverFollower::open(options.repo, source, options.connection, options.stop_never));
  }
  std::string announced_source = source;
  bool started = false;  // connected once (a first connection that fails ends a run without stop_never)
  unsigned failures = 0;
  auto backoff = std::chrono::seconds(1);
  while (!stop_requested()) {
    // One connection: true when the run is over (dump complete or stop requested).
    Result<bool> attempt = [&]() -> Result<bool> {
      ArchiveTarget target{source, options.connection, std::nullopt};
      if (follower) {
        MZL_TRY(target, follower->resolve());
        if (archive && archive->state().source != target.source) {
          // The old primary's archive ends as it stands: durable, its tail made whole at the next open.
          MZL_CHECK(archive->checkpoint());
          archive.reset();
        }
        if (target.source != announced_source) {
          const FailoverHop& hop = *target.hop;
          std::fprintf(stderr,
                       "mzl-binlog-tail: failover record %s: %s (server_id %u) was replaced by %s "
                       "(server_id %u); archiving the new primary into source %s\n",
                       hop.record.id.c_str(), hop.record.old_primary.address.c_str(),
                       hop.record.old_primary.server_id, hop.record.new_primary.address.c_str(),
                       hop.record.new_primary.server_id, target.source.c_str());
          announced_source = target.source;
        }
      }
      net::ConnectionOptions connection_options = target.connection;
      if (connection_options.read_timeout.count() == 0) {
        // A server that went silent (no event, no heartbeat) is noticed after a few heartbeat periods.
        connection_options.read_timeout =
            std::max(std::chrono::seconds(10),
                     std::chrono::duration_cast<std::chrono::seconds>(options.heartbeat_period * 5));
      }
      MZL_TRY(auto connection, net::ServerConnection::connect(connection_options));
      MZL_TRY(ServerIdentity identity, query_identity(connection));
      started = true;
      ResumePoint resume{placement.file(), placement.position(), ""};
      if (archiving && !archive) {
        BinlogArchiveOptions archive_options;
        archive_options.repo = options.repo;
        archive_options.source = target.source;
        std::error_code ec;
        if (target.hop &&
            !std::filesystem::exists(repo::archive_state_path(options.repo, target.source), ec)) {
          MZL_TRY(archive_options.follows, follower->link_for(target));
        }
        archive_options.server = identity;
        archive_options.allow_new_source = options.allow_new_source;
        archive_options.compress_closed_files = options.compress_closed_files;
        MZL_TRY(archive, BinlogArchive::open(archive_options));
      } else if (archive) {
        MZL_CHECK(archive->discard_partial_transaction());
      }
      if (archive) resume = archive->resume_point();
      if (archive && options.on_durable) options.on_durable(resume);
      if (options.output && !output) {
        MZL_CHECK(open_change_stream(options, connection_options,
                                     archive ? repo::source_dir(options.repo, target.source) : std::string(),
                                     archive ? resume.gtid_position : std::string(), change_stream,
                                     schema_tracker, output));
      }
      net::ReplicaStreamOptions stream_options;
      stream_options.server_id = options.server_id;
      stream_options.start_file = resume.file.empty() ? options.start_file : resume.file;
      stream_options.start_position = resume.file.empty() ? options.start_position : resume.position;
      if (!archive && resume.file.empty() && !options.after_gtid.empty()) {
        stream_options.start_gtid = options.after_gtid;  // the server sends what follows it
      }
      if (resume.file.empty() && target.hop) {
        // An empty successor: from the new primary's file that holds what follows the predecessor's last
        // transaction, whole (without a predecessor position: from the server's oldest file).
        const std::optional<SourceLink>& link = archive->state().follows;
        stream_options.start_file.clear();
        stream_options.start_position = 4;
        if (link && !link->from_gtid_position.empty()) {
          MZL_TRY(stream_options.start_file,
                  binlog_file_after(connection_options, options.server_id, link->from_gtid_position));
        }
      }
      stream_options.heartbeat_period = options.heartbeat_period;
      stream_options.semi_sync = options.semi_sync;
      stream_options.verify_checksums = options.verify_checksums;
      stream_options.non_blocking = !options.stop_never;
      placement.start_dump(!stream_options.start_gtid.empty());
      MZL_TRY(auto stream, net::ReplicaStream::start(std::move(connection), stream_options));
      metrics.connected = true;
      failures = 0;
      backoff = std::chrono::seconds(1);
      TailRun run(options, TailSinks{archive.get(), &placement, output ? &*output : nullptr}, metrics, source,
                  TailFollowing{follower ? &*follower : nullptr, target.source});
      auto done = run.stream(stream);
      metrics.connected = false;
      // Whatever ended the run, what was appended becomes durable (the partial transaction at the tail is
      // cut at the next open or reconnect).
      Status durable = run.make_durable();
      if (durable.ok()) durable = run.release_output();
      if (!done.ok()) return std::move(done).error();
      MZL_CHECK(durable);
      if (run.replaced()) return false;  // the next attempt resolves the new primary and connects to it
      return *done;
    }();
    if (attempt.ok() && *attempt) break;
    if (attempt.ok()) continue;
    const Error& error = attempt.error();
    if (!retryable(error) || (!options.stop_never && !started) ||
        (options.max_reconnect_attempts != 0 && failures + 1 >= options.max_reconnect_attempts)) {
      if (archive) (void)archive->checkpoint();
      (void)write_metrics(options.metrics_file, source, metrics);
      return error;
    }
    ++failures;
    ++metrics.reconnects;
    std::fprintf(stderr, "mzl-binlog-tail: %s; reconnecting in %llds\n", error.to_string().c_str(),
                 static_cast<long long>(backoff.count()));
    (void)write_metrics(options.metrics_file, source, metrics);
    for (auto waited = std::chrono::milliseconds(0); waited < backoff && !stop_requested();
         waited += std::chrono::milliseconds(100)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      sample_lag(metrics, Clock::now());
    }
    backoff = std::min(backoff * 2, options.max_backoff);
  }
  TailStats stats;
  if (archive) {
    MZL_CHECK(archive->checkpoint());
    const ResumePoint resume = archive->resume_point();
    stats.last_file = resume.file;
    stats.last_position = resume.position;
    stats.last_gtid_position = resume.gtid_position;
  } else {
    stats.last_file = placement.file();
    stats.last_position = placement.position();
  }
  stats.events = metrics.events;
  stats.bytes = metrics.bytes;
  stats.reconnects = metrics.reconnects;
  stats.acks = metrics.acks;
  stats.fsyncs = metrics.fsyncs;
  stats.transactions = metrics.transactions;
  stats.fsync_latency = metrics.fsync_latency;
  stats.ack_latency = metrics.ack_latency;
  MZL_CHECK(write_metrics(options.metrics_file, source, metrics));
  return stats;
}

}  // namespace mzl::archive
