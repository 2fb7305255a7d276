// SPDX-License-Identifier: Apache-2.0
#include "trust_support.hpp"

namespace trust = hardrun::trust;
namespace image = hardrun::image;
using Kind = trust::SignedIdentity::Kind;

namespace {

const std::string k_d = "sha256:" + std::string(64, 'a');
const std::string k_d2 = "sha256:" + std::string(64, 'b');

bool
matches(const trust::SignedIdentity& rule, const std::string& running, const std::string& signed_ref)
{
  auto r = image::parse_reference(running);
  REQUIRE(r.has_value());
  return trust::identity_matches(rule, *r, signed_ref);
}

trust::SignedIdentity
rule(Kind k, std::string reference = "", std::string prefix = "", std::string signed_prefix = "")
{
  return trust::SignedIdentity{k, std::move(reference), std::move(prefix), std::move(signed_prefix)};
}

} // namespace

TEST_CASE("matchRepoDigestOrExact: same repository for a digest reference (I2, G3)", "[hardrun::trust][identity]")
{
  const auto r = rule(Kind::match_repo_digest_or_exact);
  const std::string run = "127.0.0.1:5000/app/web@" + k_d;
  CHECK(matches(r, run, "127.0.0.1:5000/app/web:v1"));
  CHECK(matches(r, run, "127.0.0.1:5000/app/web@" + k_d2)); // the digest is checked elsewhere
  CHECK(matches(r, "127.0.0.1:5000/app/web:other@" + k_d, "127.0.0.1:5000/app/web:v1")); // tag ignored
  CHECK_FALSE(matches(r, run, "127.0.0.1:5000/app/web")); // name only is never enough
  CHECK_FALSE(matches(r, run, "127.0.0.1:5000/app/db:v1"));
  CHECK_FALSE(matches(r, run, "127.0.0.1:5001/app/web:v1"));
  CHECK_FALSE(matches(r, run, "not a reference"));
  CHECK_FALSE(matches(r, run, ""));
  // Normalisation both directions (I7).
  CHECK(matches(r, "busybox@" + k_d, "docker.io/library/busybox:latest"));
  CHECK(matches(r, "docker.io/library/busybox@" + k_d, "busybox:1"));
  CHECK_FALSE(matches(r, "busybox@" + k_d, "someone/busybox:1"));
  // A tag reference needs the exact tag.
  CHECK(matches(r, "quay.io/a:v1", "quay.io/a:v1"));
  CHECK_FALSE(matches(r, "quay.io/a:v1", "quay.io/a:v2"));
}

TEST_CASE("matchRepository, matchExact, exactReference, exactRepository", "[hardrun::trust][identity]")
{
  const std::string run = "quay.io/app@" + k_d;
  CHECK(matches(rule(Kind::match_repository), run, "quay.io/app"));
  CHECK(matches(rule(Kind::match_repository), run, "quay.io/app:x"));
  CHECK_FALSE(matches(rule(Kind::match_repository), run, "quay.io/other"));

  CHECK(matches(rule(Kind::match_exact), run, "quay.io/app@" + k_d));
  CHECK_FALSE(matches(rule(Kind::match_exact), run, "quay.io/app:v1"));
  CHECK_FALSE(matches(rule(Kind::match_exact), run, "quay.io/app"));
  CHECK_FALSE(matches(rule(Kind::match_exact), run, "quay.io/app@" + k_d2));

  const auto exact_ref = rule(Kind::exact_reference, "docker.io/library/busybox:1");
  CHECK(matches(exact_ref, run, "busybox:1"));
  CHECK_FALSE(matches(exact_ref, run, "busybox:2"));
  CHECK_FALSE(matches(exact_ref, run, "quay.io/app@" + k_d));

  const auto exact_repo = rule(Kind::exact_repository, "docker.io/library/busybox");
  CHECK(matches(exact_repo, run, "busybox:whatever"));
  CHECK(matches(exact_repo, run, "docker.io/library/busybox"));
  CHECK_FALSE(matches(exact_repo, run, "quay.io/app:v1"));
}

TEST_CASE("remapIdentity: the prefix is replaced before matchRepoDigestOrExact", "[hardrun::trust][identity]")
{
  const auto r = rule(Kind::remap_identity, "", "mirror.local:5000/quay", "quay.io");
  CHECK(matches(r, "mirror.local:5000/quay/app@" + k_d, "quay.io/app:v1"));
  CHECK_FALSE(matches(r, "mirror.local:5000/quay/app@" + k_d, "mirror.local:5000/quay/app:v1"));
  // Not under the prefix (component boundary): no remap.
  CHECK(matches(r, "mirror.local:5000/quayx/app@" + k_d, "mirror.local:5000/quayx/app:v1"));
  CHECK_FALSE(matches(r, "mirror.local:5000/quayx/app@" + k_d, "quay.io/x/app:v1"));
  // A remap to a non-canonical name never matches.
  const auto bad = rule(Kind::remap_identity, "", "mirror.local", "docker.io");
  CHECK_FALSE(matches(bad, "mirror.local/busybox@" + k_d, "docker.io/library/busybox:1"));
}
