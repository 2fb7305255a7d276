// SPDX-License-Identifier: Apache-2.0
// hardrun quadlet: placeholder until its issue's work lands; refuses rather than pretending to work.
#include <iostream>

#include "commands.hpp"

namespace hardrun::commands {

ExitCode
run_quadlet(const cli::QuadletOptions& /*options*/)
{
  std::cerr << "hardrun quadlet: not implemented yet\n";
  return ExitCode::internal;
}

} // namespace hardrun::commands
