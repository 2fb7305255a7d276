// SPDX-License-Identifier: Apache-2.0
#include "hardrun/base/result.hpp"

#include <cstring>

namespace hardrun {

std::string
Error::what() const
{
  std::string out;
  for (const auto& ctx : context) {
    out += ctx;
    out += ": ";
  }
  out += message;
  return out;
}

Unexpected
make_sys_error(int err, std::string what)
{
  std::string message = std::move(what);
  message += ": ";
  message += std::strerror(err);
  return Unexpected(Error{Errc::system, err, std::move(message), {}});
}

ExitCode
exit_code_of(const Error& error)
{
  switch (error.code) {
  case Errc::invalid_input:
  case Errc::not_found:
    return ExitCode::invalid_input;
  case Errc::insecure:
    // An unsafe file (symlink, hard link, writable by others) is a refusal, like a finding.
    return ExitCode::denied;
  case Errc::system:
  case Errc::conflict:
    return ExitCode::system_error;
  }
  return ExitCode::internal;
}

} // namespace hardrun
