#include "mzl/lease/http_post.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>

namespace mzl {

namespace {

// curl_global_init is not thread-safe and must run before any other curl call (libcurl's
// curl_global_init(3)); a function-local static is initialised exactly once even with several threads.
bool init_curl_once() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

size_t append_to_string(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct HeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

Result<HttpResponse> http_post(const HostPort& server, std::string_view path, std::string_view body,
                               std::chrono::milliseconds timeout) {
  const std::string url = fmt::format("http://{}{}", server.to_string(), path);
  if (!init_curl_once()) return Error(ErrorCode::kInternal, fmt::format("{}: curl_global_init failed", url));
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Error(ErrorCode::kInternal, fmt::format("{}: curl_easy_init failed", url));
  std::unique_ptr<curl_slist, HeaderListDeleter> headers(
      curl_slist_append(nullptr, "Content-Type: application/json"));

  HttpResponse response;
  char message[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  // Without NOSIGNAL, curl's timeouts during name resolution use SIGALRM, which is not thread-safe
  // (CURLOPT_NOSIGNAL(3)).
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  // etcd is reached directly: an http_proxy in the environment (CI runners set one) must not carry a lease's
  // keep-alives through a third party, nor break loopback tests.
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, message);

  const CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    return Error(ErrorCode::kNetwork,
                 fmt::format("POST {}: {}", url, message[0] != '\0' ? message : curl_easy_strerror(code)));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace mzl
