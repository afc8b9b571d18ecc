#include "mzl/failover/held_transactions.h"

namespace mzl::failover {

using topology::Flavour;

HeldTransactions HeldTransactions::of_server(const topology::ServerState& state) {
  HeldTransactions held(state.flavour);
  if (state.flavour == Flavour::kMariaDb) {
    held.maria_ = state.gtid_binlog_pos;
    held.maria_.merge(state.gtid_slave_pos);
  } else {
    held.mysql_ = state.gtid_executed;
  }
  return held;
}

Result<HeldTransactions> HeldTransactions::parse(Flavour flavour, std::string_view text) {
  HeldTransactions held(flavour);
  if (flavour == Flavour::kMariaDb) {
    MZL_TRY(held.maria_, gtid::MariaGtidPosition::parse(text));
  } else {
    MZL_TRY(held.mysql_, gtid::MysqlGtidSet::parse(text));
  }
  return held;
}

bool HeldTransactions::holds(std::string_view text) const {
  if (flavour_ == Flavour::kMariaDb) {
    auto gtid = gtid::MariaGtid::parse(text);
    return gtid.ok() && maria_.contains(*gtid);
  }
  auto gtid = gtid::MysqlGtid::parse(text);
  return gtid.ok() && mysql_.contains(*gtid);
}

bool HeldTransactions::holds(const HeldTransactions& other) const {
  return flavour_ == Flavour::kMariaDb ? maria_.contains(other.maria_) : mysql_.contains(other.mysql_);
}

void HeldTransactions::add(std::string_view text) {
  if (flavour_ == Flavour::kMariaDb) {
    if (auto gtid = gtid::MariaGtid::parse(text); gtid.ok()) {
      gtid::MariaGtidPosition one;
      one.set(*gtid);
      maria_.merge(one);
    }
  } else if (auto gtid = gtid::MysqlGtid::parse(text); gtid.ok()) {
    (void)mysql_.add(*gtid);
  }
}

void HeldTransactions::add(const HeldTransactions& other) {
  if (flavour_ == Flavour::kMariaDb) {
    maria_.merge(other.maria_);
  } else {
    mysql_.add(other.mysql_);
  }
}

bool HeldTransactions::empty() const {
  return flavour_ == Flavour::kMariaDb ? maria_.empty() : mysql_.empty();
}

std::string HeldTransactions::to_string() const {
  return flavour_ == Flavour::kMariaDb ? maria_.to_string() : mysql_.to_string(",");
}

}  // namespace mzl::failover
