#include "mzl/verify/gtid_continuity.h"

#include <fmt/format.h>

#include "mzl/codec/event_type.h"
#include "mzl/codec/gtid_events.h"
#include "mzl/codec/gtid_from_events.h"

namespace mzl::verify {
namespace {

using codec::EventType;

std::string maria_hole(const gtid::MariaGtid& before, const gtid::MariaGtid& after) {
  const uint64_t first = before.seq_no + 1;
  const uint64_t last = after.seq_no - 1;
  const std::string range =
      first == last ? fmt::format("seq_no {}", first) : fmt::format("seq_no {}-{}", first, last);
  return fmt::format(
      "GTID hole: domain {} {} ({} transaction{}) is missing between {} and {}; a point-in-time restore "
      "cannot "
      "pass this point (fetch the missing binlog range from the server or another archive copy)",
      after.domain_id, range, last - first + 1, last == first ? "" : "s", before.to_string(),
      after.to_string());
}

std::string mysql_hole(const gtid::MysqlGtid& gtid, int64_t first) {
  const int64_t last = gtid.gno - 1;
  gtid::MysqlGtid missing{gtid.tsid, first};
  const std::string range =
      first == last ? missing.to_string() : fmt::format("{}-{}", missing.to_string(), last);
  return fmt::format(
      "GTID hole: {} ({} transaction{}) is missing before {}; a point-in-time restore cannot pass this point "
      "(fetch the missing binlog range from the server or another archive copy)",
      range, last - first + 1, last == first ? "" : "s", gtid.to_string());
}

}  // namespace

Status GtidContinuity::start(codec::Flavour flavour) {
  started_ = true;
  flavour_ = flavour;
  if (flavour == codec::Flavour::kMariaDB) {
    auto position = gtid::MariaGtidPosition::parse(start_text_);
    if (!position.ok()) {
      return Error{ErrorCode::kInvalidArgument,
                   fmt::format("start GTID '{}' is not a MariaDB GTID position: {}", start_text_,
                               position.error().message)};
    }
    maria_start_ = std::move(position).value();
    for (const auto& [domain, gtid] : maria_start_.gtids()) maria_.add(gtid);
  } else {
    auto set = gtid::MysqlGtidSet::parse(start_text_);
    if (!set.ok()) {
      return Error{ErrorCode::kInvalidArgument, fmt::format("start GTID '{}' is not a MySQL GTID set: {}",
                                                            start_text_, set.error().message)};
    }
    mysql_start_ = std::move(set).value();
    mysql_ = mysql_start_;
  }
  return {};
}

Result<std::optional<std::string>> GtidContinuity::add(const codec::RawEvent& event,
                                                       const codec::FormatDescription& fd) {
  if (event.header.type_code == code(EventType::kFormatDescription)) {
    if (!started_) MZL_CHECK(start(fd.flavour));
    return std::optional<std::string>();
  }
  if (!started_) return std::optional<std::string>();
  return flavour_ == codec::Flavour::kMariaDB ? add_maria(event, fd) : add_mysql(event, fd);
}

Result<std::optional<std::string>> GtidContinuity::add_maria(const codec::RawEvent& event,
                                                             const codec::FormatDescription& fd) {
  ByteReader body(event.body);
  if (event.header.type_code == code(EventType::kMariaGtidList)) {
    if (list_seen_) return std::optional<std::string>();
    list_seen_ = true;
    MZL_TRY(auto list, codec::decode_maria_gtid_list_event(body, fd));
    const gtid::MariaGtidPosition listed = codec::maria_position_from(list);
    for (const auto& [domain, gtid] : listed.gtids()) {
      if (!maria_start_.find(domain)) maria_.add(gtid);
    }
    return std::optional<std::string>();
  }
  if (event.header.type_code != code(EventType::kMariaGtid)) return std::optional<std::string>();
  MZL_TRY(auto decoded, codec::decode_maria_gtid_event(body, fd));
  const gtid::MariaGtid gtid = codec::maria_gtid_from(decoded, event.header.server_id);
  std::optional<std::string> hole;
  if (maria_.check(gtid) == gtid::MariaGtidState::Continuity::kGap) {
    hole = maria_hole(*maria_.position().find(gtid.domain_id), gtid);
  }
  maria_.add(gtid);
  return hole;
}

Result<std::optional<std::string>> GtidContinuity::add_mysql(const codec::RawEvent& event,
                                                             const codec::FormatDescription& fd) {
  const uint8_t type = event.header.type_code;
  ByteReader body(event.body);
  if (type == code(EventType::kPreviousGtids)) {
    if (list_seen_) return std::optional<std::string>();
    list_seen_ = true;
    MZL_TRY(auto previous, codec::decode_previous_gtids_event(body, fd));
    MZL_TRY(auto set, codec::mysql_gtid_set_from(previous));
    // A UUID the start set names continues from there: what the file's history holds beyond it is not in
    // the archive.
    for (const auto& [tsid, intervals] : set.intervals()) {
      if (mysql_start_.intervals().count(tsid)) continue;
      for (const auto& interval : intervals)
        MZL_CHECK(mysql_.add_interval(tsid, interval.start, interval.end));
    }
    return std::optional<std::string>();
  }
  if (type != code(EventType::kGtid) && type != code(EventType::kGtidTagged) &&
      type != code(EventType::kAnonymousGtid)) {
    return std::optional<std::string>();
  }
  MZL_TRY(auto decoded, codec::decode_mysql_gtid_event(type, body, fd));
  MZL_TRY(auto gtid, codec::mysql_gtid_from(decoded));
  if (!gtid) return std::optional<std::string>();
  const int64_t last = mysql_.last_gno(gtid->tsid);
  // A UUID first seen after a PREVIOUS_GTIDS (or a start set) starts at GNO 1; one already seen continues.
  const bool counted = last > 0 || list_seen_ || !start_text_.empty();
  std::optional<std::string> hole;
  if (counted && gtid->gno > last + 1 && !mysql_.contains(gtid->tsid, gtid->gno)) {
    hole = mysql_hole(*gtid, last + 1);
  }
  MZL_CHECK(mysql_.add(*gtid));
  return hole;
}

}  // namespace mzl::verify
