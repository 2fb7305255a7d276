// SPDX-License-Identifier: Apache-2.0
// Signature payload claims (trust::parse_payload): the JSON inside a simple-signing or sigstore
// signature, parsed only after the signature verified, but its signer may be any key the policy
// trusts for another repository (threat model A2). Byte 0 picks the format; the rest is the
// payload. Also the base64 decoder that unwraps sigstore payloads and signatures.
#include "fuzz_support.hpp"
#include "hardrun/image/reference.hpp"
#include "hardrun/trust/signature.hpp"

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace hardrun;
  if (size == 0) {
    return 0;
  }
  const auto format = (data[0] & 1U) != 0 ? trust::SignatureFormat::sigstore : trust::SignatureFormat::simple_signing;
  const auto payload = fuzz::as_text(data + 1, size - 1);
  auto claims = trust::parse_payload(payload, format);
  if (claims && !image::is_sha256_digest(claims->manifest_digest)) {
    fuzz::invariant_failed("payload accepted with a malformed manifest digest", claims->manifest_digest);
  }
  (void)trust::base64_decode(payload);
  (void)trust::signature_format(payload);
  return 0;
}
