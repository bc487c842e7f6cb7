#pragma once
// Errors as values: every layer returns Result<T>; exceptions stop at the boundary that caught them.

#include <string>
#include <utility>
#include <variant>

namespace minitok {

/// Canonical error codes (after absl::StatusCode), mapped to the wire in exactly one place per
/// protocol (gateway/api_status.cc for the Douyin API).
enum class Code {
  kInvalidArgument,
  kUnauthenticated,
  kPermissionDenied,
  kNotFound,
  kAlreadyExists,
  kResourceExhausted,
  kFailedPrecondition,
  kUnavailable,
  kInternal,
  kWouldBlock,  ///< blocking work refused inside a NonBlockingScope; the caller retries on a worker
};

/// `message` is safe to show a client; `detail` is for the log only (SQL errors, paths).
struct Error {
  Code code = Code::kInternal;
  std::string message;
  std::string detail;
};

inline Error MakeError(Code code, std::string message, std::string detail = {}) {
  return Error{code, std::move(message), std::move(detail)};
}

/// Internal errors never show their detail to a client.
inline Error InternalError(std::string detail) {
  return Error{Code::kInternal, "internal error, please try again", std::move(detail)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { return std::get<1>(state_); }
  Error&& error() && { return std::get<1>(std::move(state_)); }

  /// The outcome without the value.
  Result<void> status() const;

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

template <class T>
Result<void> Result<T>::status() const {
  if (ok()) return {};
  return error();
}

inline Status Ok() { return {}; }

}  // namespace minitok

/// Propagates the error of an expression returning Result<...>; keeps early returns readable.
#define MINITOK_RETURN_IF_ERROR(expr)                 \
  do {                                                \
    auto minitok_status_ = (expr);                    \
    if (!minitok_status_.ok())                        \
      return std::move(minitok_status_).error();      \
  } while (false)

#define MINITOK_CONCAT_INNER(a, b) a##b
#define MINITOK_CONCAT(a, b) MINITOK_CONCAT_INNER(a, b)
/// `MINITOK_ASSIGN_OR_RETURN(auto x, Compute());`
#define MINITOK_ASSIGN_OR_RETURN(lhs, expr) \
  MINITOK_ASSIGN_OR_RETURN_IMPL(MINITOK_CONCAT(minitok_result_, __LINE__), lhs, expr)
#define MINITOK_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).error();       \
  lhs = std::move(tmp).value()
