// SPDX-License-Identifier: Apache-2.0
// Policy profiles (policy::parse): admins write them, but a profile given by path on the command
// line or a damaged /etc/hardrun/policies file must fail closed, never crash.
#include "fuzz_support.hpp"
#include "hardrun/policy/policy.hpp"

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace hardrun;
  // Placed next to the shipped profiles, so "seccomp/default.json" resolves to a real file.
  auto p = policy::parse(fuzz::as_text(data, size), HARDRUN_FUZZ_SOURCE_DIR "/policies/fuzz.json");
  if (p) {
    (void)policy::check_seccomp_profile(p->seccomp_profile);
  }
  return 0;
}
