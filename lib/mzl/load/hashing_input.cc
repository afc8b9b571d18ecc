#include "mzl/load/hashing_input.h"

#include "mzl/util/sha256.h"

namespace mzl::load {

namespace {

class HashingInput final : public InputStream {
 public:
  HashingInput(std::unique_ptr<InputStream> source, std::shared_ptr<StreamDigest> digest)
      : source_(std::move(source)), digest_(std::move(digest)) {}

  Result<size_t> read(std::span<uint8_t> out) override {
    if (!sha_.ok()) return Error{ErrorCode::kInternal, "cannot create a SHA-256 context"}.at_r(name());
    MZL_TRY(size_t n, source_->read(out));
    if (n > 0) {
      sha_.update(out.first(n));
      digest_->size += n;
    } else if (!out.empty() && !finished_) {
      finished_ = true;
      digest_->sha256 = sha_.hex();
    }
    return n;
  }

  Status finish() override { return source_->finish(); }
  const std::string& name() const override { return source_->name(); }

 private:
  std::unique_ptr<InputStream> source_;
  std::shared_ptr<StreamDigest> digest_;
  Sha256 sha_;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<InputStream> make_hashing_input(std::unique_ptr<InputStream> source,
                                                std::shared_ptr<StreamDigest> digest) {
  return std::make_unique<HashingInput>(std::move(source), std::move(digest));
}

}  // namespace mzl::load
