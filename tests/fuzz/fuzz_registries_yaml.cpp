// SPDX-License-Identifier: Apache-2.0
// registries.d YAML (image::parse_registries_yaml, libyaml underneath) and the lookaside URL
// chosen from it for a few references. Admins write these files, but one file may be dropped
// in by a package; a damaged one must deny, never crash or loop.
#include "fuzz_support.hpp"
#include "hardrun/image/lookaside.hpp"
#include "hardrun/image/reference.hpp"

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace hardrun;
  static const std::vector<image::Reference> refs = [] {
    std::vector<image::Reference> out;
    for (const char* r : {"docker.io/library/busybox:latest", "registry.example/a/b/c:v1",
                          "127.0.0.1:5000/hr/busybox@sha256:"
                          "39743ea86edc47d12ccb6cc764c6a51e89109bcf67bf790ab38f555083a11266"}) {
      out.push_back(*image::parse_reference(r));
    }
    return out;
  }();
  image::RegistriesConfig config;
  if (image::parse_registries_yaml(fuzz::as_text(data, size), "/etc/containers/registries.d/fuzz.yaml", config)) {
    for (const auto& r : refs) {
      (void)image::lookaside_url(config, r);
    }
  }
  return 0;
}
