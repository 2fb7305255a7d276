// SPDX-License-Identifier: Apache-2.0
// sha256_digest (reference.hpp) lives here, in hardrun::image, not with the reference grammar in
// the core library: the core library is what the runtime shim links, and one OpenSSL call there
// made every container create map and relocate libcrypto (README.md "Performance").
#include <openssl/evp.h>

#include <array>

#include "hardrun/image/reference.hpp"

namespace hardrun::image {

std::string
sha256_digest(std::string_view bytes)
{
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  // EVP_Digest cannot fail for SHA-256 on in-memory data short of allocation failure; an empty
  // result then can never equal a real digest, so a comparison fails closed.
  if (EVP_Digest(bytes.data(), bytes.size(), md.data(), &len, EVP_sha256(), nullptr) != 1 || len != 32) {
    return {};
  }
  static constexpr std::string_view k_hex = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < len; ++i) {
    out += k_hex[md[i] >> 4U];
    out += k_hex[md[i] & 0x0fU];
  }
  return out;
}

} // namespace hardrun::image
