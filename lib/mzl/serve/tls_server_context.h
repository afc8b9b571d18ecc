#pragma once
// A server certificate and private key for TLS (CLIENT_SSL in the handshake), loaded once and shared by
// every connection's PacketChannel::accept_tls(). TLS 1.2 at least.
#include <string>

#include "mzl/util/result.h"

struct ssl_ctx_st;

namespace mzl::serve {

class TlsServerContext {
 public:
  // PEM files: the certificate (chain) and its key; `key_file` may be `cert_file`. kInvalidArgument when a
  // file cannot be loaded or the key does not match the certificate (OpenSSL's reason in the message).
  static Result<TlsServerContext> from_pem_files(const std::string& cert_file, const std::string& key_file);

  TlsServerContext(TlsServerContext&& other) noexcept;
  TlsServerContext& operator=(TlsServerContext&& other) noexcept;
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;
  ~TlsServerContext();

  ssl_ctx_st* native() const { return ctx_; }

 private:
  explicit TlsServerContext(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_;
};

// OpenSSL's reason for the last failure on this thread (and clears its queue), or `fallback` when it has
// none.
std::string openssl_failure(const char* fallback);

}  // namespace mzl::serve
