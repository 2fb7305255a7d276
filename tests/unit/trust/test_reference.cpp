// SPDX-License-Identifier: Apache-2.0
#include "../support.hpp"
#include "hardrun/image/reference.hpp"

namespace image = hardrun::image;

namespace {

const std::string k_hex = "d7a74b0e6f5ab8b5433de940356e0dbd7cad0b792626a5bf50eca70ffea1a949";
const std::string k_digest = "sha256:" + k_hex;

std::string
normalised(const std::string& text)
{
  auto r = image::parse_reference(text);
  if (!r) {
    FAIL(text << ": " << r.error().what());
  }
  return r->str();
}

std::string
refused(const std::string& text)
{
  auto r = image::parse_reference(text);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == hardrun::Errc::invalid_input);
  return r.error().what();
}

} // namespace

TEST_CASE("references normalise like docker/reference ParseNormalizedNamed", "[hardrun::image][reference]")
{
  CHECK(normalised("busybox") == "docker.io/library/busybox");
  CHECK(normalised("busybox:1.36") == "docker.io/library/busybox:1.36");
  CHECK(normalised("library/busybox") == "docker.io/library/busybox");
  CHECK(normalised("docker.io/busybox") == "docker.io/library/busybox");
  CHECK(normalised("index.docker.io/busybox") == "docker.io/library/busybox");
  CHECK(normalised("docker.io/library/busybox") == "docker.io/library/busybox");
  CHECK(normalised("foo/bar") == "docker.io/foo/bar");
  CHECK(normalised("localhost/x") == "localhost/x");
  CHECK(normalised("localhost:5000/x:1") == "localhost:5000/x:1");
  CHECK(normalised("127.0.0.1:5000/research/busybox@" + k_digest) == "127.0.0.1:5000/research/busybox@" + k_digest);
  CHECK(normalised("quay.io/a/b/c:v1.0-rc_2") == "quay.io/a/b/c:v1.0-rc_2");
  CHECK(normalised("a.b--c/x__y.z") == "a.b--c/x__y.z");
  // No registry part: "localhost:5000" alone is library/localhost with tag 5000, as upstream.
  CHECK(normalised("localhost:5000") == "docker.io/library/localhost:5000");
}

TEST_CASE("a reference keeps its parts", "[hardrun::image][reference]")
{
  auto r = image::parse_reference("127.0.0.1:5000/app/web:v1@" + k_digest);
  REQUIRE(r.has_value());
  CHECK(r->domain == "127.0.0.1:5000");
  CHECK(r->path == "app/web");
  CHECK(r->tag == "v1");
  CHECK(r->digest == k_digest);
  CHECK(r->pinned());
  CHECK(r->name() == "127.0.0.1:5000/app/web");
  auto t = image::parse_reference("busybox:latest");
  REQUIRE(t.has_value());
  CHECK_FALSE(t->pinned());
  CHECK(t->tag == "latest");
}

TEST_CASE("invalid references are refused (I3, I9)", "[hardrun::image][reference]")
{
  CHECK_THAT(refused(""), Catch::Contains("empty"));
  CHECK_THAT(refused("Busybox"), Catch::Contains("lowercase"));
  CHECK_THAT(refused("example.com/App/web"), Catch::Contains("lowercase"));
  CHECK_THAT(refused(k_hex), Catch::Contains("image id"));
  CHECK_THAT(refused(k_digest), Catch::Contains("image id"));
  CHECK_THAT(refused("busybox@sha256:" + k_hex.substr(1)), Catch::Contains("invalid digest"));
  CHECK_THAT(refused("busybox@sha256:" + k_hex + "0"), Catch::Contains("invalid digest"));
  std::string upper = k_hex;
  upper[0] = 'D';
  CHECK_THAT(refused("busybox@sha256:" + upper), Catch::Contains("invalid digest"));
  CHECK_THAT(refused("busybox@sha512:" + k_hex + k_hex), Catch::Contains("invalid digest"));
  CHECK_THAT(refused("busybox@md5:0123456789abcdef0123456789abcdef"), Catch::Contains("invalid digest"));
  CHECK_THAT(refused("busybox@sha256:../../etc/passwd"), Catch::Contains("invalid digest"));
  CHECK_THAT(refused("busybox@"), Catch::Contains("invalid digest"));
  CHECK_THAT(refused(std::string("busy\0box", 8)), Catch::Contains("non-ASCII"));
  CHECK_THAT(refused("registry.\xd0\xb5xample.com/app"), Catch::Contains("non-ASCII"));
  CHECK_THAT(refused("busy box"), Catch::Contains("non-ASCII"));
  CHECK_THAT(refused("example.com/" + std::string(250, 'a')), Catch::Contains("255"));
  CHECK(normalised("example.com/" + std::string(243, 'a')).size() == 255);
  CHECK_THAT(refused("busybox:"), Catch::Contains("invalid tag"));
  CHECK_THAT(refused("busybox:.x"), Catch::Contains("invalid tag"));
  CHECK_THAT(refused("busybox:" + std::string(129, 'a')), Catch::Contains("invalid tag"));
  CHECK_THAT(refused("example.com:/x"), Catch::Contains("invalid registry"));
  CHECK_THAT(refused("-bad.com/x"), Catch::Contains("invalid registry"));
  CHECK_THAT(refused("example.com/x//y"), Catch::Contains("invalid repository path"));
  CHECK_THAT(refused("example.com/x_-y"), Catch::Contains("invalid repository path"));
  CHECK_THAT(refused("example.com/x/"), Catch::Contains("invalid repository path"));
  CHECK_THAT(refused("example.com/.x"), Catch::Contains("invalid repository path"));
  CHECK_THAT(refused("example.com/x@" + k_digest + "@" + k_digest), Catch::Contains("invalid digest"));
}

TEST_CASE("sha256 digests are exactly 64 lowercase hex", "[hardrun::image][reference]")
{
  CHECK(image::is_sha256_digest(k_digest));
  CHECK_FALSE(image::is_sha256_digest(k_hex));
  CHECK_FALSE(image::is_sha256_digest("sha256:" + k_hex.substr(1)));
  CHECK_FALSE(image::is_sha256_digest("SHA256:" + k_hex));
  CHECK_FALSE(image::is_sha256_digest(std::string("sha256:") + std::string(63, 'a') + '\0'));
  CHECK_FALSE(image::is_sha256_digest(""));
  CHECK(image::sha256_digest("") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(image::sha256_digest("abc") == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
