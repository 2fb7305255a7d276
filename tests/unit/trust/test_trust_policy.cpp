// SPDX-License-Identifier: Apache-2.0
#include "trust_support.hpp"

using namespace hardrun::test;
namespace trust = hardrun::trust;
namespace image = hardrun::image;
using hardrun::Errc;
using Type = trust::Requirement::Type;

namespace {

std::string
load_error(const std::string& text)
{
  TempDir dir;
  auto p = load_policy_text(dir, text);
  REQUIRE_FALSE(p.has_value());
  const std::string what = p.error().what();
  // Every load error names the policy file (R5).
  CHECK_THAT(what, Catch::Contains(dir.file("policy.json")));
  return what;
}

std::string
scope_of(const trust::TrustPolicy& p, const std::string& ref)
{
  auto r = image::parse_reference(ref);
  REQUIRE(r.has_value());
  return p.scope_for(*r).name;
}

const std::string k_accept = R"([{"type":"insecureAcceptAnything"}])";

} // namespace

TEST_CASE("trust policy: missing, empty, malformed files deny everything, naming the path (P1-P3)",
          "[hardrun::trust][policy]")
{
  TempDir dir;
  auto missing = trust::load_trust_policy(dir.file("nope.json"));
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == Errc::not_found);
  CHECK_THAT(missing.error().what(), Catch::Contains(dir.file("nope.json")));
  load_error("");
  CHECK_THAT(load_error("{}"), Catch::Contains("/default: missing"));
  load_error(R"({"default":)");
  load_error(R"({"default":[{"type":"reject"}]} trailing)");
  CHECK_THAT(load_error(R"({"default":[{"type":"reject"}],"default":[]})"), Catch::Contains("duplicate"));
  CHECK_THAT(load_error(R"({"default":[]})"), Catch::Contains("must not be empty"));
  CHECK_THAT(load_error(R"({"default":{}})"), Catch::Contains("array"));
  CHECK_THAT(load_error(R"([])"), Catch::Contains("object"));
}

TEST_CASE("trust policy: unknown keys and requirement types are errors (P4)", "[hardrun::trust][policy]")
{
  CHECK_THAT(load_error(R"({"default":[{"type":"reject"}],"requireDigset":true})"),
             Catch::Contains("unknown key \"requireDigset\""));
  CHECK_THAT(load_error(R"({"default":[{"type":"rejectt"}]})"), Catch::Contains("unknown policy requirement type"));
  CHECK_THAT(load_error(R"({"default":[{"type":"reject","x":1}]})"), Catch::Contains("unknown key \"x\""));
  CHECK_THAT(load_error(R"({"default":[{"type":"insecureAcceptAnything","keyPath":"/x"}]})"),
             Catch::Contains("unknown key \"keyPath\""));
  CHECK_THAT(load_error(R"({"default":[{}]})"), Catch::Contains("/default/0/type: missing"));
  CHECK_THAT(load_error(R"({"default":[{"type":"reject"}],"transports":{"docker":{"quay.io":[{"type":"signedBy","keyType":"GPGKeys","keyData":"AAAA","signedIdentity":{"type":"matchSomething"}}]}}})"),
             Catch::Contains("unknown signedIdentity type"));
  // Unknown requirements are errors in every transport, even ones hardrun never consults.
  CHECK_THAT(load_error(R"({"default":[{"type":"reject"}],"transports":{"atomic":{"x":[{"type":"nope"}]}}})"),
             Catch::Contains("/transports/atomic/x/0/type"));
  CHECK_THAT(load_error(R"({"default":[{"type":"reject"}],"transports":{"docker":{"quay.io":[]}}})"),
             Catch::Contains("must not be empty"));
}

TEST_CASE("trust policy: requirement shapes follow containers/image", "[hardrun::trust][policy]")
{
  TempDir dir;
  const std::string key = key_copy(dir, "gpg/trusted.gpg");
  auto signed_by = [&](const std::string& fields) {
    return R"({"default":[{"type":"signedBy")" + fields + "}]}";
  };
  CHECK_THAT(load_error(signed_by(R"(,"keyPath":")" + key + "\"")), Catch::Contains("keyType: missing"));
  CHECK_THAT(load_error(signed_by(R"(,"keyType":"PGP","keyPath":")" + key + "\"")), Catch::Contains("unknown keyType"));
  CHECK_THAT(load_error(signed_by(R"(,"keyType":"GPGKeys")")), Catch::Contains("exactly one of keyPath"));
  CHECK_THAT(load_error(signed_by(R"(,"keyType":"GPGKeys","keyPath":")" + key + R"(","keyPaths":[")" + key + "\"]")),
             Catch::Contains("exactly one of keyPath"));
  CHECK_THAT(load_error(signed_by(R"(,"keyType":"GPGKeys","keyPaths":[])")), Catch::Contains("no entries"));
  CHECK_THAT(load_error(signed_by(R"(,"keyType":"GPGKeys","keyData":"not base64!")")), Catch::Contains("base64"));
  CHECK_THAT(load_error(R"({"default":[{"type":"sigstoreSigned"}]})"), Catch::Contains("exactly one of keyPath"));
  CHECK_THAT(load_error(R"({"default":[{"type":"signedBy","keyType":"GPGKeys","keyData":"AAAA","signedIdentity":{"type":"exactReference","dockerReference":"busybox"}}]})"),
             Catch::Contains("neither a tag nor a digest"));
  CHECK_THAT(load_error(R"({"default":[{"type":"signedBy","keyType":"GPGKeys","keyData":"AAAA","signedIdentity":{"type":"remapIdentity","prefix":"Bad Prefix","signedPrefix":"quay.io"}}]})"),
             Catch::Contains("prefix"));
  CHECK_THAT(load_error(R"({"default":[{"type":"signedBy","keyType":"GPGKeys","keyData":"AAAA","signedIdentity":{"type":"matchExact","x":1}}]})"),
             Catch::Contains("unknown key \"x\""));

  // Every way of naming keys and identities loads.
  const std::string asc = key_copy(dir, "gpg/trusted.asc");
  const std::string pub = key_copy(dir, "sigstore/p256.pub");
  const std::string p384 = key_copy(dir, "sigstore/p384.pub");
  const std::string gpg_data = base64(read_fixture("gpg/trusted.gpg"));
  const std::string pem_data = base64(read_fixture("sigstore/ed25519.pub"));
  auto p = policy_of(dir, R"({"default":[{"type":"reject"}],"transports":{"docker":{
    "a.io/p":[{"type":"signedBy","keyType":"GPGKeys","keyPath":")" + key + R"("}],
    "a.io/ps":[{"type":"signedBy","keyType":"GPGKeys","keyPaths":[")" + key + R"(",")" + asc + R"("]}],
    "a.io/d":[{"type":"signedBy","keyType":"GPGKeys","keyData":")" + gpg_data + R"(","signedIdentity":{"type":"matchRepository"}}],
    "a.io/s":[{"type":"sigstoreSigned","keyPath":")" + pub + R"(","signedIdentity":{"type":"matchExact"}}],
    "a.io/ss":[{"type":"sigstoreSigned","keyPaths":[")" + pub + R"(",")" + p384 + R"("],"signedIdentity":{"type":"exactReference","dockerReference":"busybox:1"}}],
    "a.io/sd":[{"type":"sigstoreSigned","keyData":")" + pem_data + R"(","signedIdentity":{"type":"exactRepository","dockerRepository":"busybox"}}],
    "a.io/sds":[{"type":"sigstoreSigned","keyDatas":[")" + pem_data + R"("],"signedIdentity":{"type":"remapIdentity","prefix":"a.io","signedPrefix":"b.io/mirror"}}],
    "a.io/both":[{"type":"insecureAcceptAnything"},{"type":"reject"}]}}})");
  const auto& s = p.docker_scopes();
  REQUIRE(s.size() == 8);
  CHECK(s.at("a.io/p").requirements.at(0).type == Type::signed_by);
  CHECK(s.at("a.io/p").requirements.at(0).identity.kind == trust::SignedIdentity::Kind::match_repo_digest_or_exact);
  CHECK(s.at("a.io/ps").requirements.at(0).gpg_keys->fingerprints().size() == 1);
  CHECK(s.at("a.io/d").requirements.at(0).identity.kind == trust::SignedIdentity::Kind::match_repository);
  CHECK(s.at("a.io/s").requirements.at(0).sigstore_keys->size() == 1);
  CHECK(s.at("a.io/s").requirements.at(0).identity.kind == trust::SignedIdentity::Kind::match_exact);
  CHECK(s.at("a.io/ss").requirements.at(0).sigstore_keys->size() == 2);
  CHECK(s.at("a.io/ss").requirements.at(0).identity.reference == "docker.io/library/busybox:1");
  CHECK(s.at("a.io/sd").requirements.at(0).identity.reference == "docker.io/library/busybox");
  CHECK(s.at("a.io/sds").requirements.at(0).identity.signed_prefix == "b.io/mirror");
  CHECK(s.at("a.io/both").requirements.size() == 2);
  CHECK(s.at("a.io/both").requirements.at(1).pointer == "/transports/docker/a.io~1both/1");
}

TEST_CASE("trust policy: relative keyPaths resolve against the policy's directory", "[hardrun::trust][policy]")
{
  TempDir dir;
  key_copy(dir, "gpg/trusted.gpg");
  auto p = policy_of(dir, R"({"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"gpg-trusted.gpg"}]})");
  CHECK(p.default_scope().requirements.at(0).gpg_keys->fingerprints().size() == 1);
}

TEST_CASE("trust policy: keys that fail to load are errors naming the key (P6, P7)", "[hardrun::trust][policy]")
{
  TempDir dir;
  auto gpg = [&](const std::string& fixture) {
    return load_error(R"({"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":")" + key_copy(dir, fixture) + "\"}]}");
  };
  auto sigstore = [&](const std::string& fixture) {
    return load_error(R"({"default":[{"type":"sigstoreSigned","keyPath":")" + key_copy(dir, fixture) + "\"}]}");
  };
  CHECK_THAT(gpg("gpg/garbage.gpg"), Catch::Contains("gpg-garbage.gpg"));
  CHECK_THAT(gpg("gpg/weak.gpg"), Catch::Contains("gpg-weak.gpg") && Catch::Contains("2048"));
  CHECK_THAT(sigstore("sigstore/two-keys.pub"), Catch::Contains("sigstore-two-keys.pub"));
  CHECK_THAT(sigstore("sigstore/trailing.pub"), Catch::Contains("sigstore-trailing.pub"));
  CHECK_THAT(sigstore("sigstore/rsa1024.pub"), Catch::Contains("sigstore-rsa1024.pub") && Catch::Contains("2048"));
  CHECK_THAT(sigstore("sigstore/p224.pub"), Catch::Contains("sigstore-p224.pub") && Catch::Contains("curve"));
  CHECK_THAT(sigstore("sigstore/certificate.pub"), Catch::Contains("sigstore-certificate.pub"));
  CHECK_THAT(sigstore("gpg/trusted.gpg"), Catch::Contains("gpg-trusted.gpg"));
  CHECK_THAT(load_error(R"({"default":[{"type":"sigstoreSigned","keyPath":")" + dir.file("absent.pub") + "\"}]}"),
             Catch::Contains("absent.pub"));
  // A key anyone can rewrite decides what runs (P6).
  const std::string writable = key_copy(dir, "sigstore/p256.pub");
  REQUIRE(::chmod(writable.c_str(), 0666) == 0);
  CHECK_THAT(load_error(R"({"default":[{"type":"sigstoreSigned","keyPath":")" + writable + "\"}]}"),
             Catch::Contains("insecure permissions"));
  // So does the policy itself.
  const std::string path = dir.file("policy.json");
  write_text(path, R"({"default":[{"type":"reject"}]})");
  REQUIRE(::chmod(path.c_str(), 0666) == 0);
  auto p = hardrun::trust::load_trust_policy(path);
  REQUIRE_FALSE(p.has_value());
  CHECK(p.error().code == Errc::insecure);
}

TEST_CASE("trust policy: keyless and other unverifiable requirements load but deny (P5)", "[hardrun::trust][policy]")
{
  TempDir dir;
  const std::string pub = key_copy(dir, "sigstore/p256.pub");
  auto p = policy_of(dir, R"({"default":[{"type":"reject"}],"transports":{"docker":{
    "a.io/fulcio":[{"type":"sigstoreSigned","fulcio":{"caPath":"/x","oidcIssuer":"https://x","subjectEmail":"a@b"},"rekorPublicKeyPath":"/y"}],
    "a.io/pki":[{"type":"sigstoreSigned","pki":{"caRootsPath":"/x","subjectEmail":"a@b"}}],
    "a.io/rekor":[{"type":"sigstoreSigned","keyPath":")" + pub + R"(","rekorPublicKeyPath":"/y"}],
    "a.io/x509":[{"type":"signedBy","keyType":"X509Certificates","keyPath":"/nonexistent"}]}}})");
  for (const char* s : {"a.io/fulcio", "a.io/pki", "a.io/rekor", "a.io/x509"}) {
    INFO(s);
    CHECK_FALSE(p.docker_scopes().at(s).requirements.at(0).unsupported.empty());
  }
  CHECK_THAT(p.docker_scopes().at("a.io/fulcio").requirements.at(0).unsupported, Catch::Contains("keyless"));
  CHECK_THAT(load_error(R"({"default":[{"type":"sigstoreSigned","fulcio":{"caPath":"/x","typo":1}}]})"),
             Catch::Contains("unknown key \"typo\""));
}

TEST_CASE("trust policy: docker scopes are qualified names, hosts or wildcards", "[hardrun::trust][policy]")
{
  auto with_scope = [](const std::string& scope) {
    return R"({"default":[{"type":"reject"}],"transports":{"docker":{")" + scope + R"(":[{"type":"reject"}]}}})";
  };
  CHECK_THAT(load_error(with_scope("busybox/x")), Catch::Contains("registry host"));
  CHECK_THAT(load_error(with_scope("docker.io/Busybox")), Catch::Contains("not a valid"));
  CHECK_THAT(load_error(with_scope("quay.io/a:1@sha256:" + std::string(64, 'a'))), Catch::Contains("canonical"));
  CHECK_THAT(load_error(with_scope("*.")), Catch::Contains("wildcard"));
  CHECK_THAT(load_error(with_scope("index.docker.io/library/busybox")), Catch::Contains("registry host"));
  TempDir dir;
  for (const std::string& ok : std::vector<std::string>{"", "quay.io", "localhost:5000", "*.example.com", "docker.io/library",
                               "quay.io/a/b:tag", "quay.io/a@sha256:" + std::string(64, 'a')}) {
    INFO(ok);
    CHECK(load_policy_text(dir, with_scope(ok)).has_value());
  }
  // Other transports' scopes are not docker names and are not judged.
  CHECK(load_policy_text(dir, R"({"default":[{"type":"reject"}],"transports":{"docker-daemon":{"":[{"type":"insecureAcceptAnything"}]},"dir":{"/some/path":[{"type":"reject"}]}}})")
          .has_value());
}

TEST_CASE("trust policy: the most specific docker scope applies (I7)", "[hardrun::trust][policy][scope]")
{
  TempDir dir;
  const std::string d = std::string("sha256:") + std::string(64, 'a');
  auto p = policy_of(dir, R"({"default":)" + k_accept + R"(,"transports":{"docker":{
    "127.0.0.1:5000/app/web@)" + d + R"(":)" + k_accept + R"(,
    "127.0.0.1:5000/app/web:v1":)" + k_accept + R"(,
    "127.0.0.1:5000/app/web":)" + k_accept + R"(,
    "127.0.0.1:5000/app":)" + k_accept + R"(,
    "127.0.0.1:5000":)" + k_accept + R"(,
    "docker.io/library/busybox":)" + k_accept + R"(,
    "docker.io/library":)" + k_accept + R"(,
    "*.example.com":)" + k_accept + R"(,
    "*.com":)" + k_accept + R"(},
    "docker-daemon":{"":[{"type":"reject"}]}}})");
  CHECK(scope_of(p, "127.0.0.1:5000/app/web@" + d) == "127.0.0.1:5000/app/web@" + d);
  // A tag next to the digest does not change the scope: judged by the digest.
  CHECK(scope_of(p, "127.0.0.1:5000/app/web:v1@" + d) == "127.0.0.1:5000/app/web@" + d);
  CHECK(scope_of(p, "127.0.0.1:5000/app/web:v1") == "127.0.0.1:5000/app/web:v1");
  CHECK(scope_of(p, "127.0.0.1:5000/app/web@sha256:" + std::string(64, 'b')) == "127.0.0.1:5000/app/web");
  CHECK(scope_of(p, "127.0.0.1:5000/app/db:v1") == "127.0.0.1:5000/app");
  CHECK(scope_of(p, "127.0.0.1:5000/other") == "127.0.0.1:5000");
  CHECK(scope_of(p, "127.0.0.1:5001/other") == "default");
  // Normalisation both ways: short names reach docker.io scopes.
  CHECK(scope_of(p, "busybox") == "docker.io/library/busybox");
  CHECK(scope_of(p, "docker.io/library/busybox:1") == "docker.io/library/busybox");
  CHECK(scope_of(p, "alpine") == "docker.io/library");
  CHECK(scope_of(p, "someone/alpine") == "default");
  CHECK(scope_of(p, "registry.example.com/x") == "*.example.com");
  CHECK(scope_of(p, "a.b.example.com:443/x") == "*.example.com");
  CHECK(scope_of(p, "other.com/x") == "*.com");
  CHECK(scope_of(p, "localhost/x") == "default");

  auto q = policy_of(dir, R"({"default":[{"type":"reject"}],"transports":{"docker":{"":)" + k_accept + "}}}");
  CHECK(scope_of(q, "quay.io/x") == "docker");
  auto only_default = policy_of(dir, R"({"default":[{"type":"reject"}],"transports":{"atomic":{"":)" + k_accept + "}}}");
  CHECK(scope_of(only_default, "quay.io/x") == "default");
}
