// SHA-256 (FIPS 180-4) of a byte stream fed in pieces, through OpenSSL's EVP interface. The one place that
// drives OpenSSL's digest: snapshot data files are hashed as they are written, and again as they are read.
#pragma once

#include <cstdint>
#include <span>
#include <string>

struct evp_md_ctx_st;

namespace mzl {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // False once OpenSSL has failed (no context, or an update failed); hex() then returns "".
  bool ok() const { return ctx_ != nullptr; }
  void update(std::span<const uint8_t> data);
  // The digest of everything updated so far, as 64 lowercase hex digits; "" when OpenSSL failed. Ends the
  // stream: call once.
  std::string hex();

 private:
  evp_md_ctx_st* ctx_;
};

// The SHA-256 (lowercase hex) of `data`; "" when OpenSSL failed.
std::string sha256_hex(std::span<const uint8_t> data);

}  // namespace mzl
