// SPDX-License-Identifier: Apache-2.0
// A sigstore signature blob as stored by c/image ("\0sigstore-json\n" + JSON envelope with a
// base64 payload and the signature annotation), through SigstoreKeys::verify with a real P-256
// key: the envelope parse, both base64 decodes and OpenSSL's DER signature parse run on every
// input; forged signatures then fail verification (the payload after a successful verification
// is fuzzed by fuzz_payload). The prefix is added unless the input already starts with it.
#include <fstream>
#include <sstream>

#include "fuzz_support.hpp"
#include "hardrun/image/signatures.hpp"
#include "hardrun/trust/signature.hpp"

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace hardrun;
  static const trust::SigstoreKeys* keys = [] {
    auto* k = new trust::SigstoreKeys; // NOLINT(cppcoreguidelines-owning-memory): lives for the process
    for (const char* name : {"p256.pub", "ed25519.pub"}) {
      const std::string path = std::string(HARDRUN_FUZZ_DATA_DIR "/data/trust/sigstore/") + name;
      std::ifstream in(path);
      std::stringstream ss;
      ss << in.rdbuf();
      if (auto r = k->add_pem(ss.str(), path); !r) {
        fuzz::invariant_failed("sigstore key", r.error().what());
      }
    }
    return k;
  }();
  const auto text = fuzz::as_text(data, size);
  std::string blob;
  if (text.substr(0, image::k_sigstore_prefix.size()) != image::k_sigstore_prefix) {
    blob.assign(image::k_sigstore_prefix);
  }
  blob.append(text);
  auto v = keys->verify(blob);
  if (v) {
    // Only a real signature by the test key verifies; seeds contain none for these keys.
    (void)trust::parse_payload(v->payload, trust::SignatureFormat::sigstore);
  }
  (void)image::signature_format(text);
  return 0;
}
