// SPDX-License-Identifier: Apache-2.0
#include <ctime>

#include "trust_support.hpp"

using namespace hardrun::test;
namespace trust = hardrun::trust;
namespace image = hardrun::image;
using trust::Verdict;

namespace {

std::string
fpr()
{
  return trim_line(read_fixture("gpg/trusted.fpr"));
}

trust::Decision
gpg_decision(const std::vector<std::string>& sigs, const std::string& identity = "", const std::string& reference = "")
{
  TempDir dir;
  const auto p = policy_of(dir, gpg_policy(dir, "gpg/trusted.gpg", identity));
  return decided(p, evidence(sigs, reference));
}

void
check_deny(const trust::Decision& d, const std::string& rule, const std::string& reason_part)
{
  INFO(d.rule << ": " << d.reason << " | fix: " << d.fix);
  CHECK(d.verdict == Verdict::deny);
  CHECK(d.rule == rule);
  CHECK_THAT(d.reason, Catch::Contains(reason_part));
  CHECK_FALSE(d.fix.empty());
  CHECK(d.signer.empty());
}

} // namespace

TEST_CASE("decide: a pinned image signed by a trusted GPG key is allowed", "[hardrun::trust][decide]")
{
  const auto d = gpg_decision({gpg_sig("good")});
  INFO(d.reason);
  CHECK(d.verdict == Verdict::allow);
  CHECK(d.rule == "signed");
  CHECK(d.signer == fpr());
  CHECK(d.scope == k_repo);
  CHECK(d.digest == digest_d());
  CHECK(d.reference == k_repo + "@" + digest_d());
  CHECK_THAT(d.reason, Catch::Contains(fpr()));
  // name:tag@digest is judged by the digest (I2); other signatures do not get in the way.
  CHECK(gpg_decision({gpg_sig("untrusted"), sigstore_good(), gpg_sig("good")}, "", k_repo + ":wrongtag@" + digest_d())
          .verdict == Verdict::allow);
  // Signed by a subkey of an accepted key.
  TempDir dir;
  const auto p = policy_of(dir, gpg_policy(dir, "gpg/subkey.gpg"));
  const auto s = decided(p, evidence({gpg_sig("subkey")}));
  CHECK(s.verdict == Verdict::allow);
  CHECK(s.signer == trim_line(read_fixture("gpg/subkey.fpr")));
}

TEST_CASE("decide: unpinned and invalid references are denied before anything else (I1, I3, I9)",
          "[hardrun::trust][decide]")
{
  check_deny(gpg_decision({gpg_sig("good")}, "", k_repo + ":signed"), "pinned", "not pinned");
  check_deny(gpg_decision({gpg_sig("good")}, "", "busybox"), "pinned", "docker.io/library/busybox");
  check_deny(gpg_decision({gpg_sig("good")}, "", "sha256:" + image_id()), "pinned", "image id");
  const auto tag = gpg_decision({gpg_sig("good")}, "", k_repo + ":signed");
  CHECK_THAT(tag.fix, Catch::Contains("by digest"));
  check_deny(gpg_decision({gpg_sig("good")}, "", k_repo + "@sha256:" + std::string(63, 'a')), "reference", "digest");
  check_deny(gpg_decision({gpg_sig("good")}, "", k_repo + "@sha512:" + std::string(128, 'a')), "reference", "digest");
  check_deny(gpg_decision({gpg_sig("good")}, "", "127.0.0.1:5000/Research/busybox@" + digest_d()), "reference",
             "lowercase");
  check_deny(gpg_decision({gpg_sig("good")}, "", "127.0.0.1:5000/research/b\xd1\x83sybox@" + digest_d()), "reference",
             "non-ASCII");
  check_deny(gpg_decision({gpg_sig("good")}, "", "127.0.0.1:5000/" + std::string(250, 'a') + "@" + digest_d()),
             "reference", "255");
}

TEST_CASE("decide: the manifest must be stored, hash to the pin and name the image's config (I4, I5, I6)",
          "[hardrun::trust][decide]")
{
  TempDir dir;
  const auto p = policy_of(dir, gpg_policy(dir));
  auto ev = evidence({gpg_sig("good")});
  ev.manifests.clear();
  check_deny(decided(p, ev), "manifest-digest", "no signed registry manifest");

  ev = evidence({gpg_sig("good")});
  ev.manifests[digest_d()] = read_fixture("manifests/manifest2.json");
  check_deny(decided(p, ev), "manifest-digest", "manifest digest mismatch");

  ev = evidence({gpg_sig("good")});
  ev.manifests[digest_d()] += " ";
  check_deny(decided(p, ev), "manifest-digest", "mismatch");

  ev = evidence({gpg_sig("good")});
  ev.image_id = image::sha256_digest(read_fixture("manifests/config-other.json")).substr(7);
  check_deny(decided(p, ev), "config-digest", "sha256:" + ev.image_id);

  // The other-config manifest, signed for by nobody, stored under its own digest and run.
  ev = evidence({});
  const std::string other = manifest_digest("manifest-other-config.json");
  ev.reference = k_repo + "@" + other;
  ev.manifests = {{other, read_fixture("manifests/manifest-other-config.json")}};
  check_deny(decided(p, ev), "config-digest", "config");

  ev = evidence({gpg_sig("good")});
  ev.manifests[digest_d()] = std::string(trust::k_manifest_max_bytes + 1, ' ');
  check_deny(decided(p, ev), "manifest-digest", "4 MiB");

  ev = evidence({gpg_sig("good")});
  ev.image_id = "not-hex";
  CHECK_FALSE(trust::decide(p, ev).has_value());
}

TEST_CASE("decide: malformed or unsupported manifests are denied", "[hardrun::trust][decide]")
{
  TempDir dir;
  const auto p = policy_of(dir, gpg_policy(dir));
  auto with_manifest = [&](const std::string& bytes) {
    auto ev = evidence({});
    const std::string d = image::sha256_digest(bytes);
    ev.reference = k_repo + "@" + d;
    ev.manifests = {{d, bytes}};
    return decided(p, ev);
  };
  check_deny(with_manifest(R"({"schemaVersion":1,"name":"x"})"), "manifest-digest", "schemaVersion 2");
  check_deny(with_manifest(R"({"schemaVersion":2,"config":{"digest":"a"},"config":{}})"), "manifest-digest",
             "duplicate");
  check_deny(with_manifest(R"({"schemaVersion":2,"mediaType":"text/plain","config":{}})"), "manifest-digest",
             "unsupported manifest type");
  check_deny(with_manifest(R"({"schemaVersion":2,"config":{},"manifests":[]})"), "manifest-digest", "unsupported");
  check_deny(with_manifest("[]"), "manifest-digest", "manifest");
  // An OCI manifest without mediaType is recognised by its shape.
  const std::string oci = read_fixture("manifests/manifest-oci.json");
  const auto d = with_manifest(oci);
  CHECK(d.rule == "signed"); // got past the manifest checks: unsigned
}

TEST_CASE("decide: a manifest list is admitted only with its running instance stored (I8)", "[hardrun::trust][decide]")
{
  TempDir dir;
  const auto p = policy_of(dir, gpg_policy(dir));
  const std::string di = manifest_digest("index.json");
  auto ev = evidence({});
  ev.reference = k_repo + "@" + di;
  ev.manifests[di] = read_fixture("manifests/index.json");
  ev.signatures[di] = {{gpg_sig("index"), "index#1"}};
  const auto allowed = decided(p, ev);
  INFO(allowed.reason);
  CHECK(allowed.verdict == Verdict::allow);
  CHECK(allowed.digest == di);

  auto missing_instance = ev;
  missing_instance.manifests.erase(digest_d());
  check_deny(decided(p, missing_instance), "manifest-list", "does not list a stored instance");

  auto unlisted = ev;
  const std::string dn = manifest_digest("index-without-instance.json");
  unlisted.reference = k_repo + "@" + dn;
  unlisted.manifests[dn] = read_fixture("manifests/index-without-instance.json");
  unlisted.signatures[dn] = ev.signatures[di];
  check_deny(decided(p, unlisted), "manifest-list", "does not list");

  // The index's signature is for the index digest, not for the instance.
  auto instance_sig = ev;
  instance_sig.signatures[di] = {{gpg_sig("good"), "good#1"}};
  check_deny(decided(p, instance_sig), "signed-digest", di);
}

TEST_CASE("decide: replayed, foreign, untrusted, expired and malformed signatures never count (G2-G8)",
          "[hardrun::trust][decide]")
{
  check_deny(gpg_decision({}), "signed", "no simple-signing signature");
  check_deny(gpg_decision({gpg_sig("replay")}), "signed-digest", manifest_digest("manifest2.json"));
  check_deny(gpg_decision({gpg_sig("other-repo")}), "signed-identity", "127.0.0.1:5000/other/app:signed");
  check_deny(gpg_decision({gpg_sig("name-only")}), "signed-identity", "matchRepoDigestOrExact");
  check_deny(gpg_decision({gpg_sig("docker-hub")}), "signed-identity", "busybox:latest");
  check_deny(gpg_decision({gpg_sig("untrusted")}), "signed", "not one of the policy's keys");
  check_deny(gpg_decision({gpg_sig("two-signatures")}), "signed", "exactly one");
  check_deny(gpg_decision({gpg_sig("wrong-type")}), "signed", "/critical/type");
  check_deny(gpg_decision({gpg_sig("extra-critical")}), "signed", "malformed");
  check_deny(gpg_decision({gpg_sig("duplicate-key")}), "signed", "duplicate");
  check_deny(gpg_decision({gpg_sig("trailing-data")}), "signed", "malformed");
  check_deny(gpg_decision({gpg_sig("cleartext")}), "signed", "1 signature(s) of another format");
  check_deny(gpg_decision({""}), "signed", "another format");
  check_deny(gpg_decision({"\xa3garbage"}), "signed", "test#1");
  // A sigstore blob does not satisfy signedBy, whatever it says (G4).
  check_deny(gpg_decision({sigstore_good()}), "signed", "another format");
  TempDir dir;
  const auto expired = policy_of(dir, gpg_policy(dir, "gpg/expired.gpg"));
  check_deny(decided(expired, evidence({gpg_sig("expired")})), "signed", "expired");
  const auto revoked = policy_of(dir, gpg_policy(dir, "gpg/revoked.gpg"));
  check_deny(decided(revoked, evidence({gpg_sig("revoked")})), "signed", "revoked");
  // The most telling failure is reported, and the fix names the key to sign with.
  const auto d = gpg_decision({gpg_sig("untrusted"), gpg_sig("replay"), ""});
  check_deny(d, "signed-digest", "test#2");
  CHECK_THAT(gpg_decision({}).fix, Catch::Contains("skopeo copy --sign-by " + fpr()));
}

TEST_CASE("decide: signedIdentity variants are honoured", "[hardrun::trust][decide]")
{
  CHECK(gpg_decision({gpg_sig("name-only")}, R"({"type":"matchRepository"})").verdict == Verdict::allow);
  CHECK(gpg_decision({gpg_sig("good-digest-identity")}, R"({"type":"matchExact"})").verdict == Verdict::allow);
  check_deny(gpg_decision({gpg_sig("good")}, R"({"type":"matchExact"})"), "signed-identity", "matchExact");
  CHECK(gpg_decision({gpg_sig("docker-hub")}, R"({"type":"exactReference","dockerReference":"busybox:latest"})")
          .verdict == Verdict::allow);
  check_deny(gpg_decision({gpg_sig("good")}, R"({"type":"exactReference","dockerReference":"busybox:latest"})"),
             "signed-identity", "exactReference");
  CHECK(gpg_decision({gpg_sig("other-repo")}, R"({"type":"exactRepository","dockerRepository":"127.0.0.1:5000/other/app"})")
          .verdict == Verdict::allow);
  CHECK(gpg_decision({gpg_sig("other-repo")},
                     R"({"type":"remapIdentity","prefix":"127.0.0.1:5000/research/busybox","signedPrefix":"127.0.0.1:5000/other/app"})")
          .verdict == Verdict::allow);
  check_deny(gpg_decision({gpg_sig("good")},
                          R"({"type":"remapIdentity","prefix":"127.0.0.1:5000/research","signedPrefix":"127.0.0.1:5000/other"})"),
             "signed-identity", "remapIdentity");
}

TEST_CASE("decide: sigstore signatures with every supported key type (G1, G4, G5)", "[hardrun::trust][decide]")
{
  for (const char* k : {"p256", "p384", "ed25519", "rsa"}) {
    INFO(k);
    TempDir dir;
    const auto p = policy_of(dir, sigstore_policy(dir, k));
    const auto d = decided(p, evidence({sigstore_good(k)}));
    INFO(d.reason);
    CHECK(d.verdict == Verdict::allow);
    CHECK(d.signer.rfind("sha256:", 0) == 0);
  }
  TempDir dir;
  const auto p = policy_of(dir, sigstore_policy(dir));
  const std::string d = digest_d();
  // Real cosign: optional null and a reference without tag; matchRepoDigestOrExact refuses a
  // name-only identity (as c/image), matchRepository accepts it.
  const std::string cosign = sigstore_blob("p256", cosign_payload(k_repo, d));
  check_deny(decided(p, evidence({cosign})), "signed-identity", k_repo);
  const auto repo = policy_of(dir, sigstore_policy(dir, "p256", R"({"type":"matchRepository"})"));
  CHECK(decided(repo, evidence({cosign})).verdict == Verdict::allow);

  check_deny(decided(p, evidence({sigstore_good("untrusted")})), "signed", "does not verify");
  check_deny(decided(p, evidence({sigstore_blob("p256", cosign_payload(k_repo + ":x", manifest_digest("manifest2.json")))})),
             "signed-digest", "another image");
  check_deny(decided(p, evidence({sigstore_blob("p256", cosign_payload("127.0.0.1:5000/other/app:x", d))})),
             "signed-identity", "other/app");
  check_deny(decided(p, evidence({sigstore_blob("p256", cosign_payload(k_repo + ":x", d, "atomic container signature"))})),
             "signed", "/critical/type");
  check_deny(decided(p, evidence({sigstore_blob("p256", cosign_payload(k_repo + ":x", d) + "{}")})), "signed",
             "malformed");
  check_deny(decided(p, evidence({gpg_sig("good")})), "signed", "no sigstore signature");
  const std::string payload = cosign_payload(k_repo + ":x", d);
  check_deny(decided(p, evidence({sigstore_blob("p256", payload, R"(,"dev.sigstore.cosign/certificate":"x")")})),
             "keyless-unsupported", "keyless");
  check_deny(decided(p, evidence({sigstore_blob_raw(base64(payload), "%%%")})), "signed", "base64");
}

TEST_CASE("decide: optional.timestamp is not a freshness check (G12)", "[hardrun::trust][decide][payload]")
{
  // security.md §4.5 G12: the payload's optional.timestamp is written by the signer and
  // authenticated by nobody's clock; a policy without a freshness requirement (hardrun has
  // none) must neither deny a signature whose timestamp is ahead of the host clock (a host
  // clock behind, or a signer's ahead) nor trust one because it looks recent. Far future,
  // far past, the int64 extremes, a timestamp of "now" and none at all decide identically.
  const std::string d = digest_d();
  const std::string reference = k_repo + ":cosign";
  const std::vector<std::string> optionals = {
    "null",
    R"({"creator":"cosign"})",
    R"({"creator":"cosign","timestamp":)" + std::to_string(std::time(nullptr)) + "}",
    R"({"creator":"cosign","timestamp":4102444800})",  // 2100-01-01
    R"({"creator":"cosign","timestamp":253402300799})", // 9999-12-31
    R"({"creator":"cosign","timestamp":9223372036854775807})",
    R"({"creator":"cosign","timestamp":0})",
    R"({"creator":"cosign","timestamp":-9223372036854775808})",
  };
  TempDir dir;
  const auto p = policy_of(dir, sigstore_policy(dir));
  const auto baseline = decided(p, evidence({sigstore_blob("p256", cosign_payload(reference, d))}));
  REQUIRE(baseline.verdict == Verdict::allow);
  for (const auto& optional : optionals) {
    INFO(optional);
    const auto got = decided(p, evidence({sigstore_blob("p256", cosign_payload(reference, d, "cosign container image signature", optional))}));
    INFO(got.reason);
    CHECK(got.verdict == Verdict::allow);
    CHECK(got.rule == baseline.rule);
    CHECK(got.digest == baseline.digest);
    CHECK(got.signer == baseline.signer);
    CHECK(got.reason == baseline.reason);
    // A future timestamp is no excuse either: the same payload under an untrusted key is
    // still denied for the key.
    check_deny(decided(p, evidence({sigstore_blob("untrusted", cosign_payload(reference, d, "cosign container image signature", optional))})),
               "signed", "does not verify");
  }
  // Simple signing (the GPG format) parses the same claims whatever the timestamp: the verifier
  // takes only the digest and the identity from the payload. (A GPG-signed payload with another
  // timestamp cannot be made here: the fixtures' private keys are not kept.)
  const auto simple = trust::SignatureFormat::simple_signing;
  const auto claims = trust::parse_payload(
    cosign_payload(reference, d, "atomic container signature", R"({"creator":"atomic 5.23.1"})"), simple);
  REQUIRE(claims);
  for (const auto& optional : optionals) {
    if (optional == "null") {
      continue; // null is sigstore-only (as c/image); the simple-signing refusal is a G7 case
    }
    INFO(optional);
    const auto other = trust::parse_payload(cosign_payload(reference, d, "atomic container signature", optional), simple);
    REQUIRE(other);
    CHECK(other->manifest_digest == claims->manifest_digest);
    CHECK(other->docker_reference == claims->docker_reference);
  }
}

TEST_CASE("decide: signature caps (G9)", "[hardrun::trust][decide]")
{
  std::vector<std::string> many(trust::k_max_signatures, gpg_sig("untrusted"));
  many.back() = gpg_sig("good");
  CHECK(gpg_decision(many).verdict == Verdict::allow);
  many.push_back(gpg_sig("good"));
  check_deny(gpg_decision(many), "signature-limit", "too many signatures");
  std::string big = gpg_sig("good");
  big.resize(trust::k_signature_max_bytes + 1, '\0');
  check_deny(gpg_decision({big}), "signature-limit", "64 KiB");
  CHECK(gpg_decision({big, gpg_sig("good")}).verdict == Verdict::allow);
}

TEST_CASE("decide: requirement types, AND semantics and scope precedence", "[hardrun::trust][decide][scope]")
{
  TempDir dir;
  const std::string gpg_key = key_copy(dir, "gpg/trusted.gpg");
  const std::string sig_key = key_copy(dir, "sigstore/p256.pub");
  const std::string signed_by = R"({"type":"signedBy","keyType":"GPGKeys","keyPath":")" + gpg_key + "\"}";
  const std::string sigstore = R"({"type":"sigstoreSigned","keyPath":")" + sig_key + "\"}";
  auto policy = [&](const std::string& docker) {
    return policy_of(dir, R"({"default":[{"type":"reject"}],"transports":{"docker":{)" + docker + "}}}");
  };
  const auto both = evidence({gpg_sig("good"), sigstore_good()});

  const auto insecure = decided(policy(R"("127.0.0.1:5000":[{"type":"insecureAcceptAnything"}])"), evidence({}));
  CHECK(insecure.verdict == Verdict::allow);
  CHECK(insecure.rule == "insecure-accept");
  CHECK_THAT(insecure.reason, Catch::Contains("no signature was checked"));
  CHECK(insecure.scope == "127.0.0.1:5000");

  const auto rejected = decided(policy(R"("127.0.0.1:5000/research":[{"type":"reject"}],"127.0.0.1:5000":[{"type":"insecureAcceptAnything"}])"),
                                both);
  check_deny(rejected, "policy-reject", "127.0.0.1:5000/research");
  CHECK(rejected.scope == "127.0.0.1:5000/research");
  check_deny(decided(policy(R"("quay.io":[{"type":"insecureAcceptAnything"}])"), both), "policy-reject", "default");

  // AND: both kinds of signature required.
  const auto anded = policy("\"" + k_repo + "\":[" + signed_by + "," + sigstore + "]");
  const auto ok = decided(anded, both);
  CHECK(ok.verdict == Verdict::allow);
  CHECK_THAT(ok.signer, Catch::Contains(fpr()) && Catch::Contains("sha256:"));
  check_deny(decided(anded, evidence({gpg_sig("good")})), "signed", "no sigstore signature");
  check_deny(decided(anded, evidence({sigstore_good()})), "signed", "no simple-signing signature");
  const auto with_insecure = decided(policy("\"" + k_repo + "\":[{\"type\":\"insecureAcceptAnything\"}," + signed_by + "]"),
                                     evidence({gpg_sig("good")}));
  CHECK(with_insecure.rule == "signed");

  // The identity scope beats the repository, the repository beats the host.
  const auto precise = policy("\"" + k_repo + "@" + digest_d() + "\":[" + signed_by + "],\"" + k_repo +
                              "\":[{\"type\":\"reject\"}],\"127.0.0.1:5000\":[{\"type\":\"reject\"}]");
  const auto p = decided(precise, evidence({gpg_sig("good")}));
  CHECK(p.verdict == Verdict::allow);
  CHECK(p.scope == k_repo + "@" + digest_d());

  // Keyless requirements deny clearly, never allow.
  const auto keyless = policy("\"" + k_repo + R"(":[{"type":"sigstoreSigned","fulcio":{"caPath":"/x","oidcIssuer":"https://i","subjectEmail":"a@b"},"rekorPublicKeyPath":"/r"}])");
  check_deny(decided(keyless, both), "keyless-unsupported", "keyless sigstore");
  const auto x509 = policy("\"" + k_repo + R"(":[{"type":"signedBy","keyType":"X509Certificates","keyPath":"/x"}])");
  check_deny(decided(x509, both), "policy-unsupported", "X509Certificates");
}
