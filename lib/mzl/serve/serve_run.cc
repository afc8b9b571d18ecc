#include "mzl/serve/serve_run.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include "mzl/archive/archive_state.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/serve/serve_listener.h"
#include "mzl/util/stop_signal.h"

namespace mzl::serve {

namespace {}  // namespace

Result<ServedServer> served_server(const std::string& repo, const std::string& source) {
  auto state = archive::read_archive_state(repo::archive_state_path(repo, source));
  if (!state.ok()) {
    if (state.error().code == ErrorCode::kNotFound) {
      return Error(ErrorCode::kNotFound,
                   fmt::format("--serve: the repository has no archive of source {} yet (archive it first)",
                               source))
          .at_r(repo);
    }
    return std::move(state).error();
  }
  ServedServer server;
  server.flavour = state->server.flavour.empty() ? "mariadb" : state->server.flavour;
  server.server_version = state->server.version.empty()
                              ? (server.flavour == "mariadb" ? "10.11.0-MariaDB-mzl" : "8.0.36-mzl")
                              : state->server.version;
  server.server_id = state->server.server_id;
  server.server_uuid = state->server.server_uuid;
  server.binlog_checksum = "CRC32";
  server.gtid_position = state->gtid_position;
  return server;
}

namespace {

struct Serving {
  std::optional<TlsServerContext> tls;
  std::unique_ptr<ServeListener> listener;
};

Result<Serving> start_serving(const ServeOptions& options, ArchiveEndSource& end) {
  ServeConfig config;
  config.archive_dir = repo::source_dir(options.repo, options.source);
  MZL_TRY(config.server, served_server(options.repo, options.source));
  config.user = options.user;
  config.password = native_password_hash(options.password);
  Serving serving;
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    MZL_TRY(serving.tls, TlsServerContext::from_pem_files(options.tls_cert, options.tls_key));
    config.tls = &*serving.tls;
  }
  MZL_TRY(serving.listener, ServeListener::open(options.address, std::move(config), end));
  serving.listener->start();
  std::fprintf(stderr, "mzl-binlog-tail: serving %s to replicas on %s port %u (user %s%s)\n",
               options.source.c_str(), options.address.host.c_str(), serving.listener->port(),
               options.user.c_str(), serving.tls ? ", TLS offered" : "");
  return serving;
}

}  // namespace

Status run_serve(const ServeOptions& options) {
  StateFileArchiveEnd end(repo::archive_state_path(options.repo, options.source));
  MZL_TRY(Serving serving, start_serving(options, end));
  while (!stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  serving.listener->stop();
  return ok_status();
}

Result<archive::TailStats> run_tail_and_serve(const ServeOptions& serve, archive::TailOptions tail) {
  PublishedArchiveEnd end;
  std::optional<Serving> serving;
  std::optional<Error> failed;
  // The listener needs the archive's identity (state.json): a new archive is served once it has one.
  auto try_start = [&]() {
    if (serving || failed) return;
    auto started = start_serving(serve, end);
    if (started.ok()) {
      serving.emplace(std::move(*started));
    } else if (started.error().code != ErrorCode::kNotFound) {
      failed = std::move(started).error();
    }
  };
  tail.on_durable = [&](const archive::ResumePoint& point) {
    end.publish(ArchiveEnd{point.file, point.position});
    try_start();
  };
  auto current = archive::read_archive_state(repo::archive_state_path(serve.repo, serve.source));
  if (current.ok()) {
    end.publish(ArchiveEnd{current->current_file, current->durable_position});
    try_start();
  }
  if (failed) return *failed;
  auto stats = archive::run_tail(tail);
  if (serving) serving->listener->stop();
  if (failed && stats.ok()) return *failed;
  return stats;
}

}  // namespace mzl::serve
