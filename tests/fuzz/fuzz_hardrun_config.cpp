// SPDX-License-Identifier: Apache-2.0
// hardrun.json (config::parse): the hook and the launcher read it on every run; a damaged file
// must deny with one line, never crash.
#include "fuzz_support.hpp"
#include "hardrun/config/config.hpp"

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace hardrun;
  auto c = config::parse(fuzz::as_text(data, size), "/etc/hardrun/hardrun.json");
  if (c) {
    for (const auto& e : c->exceptions) {
      if (config::find_exception(*c, e.digest) == nullptr) {
        fuzz::invariant_failed("an accepted exception is not found again", e.digest);
      }
    }
  }
  return 0;
}
