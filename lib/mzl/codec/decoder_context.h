#pragma once
// What decoding an event depends on besides its own bytes: the FORMAT_DESCRIPTION in force and the TABLE_MAP
// events seen so far (rows events name their table by id). One context per binlog stream or file.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "mzl/codec/format_description.h"
#include "mzl/codec/table_map_event.h"

namespace mzl::codec {

class DecoderContext {
 public:
  // `source` names the file or server in errors. Until a FORMAT_DESCRIPTION is seen, `fd` is in force.
  explicit DecoderContext(std::string source = {},
                          FormatDescription fd = default_format_description(Flavour::kMySQL,
                                                                            ChecksumAlg::kUndefined));

  const std::string& source() const { return source_; }
  const FormatDescription& format() const { return fd_; }

  // A new FORMAT_DESCRIPTION replaces the current one and forgets every table map: table ids are only
  // meaningful within the server session that wrote them (a relay log switches servers at each FD).
  void set_format(FormatDescription fd);

  // Remembers a TABLE_MAP, replacing an earlier one with the same table id.
  void remember_table_map(const TableMapEvent& table_map);
  // Remembers a TABLE_MAP together with the body bytes it was decoded from, so that the next TABLE_MAP with
  // the very same bytes (the same table in the next transaction) is not decoded again.
  void remember_table_map(const TableMapEvent& table_map, Bytes body);
  // The remembered TABLE_MAP decoded from exactly these body bytes, or null. The map is shared, never
  // changed: a later TABLE_MAP of the same id replaces the pointer, so a holder keeps the map it was given.
  std::shared_ptr<const TableMapEvent> identical_table_map(Bytes body) const;
  // The TABLE_MAP for `table_id`, or nullptr when none has been seen since the last FORMAT_DESCRIPTION.
  const TableMapEvent* table_map(uint64_t table_id) const;
  // The same, shared: two calls give the same pointer until a TABLE_MAP of that id with other bytes (or a
  // FORMAT_DESCRIPTION) replaces it, so callers can cache what they derive from a map by its address.
  const std::shared_ptr<const TableMapEvent>& shared_table_map(uint64_t table_id) const;
  size_t table_map_count() const { return table_maps_.size(); }
  void clear_table_maps() {
    table_maps_.clear();
    table_map_bodies_.clear();
  }

  // Set by a MariaDB START_ENCRYPTION event: later events are encrypted and cannot be decoded.
  bool encrypted() const { return encrypted_; }
  void set_encrypted(bool encrypted) { encrypted_ = encrypted; }

 private:
  std::string source_;
  FormatDescription fd_;
  std::unordered_map<uint64_t, std::shared_ptr<const TableMapEvent>> table_maps_;
  std::unordered_map<uint64_t, std::vector<uint8_t>> table_map_bodies_;  // as decoded, when known
  bool encrypted_ = false;
};

}  // namespace mzl::codec
