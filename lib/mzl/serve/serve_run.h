#pragma once
// What `mzl-binlog-tail --serve` runs (man/mzl-binlog-tail.1, SERVING): the listener over one source of a
// repository, alone (until a stop signal; the archive's end read from its state.json) or while the same
// process archives the source (each durable boundary published to the senders at once).
#include <string>

#include "mzl/archive/tail_session.h"
#include "mzl/serve/replica_queries.h"
#include "mzl/util/host_port.h"
#include "mzl/util/result.h"

namespace mzl::serve {

struct ServeOptions {
  HostPort address;
  std::string repo;
  std::string source;
  std::string user;               // the account replicas log in with
  std::string password;           // its password (from --serve-password-file)
  std::string tls_cert, tls_key;  // PEM files; TLS is offered when both are set
};

// What the archived server of `source` was (state.json), for the handshake and the replicas' queries.
// kNotFound when the source has no archive yet.
Result<ServedServer> served_server(const std::string& repo, const std::string& source);

// Serves until a stop signal (util/stop_signal.h). kNotFound when the source has no archive yet.
Status run_serve(const ServeOptions& options);

// Archives with run_tail (options.repo and source must name the same source) and serves meanwhile.
Result<archive::TailStats> run_tail_and_serve(const ServeOptions& serve, archive::TailOptions tail);

}  // namespace mzl::serve
