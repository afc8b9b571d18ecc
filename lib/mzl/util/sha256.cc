#include "mzl/util/sha256.h"

#include <openssl/evp.h>

#include "mzl/util/hex.h"

namespace mzl {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ != nullptr && EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = nullptr;
  }
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(ctx_);
}

void Sha256::update(std::span<const uint8_t> data) {
  if (ctx_ != nullptr && EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = nullptr;
  }
}

std::string Sha256::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (ctx_ == nullptr || EVP_DigestFinal_ex(ctx_, digest, &length) != 1) return "";
  return to_hex(std::span<const uint8_t>(digest, length));
}

std::string sha256_hex(std::span<const uint8_t> data) {
  Sha256 sha;
  sha.update(data);
  return sha.hex();
}

}  // namespace mzl
