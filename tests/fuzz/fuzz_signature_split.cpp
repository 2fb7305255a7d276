// SPDX-License-Identifier: Apache-2.0
// The signatures big-data blob of containers-storage cut into single signatures
// (image::split_signatures): by the "signature-sizes" of images.json when present, otherwise by
// walking the OpenPGP packets / sigstore JSON objects (split_signatures_by_format). Both come
// from the image store, which a registry fills (threat model A2).
// Input: byte 0 = number of sizes n (0xff: no sizes, split by format), then n sizes of 2 bytes
// (little endian), then the blob.
#include "fuzz_support.hpp"
#include "hardrun/image/signatures.hpp"

namespace {

void
check_concatenation(const std::vector<std::string>& parts, std::string_view blob, const char* what)
{
  std::string joined;
  for (const auto& p : parts) {
    joined += p;
  }
  if (joined != blob) {
    hardrun::fuzz::invariant_failed(what, "the pieces do not add up to the blob");
  }
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace hardrun;
  if (size == 0) {
    return 0;
  }
  std::optional<std::vector<std::size_t>> sizes;
  std::size_t pos = 1;
  if (data[0] != 0xff) {
    sizes.emplace();
    for (unsigned i = 0; i < data[0] && pos + 2 <= size; ++i, pos += 2) {
      sizes->push_back(static_cast<std::size_t>(data[pos]) | (static_cast<std::size_t>(data[pos + 1]) << 8U));
    }
  }
  const auto blob = fuzz::as_text(data + pos, size - pos);
  auto parts = image::split_signatures(blob, sizes);
  if (parts) {
    check_concatenation(*parts, blob, "split_signatures");
  }
  check_concatenation(image::split_signatures_by_format(blob), blob, "split_signatures_by_format");
  return 0;
}
