#include "mzl/load/hashing_input.h"

#include <openssl/evp.h>

#include <fmt/format.h>

namespace mzl::restore {

namespace {

class HashingInput final : public InputStream {
 public:
  HashingInput(std::unique_ptr<InputStream> source, std::shared_ptr<StreamDigest> digest)
      : source_(std::move(source)), digest_(std::move(digest)), ctx_(EVP_MD_CTX_new()) {
    if (ctx_ != nullptr && EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
      EVP_MD_CTX_free(ctx_);
      ctx_ = nullptr;
    }
  }
  ~HashingInput() override { EVP_MD_CTX_free(ctx_); }
  HashingInput(const HashingInput&) = delete;
  HashingInput& operator=(const HashingInput&) = delete;

  Result<size_t> read(std::span<uint8_t> out) override {
    if (ctx_ == nullptr) return Error{ErrorCode::kInternal, "cannot create a SHA-256 context"}.at_r(name());
    MZL_TRY(size_t n, source_->read(out));
    if (n > 0) {
      EVP_DigestUpdate(ctx_, out.data(), n);
      digest_->size += n;
    } else if (!out.empty() && !finished_) {
      finished_ = true;
      unsigned char md[EVP_MAX_MD_SIZE];
      unsigned int length = 0;
      EVP_DigestFinal_ex(ctx_, md, &length);
      digest_->sha256.clear();
      for (unsigned i = 0; i < length; ++i) digest_->sha256 += fmt::format("{:02x}", md[i]);
    }
    return n;
  }

  Status finish() override { return source_->finish(); }
  const std::string& name() const override { return source_->name(); }

 private:
  std::unique_ptr<InputStream> source_;
  std::shared_ptr<StreamDigest> digest_;
  EVP_MD_CTX* ctx_;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<InputStream> make_hashing_input(std::unique_ptr<InputStream> source,
                                                std::shared_ptr<StreamDigest> digest) {
  return std::make_unique<HashingInput>(std::move(source), std::move(digest));
}

}  // namespace mzl::restore
