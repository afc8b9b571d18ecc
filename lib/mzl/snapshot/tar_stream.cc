#include "mzl/snapshot/tar_stream.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace mzl::snapshot {
namespace {

// POSIX.1-2001 ustar header (pax(1), "ustar Interchange Format"): field offsets and sizes.
constexpr size_t kName = 0, kNameSize = 100;
constexpr size_t kMode = 100, kUid = 108, kGid = 116;
constexpr size_t kSize = 124, kSizeSize = 12;
constexpr size_t kMtime = 136, kMtimeSize = 12;
constexpr size_t kChecksum = 148, kChecksumSize = 8;
constexpr size_t kType = 156;
constexpr size_t kMagic = 257;
constexpr size_t kVersion = 263;
constexpr size_t kPrefix = 345, kPrefixSize = 155;

constexpr uint64_t kMaxOctal11 = 077777777777ull;  // 11 octal digits
constexpr uint64_t kMaxRecord = 1 << 20;           // pax / GNU long-name records we accept

using Block = std::array<uint8_t, kTarBlockSize>;

void put_octal(Block& b, size_t at, size_t width, uint64_t value) {
  // width - 1 zero-padded octal digits and a NUL.
  std::string digits = fmt::format("{:0{}o}", value, width - 1);
  std::memcpy(b.data() + at, digits.data(), width - 1);
  b[at + width - 1] = 0;
}

void put_string(Block& b, size_t at, std::string_view s) {
  if (!s.empty()) std::memcpy(b.data() + at, s.data(), s.size());
}

uint64_t header_sum(const Block& b, bool as_signed) {
  uint64_t sum = 0;
  for (size_t i = 0; i < kTarBlockSize; ++i) {
    const bool in_checksum = i >= kChecksum && i < kChecksum + kChecksumSize;
    const uint8_t c = in_checksum ? ' ' : b[i];
    sum += as_signed ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(c))) : c;
  }
  return sum;
}

// A pax record "<length> <key>=<value>\n", where <length> counts the whole record, itself included.
std::string pax_record(std::string_view key, std::string_view value) {
  const size_t body = key.size() + value.size() + 3;  // ' ', '=', '\n'
  size_t length = body + 1;
  while (fmt::formatted_size("{}", length) + body != length)
    length = fmt::formatted_size("{}", length) + body;
  return fmt::format("{} {}={}\n", length, key, value);
}

// An octal field (leading spaces, digits, terminated by NUL or space), or GNU base-256 (first byte 0x80).
std::optional<uint64_t> parse_number(const Block& b, size_t at, size_t width) {
  if (b[at] & 0x80) {
    uint64_t value = b[at] & 0x3F;
    if (b[at] & 0x40) return std::nullopt;  // negative
    for (size_t i = 1; i < width; ++i) {
      if (value >> 56) return std::nullopt;
      value = (value << 8) | b[at + i];
    }
    return value;
  }
  size_t i = at;
  const size_t end = at + width;
  while (i < end && b[i] == ' ') ++i;
  uint64_t value = 0;
  size_t digits = 0;
  for (; i < end && b[i] >= '0' && b[i] <= '7'; ++i, ++digits) {
    if (value >> 60) return std::nullopt;
    value = value * 8 + (b[i] - '0');
  }
  if (i < end && b[i] != 0 && b[i] != ' ') return std::nullopt;
  if (digits == 0 && i < end && b[i] != 0) return std::nullopt;
  return value;
}

std::string field_string(const Block& b, size_t at, size_t width) {
  const auto* p = reinterpret_cast<const char*>(b.data() + at);
  return std::string(p, strnlen(p, width));
}

class TarMemberInput final : public InputStream {
 public:
  TarMemberInput(TarReader& reader, std::string name) : reader_(reader), name_(std::move(name)) {}
  Result<size_t> read(std::span<uint8_t> out) override { return reader_.read(out); }
  const std::string& name() const override { return name_; }

 private:
  TarReader& reader_;
  std::string name_;
};

}  // namespace

Status TarWriter::write(std::span<const uint8_t> data) {
  if (failed_) return Error{ErrorCode::kInternal, "tar stream written after an error"}.at_r(out_.name());
  Status status = out_.write(data);
  if (!status.ok()) {
    failed_ = true;
    return status;
  }
  offset_ += data.size();
  return ok_status();
}

Status TarWriter::write_header(std::string_view name, uint64_t size, int64_t mtime, char type,
                               std::string_view prefix) {
  Block b{};
  put_string(b, kName, name.substr(0, kNameSize));
  put_octal(b, kMode, 8, 0600);
  put_octal(b, kUid, 8, 0);
  put_octal(b, kGid, 8, 0);
  put_octal(b, kSize, kSizeSize, size <= kMaxOctal11 ? size : 0);
  put_octal(b, kMtime, kMtimeSize, static_cast<uint64_t>(std::clamp<int64_t>(mtime, 0, kMaxOctal11)));
  b[kType] = static_cast<uint8_t>(type);
  put_string(b, kMagic, std::string_view("ustar\0", 6));
  put_string(b, kVersion, "00");
  put_string(b, kPrefix, prefix);
  const std::string checksum = fmt::format("{:06o}", header_sum(b, false));
  put_string(b, kChecksum, checksum);
  b[kChecksum + 6] = 0;
  b[kChecksum + 7] = ' ';
  return write(b);
}

Status TarWriter::add_file(std::string_view path, std::span<const uint8_t> data, int64_t mtime) {
  if (path.empty() || path.front() == '/' || path.back() == '/' ||
      path.find('\0') != std::string_view::npos) {
    return Error{ErrorCode::kInvalidArgument, fmt::format("bad tar member name \"{}\"", path)}.at_r(
        out_.name());
  }
  // ustar: the name in `name` (100 bytes) or split at a '/' into `prefix` (155) and `name`.
  std::string_view name = path;
  std::string_view prefix;
  bool fits = path.size() <= kNameSize;
  if (!fits) {
    for (size_t slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/', slash + 1)) {
      if (slash <= kPrefixSize && path.size() - slash - 1 <= kNameSize) {
        prefix = path.substr(0, slash);
        name = path.substr(slash + 1);
        fits = true;
        break;
      }
    }
  }
  const bool big = data.size() > kMaxOctal11;
  if (!fits || big) {
    std::string records;
    if (!fits) records += pax_record("path", path);
    if (big) records += pax_record("size", fmt::format("{}", data.size()));
    const size_t base = path.rfind('/');
    std::string pax_name =
        fmt::format("PaxHeaders/{}", path.substr(base == std::string_view::npos ? 0 : base + 1));
    MZL_CHECK(write_header(std::string_view(pax_name).substr(0, kNameSize), records.size(), mtime, 'x'));
    MZL_CHECK(
        write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(records.data()), records.size())));
    static constexpr Block kZeros{};
    MZL_CHECK(write(std::span<const uint8_t>(kZeros).first((kTarBlockSize - records.size() % kTarBlockSize) %
                                                           kTarBlockSize)));
    if (!fits) {
      name = path.substr(0, kNameSize);  // for readers that ignore pax headers
      prefix = {};
    }
  }
  MZL_CHECK(write_header(name, data.size(), mtime, '0', prefix));
  MZL_CHECK(write(data));
  static constexpr Block kZeros{};
  return write(
      std::span<const uint8_t>(kZeros).first((kTarBlockSize - data.size() % kTarBlockSize) % kTarBlockSize));
}

Status TarWriter::finish() {
  static constexpr std::array<uint8_t, 2 * kTarBlockSize> kEnd{};
  MZL_CHECK(write(kEnd));
  Status status = out_.flush();
  if (!status.ok()) failed_ = true;
  return status;
}

Error TarReader::corrupt(const std::string& problem, uint64_t at) const {
  return Error{ErrorCode::kCorrupt, fmt::format("bad tar stream: {}", problem)}.at_r(in_.name(), at);
}

Status TarReader::read_exact(uint8_t* out, size_t n) {
  size_t got = 0;
  while (got < n) {
    MZL_TRY(size_t r, in_.read(std::span<uint8_t>(out + got, n - got)));
    if (r == 0) return corrupt("the stream ends inside a member", offset_);
    got += r;
    offset_ += r;
  }
  return ok_status();
}

Result<bool> TarReader::read_block(uint8_t* block) {
  size_t got = 0;
  while (got < kTarBlockSize) {
    MZL_TRY(size_t r, in_.read(std::span<uint8_t>(block + got, kTarBlockSize - got)));
    if (r == 0) {
      if (got == 0) return false;
      return corrupt("the stream ends inside a header", offset_);
    }
    got += r;
    offset_ += r;
  }
  return true;
}

Status TarReader::skip(uint64_t n) {
  uint8_t scratch[16 * 1024];
  while (n > 0) {
    const size_t piece = static_cast<size_t>(std::min<uint64_t>(n, sizeof scratch));
    MZL_CHECK(read_exact(scratch, piece));
    n -= piece;
  }
  return ok_status();
}

Result<std::string> TarReader::read_record(uint64_t size) {
  const uint64_t at = offset_;
  if (size > kMaxRecord) return corrupt(fmt::format("an extended header of {} bytes", size), at);
  std::string record(size, '\0');
  MZL_CHECK(read_exact(reinterpret_cast<uint8_t*>(record.data()), record.size()));
  MZL_CHECK(skip((kTarBlockSize - size % kTarBlockSize) % kTarBlockSize));
  return record;
}

Result<std::optional<TarMember>> TarReader::next() {
  if (ended_) return std::optional<TarMember>();
  MZL_CHECK(skip(remaining_ + padding_));
  remaining_ = padding_ = 0;
  std::optional<std::string> long_path;
  std::optional<uint64_t> pax_size;
  int64_t pax_mtime = 0;
  bool has_pax_mtime = false;
  for (;;) {
    Block b;
    const uint64_t header_at = offset_;
    MZL_TRY(bool got, read_block(b.data()));
    if (!got) return corrupt("the stream ends without the end-of-archive marker", header_at);
    if (std::all_of(b.begin(), b.end(), [](uint8_t c) { return c == 0; })) {
      ended_ = true;
      return std::optional<TarMember>();
    }
    std::optional<uint64_t> checksum = parse_number(b, kChecksum, kChecksumSize);
    if (!checksum || (*checksum != header_sum(b, false) && *checksum != header_sum(b, true))) {
      return corrupt("header checksum mismatch", header_at);
    }
    std::optional<uint64_t> size = parse_number(b, kSize, kSizeSize);
    if (!size) return corrupt("bad size field", header_at);
    const char type = static_cast<char>(b[kType]);
    if (type == 'x' || type == 'g') {
      MZL_TRY(std::string records, read_record(*size));
      if (type == 'g') continue;
      std::string_view rest = records;
      while (!rest.empty()) {
        size_t length = 0;
        auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), length);
        const size_t digits = static_cast<size_t>(end - rest.data());
        if (ec != std::errc() || length <= digits + 1 || length > rest.size() || rest[digits] != ' ' ||
            rest[length - 1] != '\n') {
          return corrupt("malformed pax extended header record", header_at);
        }
        std::string_view record = rest.substr(digits + 1, length - digits - 2);
        rest.remove_prefix(length);
        const size_t eq = record.find('=');
        if (eq == std::string_view::npos) return corrupt("pax record without '='", header_at);
        const std::string_view key = record.substr(0, eq);
        const std::string_view value = record.substr(eq + 1);
        if (key == "path") {
          long_path = std::string(value);
        } else if (key == "size") {
          uint64_t v = 0;
          auto [e2, ec2] = std::from_chars(value.data(), value.data() + value.size(), v);
          if (ec2 != std::errc() || e2 != value.data() + value.size())
            return corrupt("bad pax size", header_at);
          pax_size = v;
        } else if (key == "mtime") {
          int64_t v = 0;
          auto [e2, ec2] = std::from_chars(value.data(), value.data() + value.size(), v);
          if (ec2 != std::errc()) return corrupt("bad pax mtime", header_at);
          pax_mtime = v;  // the fraction, if any, is dropped
          has_pax_mtime = true;
        }
      }
      continue;
    }
    if (type == 'L') {  // GNU: the next member's name
      MZL_TRY(std::string name, read_record(*size));
      long_path = name.substr(0, name.find('\0'));
      continue;
    }
    if (type == 'K') {  // GNU: the next member's link name
      MZL_CHECK(read_record(*size));
      continue;
    }
    if (pax_size) size = pax_size;
    if (type == '5') {
      MZL_CHECK(skip(*size + (kTarBlockSize - *size % kTarBlockSize) % kTarBlockSize));
      long_path.reset();
      pax_size.reset();
      has_pax_mtime = false;
      continue;
    }
    std::string path;
    if (long_path) {
      path = *long_path;
    } else {
      path = field_string(b, kName, kNameSize);
      // The prefix field exists in POSIX ustar ("ustar\0"), not in old GNU headers ("ustar  \0").
      if (std::memcmp(b.data() + kMagic, "ustar\0", 6) == 0) {
        std::string prefix = field_string(b, kPrefix, kPrefixSize);
        if (!prefix.empty()) path = prefix + "/" + path;
      }
    }
    if (type != '0' && type != '\0' && type != '7') {
      return Error{ErrorCode::kUnsupported,
                   fmt::format("tar member \"{}\" is not a regular file (type '{}')", path, type)}
          .at_r(in_.name(), header_at);
    }
    TarMember member;
    member.path = std::move(path);
    member.size = *size;
    if (has_pax_mtime) {
      member.mtime = pax_mtime;
    } else {
      member.mtime = static_cast<int64_t>(parse_number(b, kMtime, kMtimeSize).value_or(0));
    }
    remaining_ = member.size;
    padding_ = (kTarBlockSize - member.size % kTarBlockSize) % kTarBlockSize;
    current_path_ = member.path;
    return std::optional<TarMember>(std::move(member));
  }
}

Result<size_t> TarReader::read(std::span<uint8_t> out) {
  const size_t n = static_cast<size_t>(std::min<uint64_t>(out.size(), remaining_));
  if (n == 0) return size_t{0};
  MZL_TRY(size_t got, in_.read(out.first(n)));
  if (got == 0) return corrupt(fmt::format("the stream ends inside member \"{}\"", current_path_), offset_);
  offset_ += got;
  remaining_ -= got;
  return got;
}

std::unique_ptr<InputStream> TarReader::member_input() {
  return std::make_unique<TarMemberInput>(*this, fmt::format("{}:{}", in_.name(), current_path_));
}

}  // namespace mzl::snapshot
