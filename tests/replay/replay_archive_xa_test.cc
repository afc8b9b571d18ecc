// replay_archive() hands each event to its EventApplier with the transaction boundaries the archive reader's
// TransactionTracker computed: an XA transaction (hand_built_binlog.h) ends at its XA_PREPARE, so an archive
// that ends there holds no open transaction, and XA COMMIT is a transaction of its own that a stop point can
// name. The serial translator still refuses to replay XA, naming the file and offset.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "hand_built_binlog.h"
#include "mzl/codec/event_type.h"
#include "mzl/replay/replay_archive.h"

namespace mzl::test {
namespace {

using replay::ReplayOptions;
using replay::ReplayStop;

// Records what it is given; in a transaction from an event that starts one to the event that ends it.
class RecordingApplier : public replay::EventApplier {
 public:
  struct Seen {
    uint64_t offset = 0;
    uint8_t type = 0;
    bool starts = false, ends = false;
    std::string gtid;
  };
  Status add(const archive::ArchiveEvent& event) override {
    seen.push_back(Seen{event.raw.offset, event.raw.header.type_code, event.starts_transaction,
                        event.ends_transaction, event.gtid});
    if (event.starts_transaction) open_ = true;
    if (event.ends_transaction) open_ = false;
    return ok_status();
  }
  bool in_transaction() const override { return open_; }
  Status finish() override {
    finished = true;
    return ok_status();
  }
  std::vector<Seen> seen;
  bool finished = false;

 private:
  bool open_ = false;
};

class RecordingSink : public replay::StatementSink {
 public:
  Status statement(std::string_view sql, const replay::EventPlace&) override {
    statements.emplace_back(sql);
    return ok_status();
  }
  Status flush() override { return ok_status(); }
  std::vector<std::string> statements;
};

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("mzl-replay-xa-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// Transaction 0-1-1, then XA transaction 0-1-2 up to its XA_PREPARE.
struct XaBinlog {
  HandBuiltBinlog binlog;
  uint64_t xa_gtid = 0, prepare = 0;
  XaBinlog() {
    binlog.transaction(1);
    xa_gtid = binlog.gtid(2, codec::kMariaFlPreparedXa);
    binlog.query("XA START X'78',X'',1");
    binlog.query("INSERT INTO t VALUES (2)");
    binlog.query("XA END X'78',X'',1");
    prepare = binlog.xa_prepare();
  }
};

ReplayOptions options_for(const TempDir& dir) {
  ReplayOptions options;
  options.archive_dir = dir.path.string();
  options.start_file = "mariadb-bin.000001";
  return options;
}

}  // namespace

TEST_CASE("replay: an archive that ends at XA_PREPARE holds no open transaction for the applier") {
  TempDir dir;
  XaBinlog xa;
  xa.binlog.write(dir.path / "mariadb-bin.000001");
  RecordingApplier applier;
  auto stats = replay::replay_archive(options_for(dir), applier);
  REQUIRE(stats.ok());
  CHECK(stats->transactions == 2);
  CHECK(stats->last_gtid == "0-1-2");
  CHECK_FALSE(stats->rolled_back);
  CHECK(applier.finished);
  REQUIRE_FALSE(applier.seen.empty());
  const auto& last = applier.seen.back();
  CHECK(last.offset == xa.prepare);
  CHECK(last.type == codec::code(codec::EventType::kXaPrepare));
  CHECK(last.ends);
  CHECK(last.gtid == "0-1-2");
  CHECK(stats->end_position == xa.binlog.size());
}

TEST_CASE("replay: XA COMMIT starts a transaction of its own, where a stop GTID can end the replay") {
  TempDir dir;
  XaBinlog xa;
  const uint64_t commit_gtid = xa.binlog.gtid(3, codec::kMariaFlCompletedXa);
  xa.binlog.query("XA COMMIT X'78',X'',1");
  xa.binlog.transaction(4);
  xa.binlog.write(dir.path / "mariadb-bin.000001");
  RecordingApplier applier;
  ReplayOptions options = options_for(dir);
  options.stop.kind = ReplayStop::Kind::kGtid;
  options.stop.gtid = "0-1-3";
  options.stop.before_gtid = true;
  auto stats = replay::replay_archive(options, applier);
  REQUIRE(stats.ok());
  CHECK(stats->stop_reached);
  CHECK(stats->transactions == 2);
  CHECK(stats->end_position == commit_gtid);
  CHECK_FALSE(stats->rolled_back);
  CHECK(applier.seen.back().offset == xa.prepare);
}

TEST_CASE("replay: the serial translator refuses an XA transaction, naming its GTID event") {
  TempDir dir;
  XaBinlog xa;
  xa.binlog.write(dir.path / "mariadb-bin.000001");
  RecordingSink sink;
  auto stats = replay::replay_archive(options_for(dir), sink);
  REQUIRE_FALSE(stats.ok());
  CHECK(stats.error().code == ErrorCode::kUnsupported);
  CHECK(stats.error().where == "mariadb-bin.000001");
  CHECK(stats.error().offset == xa.xa_gtid);
}

}  // namespace mzl::test
