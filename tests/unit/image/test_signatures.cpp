// SPDX-License-Identifier: Apache-2.0
#include "fixture.hpp"
#include "hardrun/image/signatures.hpp"
#include "hardrun/image/storage.hpp"

using hardrun::image::k_max_signature_bytes;
using hardrun::image::k_max_signatures;
using hardrun::image::k_sigstore_prefix;
using hardrun::image::signature_format;
using hardrun::image::SignatureFormat;
using hardrun::image::split_signatures;
using hardrun::image::split_signatures_by_format;
using hardrun::test::data_path;
using hardrun::test::fx;
using hardrun::test::read_text;

namespace {

std::string
stored(const std::string& image, const std::string& digest)
{
  return read_text(data_path("data/image/storage/overlay-images/" + image + "/"
                             + hardrun::image::big_data_file_name("signature-" + digest.substr(7))));
}

std::string
gpg_blob()
{
  return stored(fx("GPG_IMAGE"), fx("GPG_DIGEST"));
}

std::string
sigstore_blob()
{
  return stored(fx("SIGSTORE_IMAGE"), fx("SIGSTORE_DIGEST"));
}

// A simple-signing message with definite lengths (new-format packets): one-pass signature,
// literal data, signature, as an OpenPGP implementation without compression writes it.
std::string
definite_pgp(char fill)
{
  std::string m;
  m += static_cast<char>(0xC4); // tag 4, new format
  m += static_cast<char>(13);
  m += std::string(13, fill);
  m += static_cast<char>(0xCB); // tag 11 literal
  m += static_cast<char>(20);
  m += std::string(20, fill);
  m += static_cast<char>(0xC2); // tag 2 signature
  m += static_cast<char>(0xC0); // two-octet length: 192 + ...
  m += static_cast<char>(10);   // (0xC0-192)*256 + 10 + 192 = 202
  m += std::string(202, fill);
  return m;
}

} // namespace

TEST_CASE("signatures: formats of the captured blobs", "[hardrun::image][signatures]")
{
  CHECK(signature_format(gpg_blob()) == SignatureFormat::simple_signing);
  CHECK(static_cast<unsigned char>(gpg_blob()[0]) == 0xA3); // gpg's indeterminate compressed packet
  CHECK(signature_format(sigstore_blob()) == SignatureFormat::sigstore);
  CHECK(signature_format("{\"x\":1}") == SignatureFormat::unknown);
  CHECK(signature_format("") == SignatureFormat::unknown);
}

TEST_CASE("signatures: split by the stored sizes", "[hardrun::image][signatures]")
{
  const std::string a = sigstore_blob();
  const std::string b = gpg_blob();
  auto two = split_signatures(a + b, std::vector<std::size_t>{a.size(), b.size()});
  REQUIRE(two);
  REQUIRE(two->size() == 2);
  CHECK((*two)[0] == a);
  CHECK((*two)[1] == b);
  CHECK(split_signatures("", std::vector<std::size_t>{})->empty());
  CHECK_FALSE(split_signatures(a, std::vector<std::size_t>{a.size() + 1}));
  CHECK_FALSE(split_signatures(a + b, std::vector<std::size_t>{a.size()}));
  // Caps: one blob over 64 KiB, more than 100 blobs.
  CHECK_FALSE(split_signatures(std::string(k_max_signature_bytes + 1, 'x'),
                               std::vector<std::size_t>{k_max_signature_bytes + 1}));
  CHECK_FALSE(split_signatures(std::string(k_max_signatures + 1, 'x'),
                               std::vector<std::size_t>(k_max_signatures + 1, 1)));
}

TEST_CASE("signatures: the fallback splitter when sizes are missing", "[hardrun::image][signatures]")
{
  const std::string s = sigstore_blob();
  const std::string g = gpg_blob();
  auto ss = split_signatures_by_format(s + s);
  REQUIRE(ss.size() == 2);
  CHECK(ss[0] == s);
  auto sg = split_signatures_by_format(s + g);
  REQUIRE(sg.size() == 2);
  CHECK(sg[1] == g);
  // gpg's indeterminate-length first packet runs to the end: what follows cannot be separated
  // and stays in one blob (the verifier then requires exactly one signature in it).
  CHECK(split_signatures_by_format(g + s).size() == 1);
  const std::string p1 = definite_pgp('a');
  const std::string p2 = definite_pgp('b');
  auto pp = split_signatures_by_format(p1 + p2 + s);
  REQUIRE(pp.size() == 3);
  CHECK(pp[0] == p1);
  CHECK(pp[1] == p2);
  CHECK(pp[2] == s);
  // Unknown bytes are kept as one blob, never dropped.
  auto junk = split_signatures_by_format(s + "garbage");
  REQUIRE(junk.size() == 2);
  CHECK(junk[1] == "garbage");
  CHECK(split_signatures_by_format(std::string(k_sigstore_prefix) + "{\"a\":\"}\"").size() == 1);
  // Through split_signatures without sizes.
  auto fallback = split_signatures(s + s, std::nullopt);
  REQUIRE(fallback);
  CHECK(fallback->size() == 2);
}
