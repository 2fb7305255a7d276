// SPDX-License-Identifier: Apache-2.0
#include <sys/stat.h>

#include <filesystem>

#include "fixture.hpp"
#include "hardrun/image/lookaside.hpp"
#include "hardrun/image/signatures.hpp"
#include "hardrun/image/storage.hpp"

using hardrun::image::add_lookaside_signatures;
using hardrun::image::load_registries_d;
using hardrun::image::lookaside_url;
using hardrun::image::parse_reference;
using hardrun::image::parse_registries_yaml;
using hardrun::image::read_lookaside;
using hardrun::image::RegistriesConfig;
using hardrun::test::data_path;
using hardrun::test::fx;
using hardrun::test::TempDir;
using hardrun::test::write_text;

namespace {

std::string
url_for(const RegistriesConfig& c, const std::string& ref)
{
  auto r = parse_reference(ref);
  REQUIRE(r);
  return lookaside_url(c, *r);
}

} // namespace

TEST_CASE("registries.d: scopes, most specific first", "[hardrun::image][lookaside]")
{
  RegistriesConfig c;
  REQUIRE(parse_registries_yaml(R"(# site defaults
default-docker:
  lookaside: file:///srv/default
docker:
  registry.example:
    lookaside: file:///srv/registry
  registry.example/team:
    sigstore: file:///srv/team
    use-sigstore-attachments: true
  registry.example/team/app:v1:
    lookaside: file:///srv/app-v1
  "127.0.0.1:5000":
    lookaside: https://sigs.example/
)",
                                "a.yaml", c));
  CHECK(url_for(c, "registry.example/team/app:v1") == "file:///srv/app-v1");
  CHECK(url_for(c, "registry.example/team/app:v2") == "file:///srv/team");
  CHECK(url_for(c, "registry.example/team/app@sha256:" + std::string(64, 'a')) == "file:///srv/team");
  CHECK(url_for(c, "registry.example/other") == "file:///srv/registry");
  CHECK(url_for(c, "quay.io/x/y") == "file:///srv/default");
  CHECK(c.docker.at("registry.example/team").use_sigstore_attachments == true);
  RegistriesConfig empty;
  CHECK(url_for(empty, "quay.io/x/y") == std::string(hardrun::image::k_default_lookaside));
}

TEST_CASE("registries.d: unknown keys, duplicates and bad YAML are errors", "[hardrun::image][lookaside]")
{
  RegistriesConfig c;
  CHECK_FALSE(parse_registries_yaml("docker:\n  r.example:\n    lookasdie: file:///x\n", "t.yaml", c));
  CHECK_FALSE(parse_registries_yaml("dokcer: {}\n", "t.yaml", c));
  CHECK_FALSE(parse_registries_yaml("docker:\n  r.example:\n    lookaside: file:///a\n    sigstore: file:///b\n", "t.yaml", c));
  CHECK_FALSE(parse_registries_yaml("docker:\n  r.example: {lookaside: file:///a}\n  r.example: {lookaside: file:///b}\n", "t.yaml", c));
  CHECK_FALSE(parse_registries_yaml("docker: [1, 2]\n", "t.yaml", c));
  CHECK_FALSE(parse_registries_yaml("docker:\n  r: {use-sigstore-attachments: maybe}\n", "t.yaml", c));
  CHECK_FALSE(parse_registries_yaml("docker: {\n", "t.yaml", c));
  RegistriesConfig two;
  REQUIRE(parse_registries_yaml("docker:\n  r.example: {lookaside: file:///a}\n", "a.yaml", two));
  auto dup = parse_registries_yaml("docker:\n  r.example: {lookaside: file:///b}\n", "b.yaml", two);
  REQUIRE_FALSE(dup);
  CHECK_THAT(dup.error().what(), Catch::Contains("already defined in a.yaml"));
  RegistriesConfig blank;
  CHECK(parse_registries_yaml("", "empty.yaml", blank));
}

TEST_CASE("lookaside: the skopeo-written store is read from file:// only", "[hardrun::image][lookaside]")
{
  const std::string base = "file://" + data_path("data/image/lookaside");
  auto ref = parse_reference(fx("REGISTRY") + "/hr/busybox@" + fx("GPG_DIGEST"));
  REQUIRE(ref);
  std::vector<std::string> notes;
  auto sigs = read_lookaside(base, *ref, fx("GPG_DIGEST"), notes);
  REQUIRE(sigs);
  REQUIRE(sigs->size() == 1);
  CHECK(hardrun::image::signature_format((*sigs)[0].bytes) == hardrun::image::SignatureFormat::simple_signing);
  CHECK((*sigs)[0].origin.find("signature-1") != std::string::npos);
  // Another digest: no directory, no signatures.
  CHECK(read_lookaside(base, *ref, fx("SIGSTORE_DIGEST"), notes)->empty());
  // Network URLs are never fetched.
  auto http = read_lookaside("https://sigs.example/x", *ref, fx("GPG_DIGEST"), notes);
  REQUIRE(http);
  CHECK(http->empty());
  CHECK_THAT(notes.back(), Catch::Contains("never uses the network"));
  CHECK_FALSE(read_lookaside("file://relative/x", *ref, fx("GPG_DIGEST"), notes));
}

TEST_CASE("lookaside: registries.d directory and evidence", "[hardrun::image][lookaside]")
{
  hardrun::test::FixtureStore store;
  TempDir dir;
  const std::string rd = dir.file("registries.d");
  std::filesystem::create_directory(rd);
  write_text(rd + "/fixture.yaml", "docker:\n  " + fx("REGISTRY") + ":\n    lookaside: file://"
                                     + data_path("data/image/lookaside") + "\n");
  write_text(rd + "/ignored.conf", "not yaml: [");
  auto config = load_registries_d(rd);
  REQUIRE(config);
  CHECK(config->docker.size() == 1);
  auto ev = hardrun::image::container_evidence(hardrun::image::StorageLocation{store.root(), "overlay"},
                                               fx("CTR_GPG_DIGEST"));
  REQUIRE(ev);
  REQUIRE(add_lookaside_signatures(*config, *ev));
  const auto& sigs = ev->signatures.at(fx("GPG_DIGEST"));
  REQUIRE(sigs.size() == 2); // storage + lookaside (the same bytes, as skopeo wrote both)
  CHECK(sigs[0].bytes == sigs[1].bytes);
  CHECK(sigs[1].origin.rfind("lookaside:", 0) == 0);
  // A group-writable registries.d file is refused: whoever writes it picks the signature source.
  ::chmod((rd + "/fixture.yaml").c_str(), 0664);
  CHECK_FALSE(load_registries_d(rd));
  CHECK(load_registries_d(dir.file("missing"))->docker.empty());
}
