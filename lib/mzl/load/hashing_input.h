#pragma once
// A pass-through InputStream that counts and hashes (SHA-256, OpenSSL EVP) the bytes read from its source:
// for a snapshot stream's members, whose expected digests arrive only with the manifest at the end.
#include <cstdint>
#include <memory>
#include <string>

#include "mzl/util/input_stream.h"

namespace mzl::load {

struct StreamDigest {
  uint64_t size = 0;
  std::string sha256;  // lowercase hex; set when the source has been read to its end
};

// `digest` is filled in when read() reaches the end of the source (and stays empty-hashed until then).
std::unique_ptr<InputStream> make_hashing_input(std::unique_ptr<InputStream> source,
                                                std::shared_ptr<StreamDigest> digest);

}  // namespace mzl::load
