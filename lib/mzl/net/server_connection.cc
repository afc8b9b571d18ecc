#include "mzl/net/server_connection.h"

#include <errmsg.h>
#include <fmt/format.h>
#include <mysqld_error.h>

#include <memory>

namespace mzl::net {

ErrorCode error_code_for_mysql_errno(unsigned error_number) {
  switch (error_number) {
    case ER_ACCESS_DENIED_ERROR:
    case ER_ACCESS_DENIED_NO_PASSWORD_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
    case ER_SPECIFIC_ACCESS_DENIED_ERROR:
      return ErrorCode::kAuth;
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_UNKNOWN_HOST:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_SSL_CONNECTION_ERROR:
    case CR_SERVER_LOST_EXTENDED:
    case ER_CON_COUNT_ERROR:
      return ErrorCode::kNetwork;
    default:
      return ErrorCode::kServer;
  }
}

namespace {

void set_string_option(MYSQL* m, mysql_option option, const std::string& value) {
  if (!value.empty()) mysql_optionsv(m, option, value.c_str());
}

}  // namespace

Result<ServerConnection> ServerConnection::connect(const ConnectionOptions& o) {
  MYSQL* m = mysql_init(nullptr);
  if (m == nullptr) return Error(ErrorCode::kInternal, "mysql_init failed (out of memory)");
  ServerConnection connection(m, o.describe());

  const unsigned connect_timeout = static_cast<unsigned>(o.connect_timeout.count());
  mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  if (o.read_timeout.count() > 0) {
    const unsigned read_timeout = static_cast<unsigned>(o.read_timeout.count());
    mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
  }
  set_string_option(m, MYSQL_DEFAULT_AUTH, o.default_auth);
  if (o.local_infile) {
    const unsigned enable = 1;
    mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &enable);
  }
  set_string_option(m, MYSQL_PLUGIN_DIR, o.plugin_dir);
  if (o.ssl_mode != SslMode::kDisabled) {
    // libmariadb tries TLS when any TLS option is set; ENFORCE makes it required, VERIFY checks the
    // certificate chain and the host name (Connector/C 3.3 does not check the chain without the name).
    mysql_ssl_set(
        m, o.ssl_key.empty() ? nullptr : o.ssl_key.c_str(), o.ssl_cert.empty() ? nullptr : o.ssl_cert.c_str(),
        o.ssl_ca.empty() ? nullptr : o.ssl_ca.c_str(), o.ssl_capath.empty() ? nullptr : o.ssl_capath.c_str(),
        o.ssl_cipher.empty() ? nullptr : o.ssl_cipher.c_str());
    const my_bool enforce = o.ssl_mode != SslMode::kPreferred;
    mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &enforce);
    const my_bool verify = o.ssl_mode == SslMode::kVerifyCa || o.ssl_mode == SslMode::kVerifyIdentity;
    mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
  }
  const char* password = o.password ? o.password->c_str() : nullptr;
  const char* socket = o.socket.empty() ? nullptr : o.socket.c_str();
  if (mysql_real_connect(m, o.host.c_str(), o.user.empty() ? nullptr : o.user.c_str(), password, nullptr,
                         o.port, socket, 0) == nullptr) {
    Error e = connection.last_error("cannot connect");
    if (e.code == ErrorCode::kAuth) {
      e.message += " (check the user and password in the option file, --password-file or MYSQL_PWD)";
    } else if (e.code == ErrorCode::kNetwork) {
      e.message += " (is the server running, and are host/port/socket right?)";
    }
    return e;
  }
  return connection;
}

ServerConnection::ServerConnection(ServerConnection&& other) noexcept
    : mysql_(std::exchange(other.mysql_, nullptr)), name_(std::move(other.name_)) {}

ServerConnection& ServerConnection::operator=(ServerConnection&& other) noexcept {
  if (this != &other) {
    if (mysql_ != nullptr) mysql_close(mysql_);
    mysql_ = std::exchange(other.mysql_, nullptr);
    name_ = std::move(other.name_);
  }
  return *this;
}

ServerConnection::~ServerConnection() {
  if (mysql_ != nullptr) mysql_close(mysql_);
}

Error ServerConnection::last_error(const std::string& what) const {
  const unsigned number = mysql_errno(mysql_);
  Error e(error_code_for_mysql_errno(number),
          fmt::format("{}: {} (error {})", what, mysql_error(mysql_), number));
  e.at(name_);
  return e;
}

unsigned ServerConnection::last_error_number() const {
  return mysql_errno(mysql_);
}

Result<std::vector<SqlRow>> ServerConnection::query(const std::string& sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
    return last_error(fmt::format("query '{}'", sql));
  std::vector<SqlRow> rows;
  MYSQL_RES* result = mysql_store_result(mysql_);
  if (result == nullptr) {
    if (mysql_field_count(mysql_) != 0) return last_error(fmt::format("reading the result of '{}'", sql));
    return rows;
  }
  const unsigned columns = mysql_num_fields(result);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    const unsigned long* lengths = mysql_fetch_lengths(result);
    SqlRow out(columns);
    for (unsigned i = 0; i < columns; ++i) {
      if (row[i] != nullptr) out[i] = std::string(row[i], lengths[i]);
    }
    rows.push_back(std::move(out));
  }
  mysql_free_result(result);
  return rows;
}

Result<std::vector<NamedRow>> ServerConnection::query_named(const std::string& sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
    return last_error(fmt::format("query '{}'", sql));
  std::vector<NamedRow> rows;
  MYSQL_RES* result = mysql_store_result(mysql_);
  if (result == nullptr) {
    if (mysql_field_count(mysql_) != 0) return last_error(fmt::format("reading the result of '{}'", sql));
    return rows;
  }
  const unsigned columns = mysql_num_fields(result);
  const MYSQL_FIELD* fields = mysql_fetch_fields(result);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    const unsigned long* lengths = mysql_fetch_lengths(result);
    NamedRow out;
    for (unsigned i = 0; i < columns; ++i) {
      std::optional<std::string> value;
      if (row[i] != nullptr) value = std::string(row[i], lengths[i]);
      out.emplace(std::string(fields[i].name, fields[i].name_length), std::move(value));
    }
    rows.push_back(std::move(out));
  }
  mysql_free_result(result);
  return rows;
}

Status ServerConnection::execute(const std::string& sql) {
  MZL_TRY(auto rows, query(sql));
  (void)rows;
  return ok_status();
}

Result<std::optional<std::string>> ServerConnection::scalar(const std::string& sql) {
  MZL_TRY(auto rows, query(sql));
  if (rows.size() != 1 || rows[0].empty()) {
    return Error(ErrorCode::kServer, fmt::format("'{}' returned {} rows, expected one", sql, rows.size()))
        .at_r(name_);
  }
  return rows[0][0];
}

Status ServerConnection::execute(std::string_view sql, const std::string& what) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return last_error(what);
  if (MYSQL_RES* result = mysql_store_result(mysql_)) mysql_free_result(result);
  if (mysql_errno(mysql_) != 0) return last_error(what);
  return ok_status();
}

Status ServerConnection::stream_rows(std::string_view sql, const std::string& what,
                                     const std::function<Result<bool>(const StreamedRow&)>& visit) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return last_error(what);
  MYSQL_RES* result = mysql_use_result(mysql_);
  if (result == nullptr) return last_error(what);
  // mysql_free_result reads and discards the rows not fetched yet, so the connection is usable after a stop.
  std::unique_ptr<MYSQL_RES, decltype(&mysql_free_result)> guard(result, mysql_free_result);
  const unsigned count = mysql_num_fields(result);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    MZL_TRY(bool more, visit(StreamedRow{row, mysql_fetch_lengths(result), count}));
    if (!more) return ok_status();
  }
  if (mysql_errno(mysql_) != 0) return last_error(what);
  return ok_status();
}

Status ServerConnection::enable_multi_statements() {
  if (mysql_set_server_option(mysql_, MYSQL_OPTION_MULTI_STATEMENTS_ON) != 0) {
    return last_error("turning on multi-statements");
  }
  return ok_status();
}

StatementBatchOutcome ServerConnection::execute_statements(std::string_view statements) {
  StatementBatchOutcome outcome;
  int status = mysql_real_query(mysql_, statements.data(), statements.size());
  while (status == 0) {
    if (MYSQL_RES* result = mysql_store_result(mysql_)) mysql_free_result(result);
    ++outcome.succeeded;
    status = mysql_next_result(mysql_);  // 0: another result, -1: no more, > 0: the next statement failed
  }
  outcome.failed = status > 0 || mysql_errno(mysql_) != 0;
  return outcome;
}

std::string ServerConnection::tls_cipher() const {
  const char* cipher = mysql_get_ssl_cipher(mysql_);
  return cipher == nullptr ? "" : cipher;
}

bool ServerConnection::is_mariadb() const {
  return mariadb_connection(mysql_) != 0;
}

std::string ServerConnection::server_version() const {
  return mysql_get_server_info(mysql_);
}

}  // namespace mzl::net
