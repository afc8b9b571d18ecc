#include "mzl/serve/tls_server_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <fmt/format.h>

#include <utility>

namespace mzl::serve {

std::string openssl_failure(const char* fallback) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return fallback;
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

Result<TlsServerContext> TlsServerContext::from_pem_files(const std::string& cert_file,
                                                          const std::string& key_file) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) {
    return Error(ErrorCode::kInternal, "OpenSSL could not create a TLS context: " + openssl_failure("?"));
  }
  TlsServerContext context(ctx);
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("cannot load the TLS certificate: {}", openssl_failure("unknown reason")))
        .at_r(cert_file);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("cannot load the TLS private key: {}", openssl_failure("unknown reason")))
        .at_r(key_file);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("the TLS private key does not match the certificate {}: {}", cert_file,
                             openssl_failure("unknown reason")))
        .at_r(key_file);
  }
  return context;
}

TlsServerContext::TlsServerContext(TlsServerContext&& other) noexcept
    : ctx_(std::exchange(other.ctx_, nullptr)) {}

TlsServerContext& TlsServerContext::operator=(TlsServerContext&& other) noexcept {
  if (this != &other) {
    SSL_CTX_free(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

TlsServerContext::~TlsServerContext() {
  SSL_CTX_free(ctx_);
}

}  // namespace mzl::serve
