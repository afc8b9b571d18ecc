#pragma once
// Result<T>: a value or an Error (C++23's std::expected is not in GCC 12).
#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "mzl/util/error.h"

namespace mzl {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

// Success holds no Error: ok_status() is returned several times per event on the hot paths, and an Error
// holds two std::strings that would be constructed and destroyed each time.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& {
    assert(!ok());
    return *error_;
  }
  Error&& error() && {
    assert(!ok());
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status ok_status() {
  return Status();
}

}  // namespace mzl

#define MZL_CONCAT_INNER(a, b) a##b
#define MZL_CONCAT(a, b) MZL_CONCAT_INNER(a, b)

// MZL_TRY(auto x, expr): evaluates expr (a Result<T>), returns its Error from the enclosing function on
// failure, else binds the value to the declaration on the left.
#define MZL_TRY(lhs, expr)                                                                            \
  auto MZL_CONCAT(mzl_try_, __LINE__) = (expr);                                                       \
  if (!MZL_CONCAT(mzl_try_, __LINE__).ok()) return std::move(MZL_CONCAT(mzl_try_, __LINE__)).error(); \
  lhs = std::move(MZL_CONCAT(mzl_try_, __LINE__)).value()

// MZL_CHECK(expr): expr is a Status (or any Result); returns its Error on failure.
#define MZL_CHECK(expr)                                                     \
  do {                                                                      \
    auto mzl_check_result = (expr);                                         \
    if (!mzl_check_result.ok()) return std::move(mzl_check_result).error(); \
  } while (0)
