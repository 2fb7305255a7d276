// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

#include "hardrun/base/exit_code.hpp"

namespace hardrun {

// What kind of failure an Error is; decides the exit status (see exit_code_of).
enum class Errc {
  invalid_input, // malformed, oversized, duplicate keys, unknown keys, bad values
  system,        // a syscall failed; sys_errno says which errno
  not_found,     // a named file or profile does not exist
  insecure,      // a file's ownership, mode or type is unsafe (symlink, hard link, writable)
  conflict,      // the file changed under us between read and write
};

// A failure that could not be evaluated any further. Findings (violations) are not Errors:
// they are values (check::Finding). Every Error denies.
struct Error {
  Errc code = Errc::invalid_input;
  int sys_errno = 0;
  std::string message;
  // Outer context first ("load /etc/hardrun/policies/strict.json", "key /user/uid").
  std::vector<std::string> context;

  [[nodiscard]] Error
  with_context(std::string ctx) &&
  {
    context.insert(context.begin(), std::move(ctx));
    return std::move(*this);
  }

  // "ctx1: ctx2: message" on one line, for stderr and the journal.
  [[nodiscard]] std::string what() const;
};

template <class T> using Result = tl::expected<T, Error>;
using Unexpected = tl::unexpected<Error>;

[[nodiscard]] inline Unexpected
make_error(Errc code, std::string message)
{
  return Unexpected(Error{code, 0, std::move(message), {}});
}

[[nodiscard]] Unexpected make_sys_error(int err, std::string what);

[[nodiscard]] ExitCode exit_code_of(const Error& error);

} // namespace hardrun

#define HARDRUN_CONCAT_INNER_(a, b) a##b
#define HARDRUN_CONCAT_(a, b) HARDRUN_CONCAT_INNER_(a, b)

// Propagate the error of an expression of type Result<...> to the caller.
#define HARDRUN_TRY(expr) HARDRUN_TRY_IMPL_(expr, HARDRUN_CONCAT_(hardrun_try_, __COUNTER__))
#define HARDRUN_TRY_IMPL_(expr, tmp)                                           \
  do {                                                                         \
    auto&& tmp = (expr);                                                       \
    if (!tmp) {                                                                \
      return ::tl::unexpected(std::move(tmp).error());                         \
    }                                                                          \
  } while (false)

// Declare `var` from the value of a Result, or propagate its error.
#define HARDRUN_TRY_ASSIGN(var, expr)                                          \
  auto&& var##_result_ = (expr);                                               \
  if (!var##_result_) {                                                        \
    return ::tl::unexpected(std::move(var##_result_).error());                 \
  }                                                                            \
  auto var = std::move(*var##_result_)
