// SPDX-License-Identifier: Apache-2.0
#include "trust_support.hpp"

using namespace hardrun::test;
namespace trust = hardrun::trust;
using trust::SignatureFormat;

namespace {

std::shared_ptr<trust::GpgKeyring>
ring(const std::string& key = "gpg/trusted.gpg")
{
  auto r = std::make_shared<trust::GpgKeyring>();
  auto ok = r->import(read_fixture(key), key);
  if (!ok) {
    FAIL(key << ": " << ok.error().what());
  }
  return r;
}

std::string
gpg_error(const trust::GpgKeyring& r, const std::string& sig)
{
  auto v = r.verify(gpg_sig(sig));
  REQUIRE_FALSE(v.has_value());
  return v.error().what();
}

std::unique_ptr<trust::SigstoreKeys>
keys(std::initializer_list<const char*> names)
{
  auto k = std::make_unique<trust::SigstoreKeys>();
  for (const char* n : names) {
    auto ok = k->add_pem(read_fixture(std::string("sigstore/") + n + ".pub"), n);
    if (!ok) {
      FAIL(n << ": " << ok.error().what());
    }
  }
  return k;
}

std::string
key_error(const std::string& pem)
{
  trust::SigstoreKeys k;
  auto r = k.add_pem(pem, "KEYNAME");
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error().what(), Catch::Contains("KEYNAME"));
  CHECK(k.size() == 0);
  return r.error().what();
}

std::string
payload_error(const std::string& payload, SignatureFormat f)
{
  auto r = trust::parse_payload(payload, f);
  REQUIRE_FALSE(r.has_value());
  return r.error().what();
}

} // namespace

TEST_CASE("signature blobs are told apart by their first bytes", "[hardrun::trust][signature]")
{
  CHECK(trust::signature_format(gpg_sig("good")) == SignatureFormat::simple_signing);
  CHECK(trust::signature_format(sigstore_good()) == SignatureFormat::sigstore);
  CHECK(trust::signature_format(gpg_sig("cleartext")) == SignatureFormat::unknown);
  CHECK(trust::signature_format("") == SignatureFormat::unknown);
  CHECK(trust::signature_format(std::string("\0simple-signing\n", 16)) == SignatureFormat::unknown);
  CHECK(trust::signature_format("{}") == SignatureFormat::unknown);
}

TEST_CASE("simple signing: a good skopeo-style signature verifies in process", "[hardrun::trust][gpg]")
{
  const auto r = ring();
  const std::string fpr = trim_line(read_fixture("gpg/trusted.fpr"));
  REQUIRE(r->fingerprints() == std::vector<std::string>{fpr});
  auto v = r->verify(gpg_sig("good"));
  REQUIRE(v.has_value());
  CHECK(v->signer == fpr);
  auto claims = trust::parse_payload(v->payload, SignatureFormat::simple_signing);
  REQUIRE(claims.has_value());
  CHECK(claims->manifest_digest == digest_d());
  CHECK(claims->docker_reference == k_repo + ":signed");
  // Armored exports load too.
  CHECK(ring("gpg/trusted.asc")->verify(gpg_sig("good")).has_value());
}

TEST_CASE("simple signing: untrusted, expired, revoked, two signatures are refused (G5, G6)", "[hardrun::trust][gpg]")
{
  const auto r = ring();
  CHECK_THAT(gpg_error(*r, "untrusted"), Catch::Contains("not one of the policy's keys"));
  // Two signatures, one by the trusted key: still refused, exactly one is required.
  const auto both = ring("gpg/trusted-and-other.gpg");
  CHECK(both->fingerprints().size() == 2);
  CHECK_THAT(gpg_error(*both, "two-signatures"), Catch::Contains("2 signatures"));
  CHECK_THAT(gpg_error(*r, "two-signatures"), Catch::Contains("2 signatures"));
  CHECK_THAT(gpg_error(*ring("gpg/expired.gpg"), "expired"), Catch::Contains("expired"));
  const std::string revoked = gpg_error(*ring("gpg/revoked.gpg"), "revoked");
  CHECK_THAT(revoked, Catch::Contains("revoked"));
  // The untrusted key's own signature verifies with its own key (the fixture is sound).
  CHECK(ring("gpg/other.gpg")->verify(gpg_sig("untrusted")).has_value());
}

TEST_CASE("simple signing: a subkey signature is attributed to its primary key", "[hardrun::trust][gpg]")
{
  const auto r = ring("gpg/subkey.gpg");
  auto v = r->verify(gpg_sig("subkey"));
  REQUIRE(v.has_value());
  CHECK(v->signer == trim_line(read_fixture("gpg/subkey.fpr")));
}

TEST_CASE("simple signing: corrupt, truncated, empty and oversized blobs are refused (G8, G9)", "[hardrun::trust][gpg]")
{
  const auto r = ring();
  std::string sig = gpg_sig("good");
  CHECK_FALSE(r->verify("").has_value());
  CHECK_FALSE(r->verify(sig.substr(0, sig.size() / 2)).has_value());
  std::string flipped = sig;
  flipped[sig.size() - 20] = static_cast<char>(flipped[sig.size() - 20] ^ 0x55);
  CHECK_FALSE(r->verify(flipped).has_value());
  CHECK_FALSE(r->verify(gpg_sig("cleartext").substr(0, 0) + "\xa3garbage").has_value());
  auto big = r->verify(std::string(trust::k_signature_max_bytes + 1, '\xa3'));
  REQUIRE_FALSE(big.has_value());
  CHECK_THAT(big.error().what(), Catch::Contains("64 KiB"));
}

TEST_CASE("OpenPGP keys that do not load are errors naming the key (P7)", "[hardrun::trust][gpg]")
{
  trust::GpgKeyring r;
  auto garbage = r.import(read_fixture("gpg/garbage.gpg"), "KEYNAME");
  REQUIRE_FALSE(garbage.has_value());
  CHECK_THAT(garbage.error().what(), Catch::Contains("KEYNAME"));
  auto empty = r.import("", "KEYNAME");
  REQUIRE_FALSE(empty.has_value());
  CHECK_THAT(empty.error().what(), Catch::Contains("KEYNAME"));
  auto weak = r.import(read_fixture("gpg/weak.gpg"), "KEYNAME");
  REQUIRE_FALSE(weak.has_value());
  CHECK_THAT(weak.error().what(), Catch::Contains("2048"));
  CHECK(r.fingerprints().empty());
}

TEST_CASE("payloads are parsed as strictly as containers/image does (G4, G7)", "[hardrun::trust][payload]")
{
  const auto r = ring();
  auto payload_of = [&](const std::string& sig) {
    auto v = r->verify(gpg_sig(sig));
    REQUIRE(v.has_value());
    return v->payload;
  };
  const auto simple = SignatureFormat::simple_signing;
  CHECK_THAT(payload_error(payload_of("wrong-type"), simple), Catch::Contains("/critical/type"));
  CHECK_THAT(payload_error(payload_of("extra-critical"), simple), Catch::Contains("unknown key \"x\""));
  CHECK_THAT(payload_error(payload_of("no-optional"), simple), Catch::Contains("/optional"));
  CHECK_THAT(payload_error(payload_of("null-optional"), simple), Catch::Contains("/optional"));
  CHECK_THAT(payload_error(payload_of("fractional-timestamp"), simple), Catch::Contains("timestamp"));
  CHECK_THAT(payload_error(payload_of("duplicate-key"), simple), Catch::Contains("duplicate"));
  CHECK_FALSE(trust::parse_payload(payload_of("trailing-data"), simple).has_value());
  CHECK_THAT(payload_error(payload_of("bad-digest"), simple), Catch::Contains("docker-manifest-digest"));

  const auto cosign = SignatureFormat::sigstore;
  const std::string d = digest_d();
  CHECK(trust::parse_payload(cosign_payload(k_repo, d), cosign).has_value());
  CHECK(trust::parse_payload(cosign_payload(k_repo, d, "cosign container image signature", R"({"creator":"x","timestamp":5,"other":[1]})"),
                             cosign)
          .has_value());
  CHECK_THAT(payload_error(cosign_payload(k_repo, d, "atomic container signature"), cosign), Catch::Contains("type"));
  CHECK_THAT(payload_error(cosign_payload(k_repo, d, "cosign container image signature", R"({"creator":1})"), cosign),
             Catch::Contains("creator"));
  CHECK_THAT(payload_error(cosign_payload(k_repo, d, "cosign container image signature", "[]"), cosign),
             Catch::Contains("/optional"));
  CHECK_THAT(payload_error(cosign_payload(k_repo, "sha512:" + std::string(128, 'a')), cosign),
             Catch::Contains("docker-manifest-digest"));
  CHECK_THAT(payload_error(R"({"critical":{}})", cosign), Catch::Contains("/optional"));
  CHECK_THAT(payload_error(cosign_payload(k_repo, d) + " x", cosign), Catch::Contains("payload"));
  CHECK_THAT(payload_error(R"({"critical":{"identity":{"docker-reference":"a","x":1},"image":{"docker-manifest-digest":")" +
                             d + R"("},"type":"cosign container image signature"},"optional":null})",
                           cosign),
             Catch::Contains("unknown key"));
  CHECK_FALSE(trust::parse_payload(cosign_payload(k_repo, d), SignatureFormat::unknown).has_value());
}

TEST_CASE("sigstore: ECDSA P-256/P-384, Ed25519 and RSA signatures verify (G1)", "[hardrun::trust][sigstore]")
{
  for (const char* k : {"p256", "p384", "ed25519", "rsa"}) {
    INFO(k);
    const auto set = keys({k});
    auto v = set->verify(sigstore_good(k));
    REQUIRE(v.has_value());
    CHECK(v->payload == cosign_payload(k_repo + ":cosign", digest_d()));
    CHECK(v->signer.rfind("sha256:", 0) == 0);
    // Any of several keys may have signed.
    CHECK(keys({"untrusted", k})->verify(sigstore_good(k)).has_value());
  }
}

TEST_CASE("sigstore: untrusted key, tampering, bad base64, DER trailing bytes, keyless are refused (G5, G8)",
          "[hardrun::trust][sigstore]")
{
  const auto set = keys({"p256"});
  auto err = [&](const std::string& blob) {
    auto v = set->verify(blob);
    REQUIRE_FALSE(v.has_value());
    return std::string(v.error().what());
  };
  CHECK_THAT(err(sigstore_good("untrusted")), Catch::Contains("does not verify"));
  const std::string payload = cosign_payload(k_repo + ":cosign", digest_d());
  const std::string sig = sign_raw("p256", payload);
  // The signature covers the exact bytes: one more space fails.
  CHECK_THAT(err(sigstore_blob_raw(base64(payload + " "), base64(sig))), Catch::Contains("does not verify"));
  CHECK_THAT(err(sigstore_blob_raw(base64(payload), "!!!!")), Catch::Contains("base64"));
  CHECK_THAT(err(sigstore_blob_raw(base64(payload), base64(sig).substr(1))), Catch::Contains("base64"));
  CHECK_THAT(err(sigstore_blob_raw("not base64", base64(sig))), Catch::Contains("base64"));
  CHECK_THAT(err(sigstore_blob_raw(base64(payload), "")), Catch::Contains("empty"));
  CHECK_THAT(err(sigstore_blob_raw(base64(payload), base64(sig + std::string(1, '\0')))), Catch::Contains("does not verify"));
  CHECK_THAT(err(sigstore_blob_raw(base64(payload), base64(sig), R"(,"dev.sigstore.cosign/certificate":"x")")),
             Catch::Contains("keyless"));
  // Bundles (Rekor SETs) are extra evidence a key-based requirement does not need (as c/image).
  CHECK(set->verify(sigstore_blob_raw(base64(payload), base64(sig), R"(,"dev.sigstore.cosign/bundle":"{}")")).has_value());
  // The JSON envelope is strict too.
  CHECK_THAT(err(std::string("\0sigstore-json\n", 15) + R"({"mimeType":"x","payload":"","annotations":{}})"),
             Catch::Contains("dev.cosignproject.cosign/signature"));
  CHECK_THAT(err(sigstore_blob_raw(base64(payload), base64(sig)) + "x"), Catch::Contains("sigstore signature"));
  CHECK_THAT(err(std::string("\0sigstore-json\n", 15) + R"({"mimeType":"x","payload":"","annotations":{},"x":1})"),
             Catch::Contains("unknown key"));
  CHECK_THAT(err(gpg_sig("good")), Catch::Contains("not a sigstore signature"));
  CHECK_THAT(err(std::string("\0sigstore-json\n", 15) + std::string(trust::k_signature_max_bytes, ' ')),
             Catch::Contains("64 KiB"));
}

TEST_CASE("sigstore public keys that do not load are errors naming the key (P7)", "[hardrun::trust][sigstore]")
{
  CHECK_THAT(key_error(read_fixture("sigstore/two-keys.pub")), Catch::Contains("more than one PEM block"));
  CHECK_THAT(key_error(read_fixture("sigstore/trailing.pub")), Catch::Contains("trailing"));
  CHECK_THAT(key_error(read_fixture("sigstore/rsa1024.pub")), Catch::Contains("2048"));
  CHECK_THAT(key_error(read_fixture("sigstore/p224.pub")), Catch::Contains("curve"));
  CHECK_THAT(key_error(read_fixture("sigstore/certificate.pub")), Catch::Contains("PUBLIC KEY"));
  CHECK_THAT(key_error(read_fixture("gpg/trusted.asc")), Catch::Contains("PUBLIC KEY"));
  CHECK_THAT(key_error(""), Catch::Contains("PUBLIC KEY"));
  CHECK_THAT(key_error("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), Catch::Contains("DER"));
  CHECK_THAT(key_error("-----BEGIN PUBLIC KEY-----\n@@@@\n-----END PUBLIC KEY-----\n"), Catch::Contains("base64"));
  // DER with a trailing byte inside an otherwise valid PEM.
  std::string pem = read_fixture("sigstore/p256.pub");
  const auto begin = pem.find('\n') + 1;
  const auto end = pem.find("-----END");
  std::string b64;
  for (char c : pem.substr(begin, end - begin)) {
    if (c != '\n') {
      b64 += c;
    }
  }
  auto der = trust::base64_decode(b64);
  REQUIRE(der.has_value());
  CHECK_THAT(key_error("-----BEGIN PUBLIC KEY-----\n" + base64(*der + "x") + "\n-----END PUBLIC KEY-----\n"),
             Catch::Contains("trailing"));
}

TEST_CASE("sigstore: common SPKI forms load by their raw key (no generic decoder), same key id, off-curve refused (P7)",
          "[hardrun::trust][sigstore]")
{
  const auto der_of = [](const std::string& pem) {
    const auto begin = pem.find('\n') + 1;
    std::string b64;
    for (char c : pem.substr(begin, pem.find("-----END") - begin)) {
      if (c != '\n') {
        b64 += c;
      }
    }
    return trust::base64_decode(b64).value();
  };
  const auto pem_of = [](const std::string& der) {
    return "-----BEGIN PUBLIC KEY-----\n" + base64(der) + "\n-----END PUBLIC KEY-----\n";
  };
  // The key id is the SHA-256 of the DER, whichever way the key was built.
  for (const char* k : {"p256", "p384", "ed25519", "rsa"}) {
    INFO(k);
    auto v = keys({k})->verify(sigstore_good(k));
    REQUIRE(v.has_value());
    CHECK(v->signer == hardrun::image::sha256_digest(der_of(read_fixture(std::string("sigstore/") + k + ".pub"))));
  }
  // P-521 (header 30 81 9b …) loads.
  trust::SigstoreKeys p521;
  CHECK(p521.add_pem("-----BEGIN PUBLIC KEY-----\n"
                     "MIGbMBAGByqGSM49AgEGBSuBBAAjA4GGAAQBO05SEeUXP1jegqDkR7XOqvRLnJwn\n"
                     "gsAgIcdHFdGVWOR/yZVXF41eLoCwIG9bQSEPfkID0aHWATiE6PQsWL2G17MBK5cR\n"
                     "OZZtZBEREailSZj5FXoqMtuw8nkUr/e/2GY2H5e8sJGHwZvpCX354ZJUw4liK2aR\n"
                     "11Z9zNj8BpyZhEaIprw=\n"
                     "-----END PUBLIC KEY-----\n",
                     "p521")
          .has_value());
  // Threat: a point that is not on the curve (invalid-curve attacks) must not load.
  std::string der = der_of(read_fixture("sigstore/p256.pub"));
  der.back() = static_cast<char>(der.back() ^ 1);
  CHECK_THAT(key_error(pem_of(der)), Catch::Contains("DER"));
}

TEST_CASE("base64 is strict standard base64", "[hardrun::trust][base64]")
{
  CHECK(trust::base64_decode("").value() == "");
  CHECK(trust::base64_decode("Zm9v").value() == "foo");
  CHECK(trust::base64_decode("Zm8=").value() == "fo");
  CHECK(trust::base64_decode("Zg==").value() == "f");
  CHECK(trust::base64_decode("+/+/").has_value());
  CHECK_FALSE(trust::base64_decode("Zg").has_value());
  CHECK_FALSE(trust::base64_decode("Zh==").has_value());
  CHECK_FALSE(trust::base64_decode("Zm9v\n").has_value());
  CHECK_FALSE(trust::base64_decode("-_-_").has_value());
  CHECK_FALSE(trust::base64_decode("Z===").has_value());
  CHECK_FALSE(trust::base64_decode("Zg==Zm9v").has_value());
  CHECK_FALSE(trust::base64_decode("Zm=v").has_value());
}
