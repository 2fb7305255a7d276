// SPDX-License-Identifier: Apache-2.0
// The OCI state JSON the runtime writes on the hook's stdin (hardrun::image::parse_state).
// Untrusted: a container's creator influences id, annotations and bundle (threat model A1).
#include "fuzz_support.hpp"
#include "hardrun/image/state.hpp"

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace hardrun;
  const auto text = fuzz::as_text(data, size);
  auto st = image::parse_state(text);
  if (st) {
    // What was accepted is what the hook joins into paths: it must satisfy the checks the
    // parser promises (a valid id, a clean absolute bundle).
    if (!image::is_valid_container_id(st->id)) {
      fuzz::invariant_failed("parse_state accepted an invalid id", st->id);
    }
    if (st->bundle.empty() || st->bundle.front() != '/' || st->bundle.find("/../") != std::string::npos) {
      fuzz::invariant_failed("parse_state accepted a bundle that is not clean and absolute", st->bundle);
    }
  }
  (void)image::is_valid_container_id(text);
  return 0;
}
