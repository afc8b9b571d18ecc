#pragma once
// One HTTP/1.1 POST over libcurl, for etcd's v3 JSON gateway (etcd_lease.h): the whole answer is read into
// memory, so it is meant for small request/response calls, not for watches that stream without end.
#include <chrono>
#include <string>
#include <string_view>

#include "mzl/util/host_port.h"
#include "mzl/util/result.h"

namespace mzl {

struct HttpResponse {
  long status = 0;  // the HTTP status code (200, 404, ...)
  std::string body;
};

// POSTs `body` as application/json to http://<server><path> (`path` starts with '/') and waits at most
// `timeout` for the whole exchange. Any HTTP status is a response; kNetwork (naming the URL and curl's
// message) when no answer came: refused, unresolvable, timed out, cut off. Safe to call from several threads.
Result<HttpResponse> http_post(const HostPort& server, std::string_view path, std::string_view body,
                               std::chrono::milliseconds timeout);

}  // namespace mzl
