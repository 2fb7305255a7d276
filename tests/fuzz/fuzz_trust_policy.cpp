// SPDX-License-Identifier: Apache-2.0
// containers-policy.json (trust::parse_trust_policy), key files resolved against the trust test
// data, then scope selection for a few references.
#include "fuzz_support.hpp"
#include "hardrun/image/reference.hpp"
#include "hardrun/trust/policy.hpp"

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace hardrun;
  static const std::vector<image::Reference> refs = [] {
    std::vector<image::Reference> out;
    for (const char* r : {"docker.io/library/busybox:latest", "quay.io/a/b/c@sha256:"
                                                              "39743ea86edc47d12ccb6cc764c6a51e89109bcf67bf790ab38f555083a11266",
                          "127.0.0.1:5000/hr/busybox:v1", "localhost/x"}) {
      auto p = image::parse_reference(r);
      if (!p) {
        fuzz::invariant_failed("fixed reference", p.error().what());
      }
      out.push_back(*p);
    }
    return out;
  }();
  auto pol = trust::parse_trust_policy(fuzz::as_text(data, size), "/etc/containers/policy.json",
                                       HARDRUN_FUZZ_DATA_DIR "/data/trust");
  if (pol) {
    for (const auto& r : refs) {
      (void)pol->scope_for(r);
    }
  }
  return 0;
}
