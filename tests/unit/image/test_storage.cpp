// SPDX-License-Identifier: Apache-2.0
#include <sys/stat.h>

#include <filesystem>

#include "fixture.hpp"
#include "hardrun/image/identity.hpp"
#include "hardrun/image/reference.hpp"
#include "hardrun/image/signatures.hpp"
#include "hardrun/image/storage.hpp"
#include "hardrun/spec/json.hpp"

using hardrun::Errc;
using hardrun::image::big_data_file_name;
using hardrun::image::container_evidence;
using hardrun::image::location_of_bundle;
using hardrun::image::lookup_image_evidence;
using hardrun::image::sha256_digest;
using hardrun::image::signature_format;
using hardrun::image::SignatureFormat;
using hardrun::image::StorageLocation;
using hardrun::test::FixtureStore;
using hardrun::test::fx;
using hardrun::test::read_text;
using hardrun::test::write_text;

namespace {

StorageLocation
loc_of(const FixtureStore& s)
{
  return StorageLocation{s.root(), "overlay"};
}

hardrun::spec::Json
parse_array(const std::string& text)
{
  return hardrun::spec::Json::parse(text);
}

void
write_json(const std::string& path, const hardrun::spec::Json& j)
{
  write_text(path, j.dump(1));
  ::chmod(path.c_str(), 0600);
}

} // namespace

TEST_CASE("storage: the bundle path names graph root, driver and container", "[hardrun::image][storage]")
{
  const std::string id(64, 'a');
  auto loc = location_of_bundle("/var/lib/containers/storage/overlay-containers/" + id + "/userdata", id);
  REQUIRE(loc);
  CHECK(loc->root == "/var/lib/containers/storage");
  CHECK(loc->driver == "overlay");
  CHECK(loc->images_dir() == "/var/lib/containers/storage/overlay-images");
  // Another container's bundle, or anything else, is refused.
  CHECK_FALSE(location_of_bundle("/var/lib/containers/storage/overlay-containers/" + std::string(64, 'b') + "/userdata", id));
  CHECK_FALSE(location_of_bundle("/var/lib/containers/storage/overlay/" + id + "/userdata", id));
  CHECK_FALSE(location_of_bundle("/srv/bundle", id));
  CHECK_FALSE(location_of_bundle("/x/OVERLAY-containers/" + id + "/userdata", id));
}

TEST_CASE("storage: big-data file names follow c/storage", "[hardrun::image][storage]")
{
  CHECK(big_data_file_name("manifest") == "manifest");
  CHECK(big_data_file_name("signatures") == "signatures");
  const std::string key = "manifest-" + fx("GPG_DIGEST");
  const std::string name = big_data_file_name(key);
  CHECK(name.front() == '=');
  // The captured file exists under exactly that name.
  CHECK(std::filesystem::exists(hardrun::test::data_path("data/image/storage/overlay-images/" + fx("GPG_IMAGE") + "/" + name)));
}

TEST_CASE("storage: a container run by digest, GPG-signed (real podman 4.3.1 store)", "[hardrun::image][storage]")
{
  FixtureStore store;
  auto ev = container_evidence(loc_of(store), fx("CTR_GPG_DIGEST"));
  REQUIRE(ev);
  const std::string digest = fx("GPG_DIGEST");
  CHECK(ev->source == "containers-storage");
  CHECK(ev->container_id == fx("CTR_GPG_DIGEST"));
  CHECK(ev->reference == fx("REGISTRY") + "/hr/busybox@" + digest);
  CHECK(ev->image_id == fx("GPG_IMAGE"));
  REQUIRE(ev->manifests.size() == 1);
  REQUIRE(ev->manifests.count(digest) == 1);
  CHECK(sha256_digest(ev->manifests.at(digest)) == digest);
  const auto manifest = hardrun::spec::Json::parse(ev->manifests.at(digest));
  CHECK(manifest["config"]["digest"] == "sha256:" + fx("GPG_IMAGE"));
  REQUIRE(ev->signatures.at(digest).size() == 1);
  CHECK(signature_format(ev->signatures.at(digest)[0].bytes) == SignatureFormat::simple_signing);
  CHECK(ev->signatures.at(digest)[0].origin.rfind("storage:signature-", 0) == 0);
  CHECK(ev->notes.empty());
}

TEST_CASE("storage: sigstore by digest, by tag, and a local name", "[hardrun::image][storage]")
{
  FixtureStore store;
  auto sig = container_evidence(loc_of(store), fx("CTR_SIGSTORE_DIGEST"));
  REQUIRE(sig);
  REQUIRE(sig->signatures.at(fx("SIGSTORE_DIGEST")).size() == 1);
  CHECK(signature_format(sig->signatures.at(fx("SIGSTORE_DIGEST"))[0].bytes) == SignatureFormat::sigstore);

  // By tag: the record does not say which manifest the tag meant, so every one is a candidate.
  auto tag = container_evidence(loc_of(store), fx("CTR_BY_TAG"));
  REQUIRE(tag);
  CHECK(tag->reference == fx("REGISTRY") + "/hr/busybox:cosign");
  CHECK(tag->manifests.size() == 2);
  CHECK(tag->signatures.at(fx("SIGSTORE_DIGEST")).size() == 1);

  // The local import name: the import manifest has an empty signature blob.
  auto local = container_evidence(loc_of(store), fx("CTR_LOCAL"));
  REQUIRE(local);
  CHECK(local->reference == "localhost/hr-fixture-gpg:latest");
  CHECK(local->manifests.size() == 2);
  std::size_t empty = 0;
  for (const auto& [d, sigs] : local->signatures) {
    empty += sigs.empty() ? 1 : 0;
  }
  CHECK(empty == 1);
}

TEST_CASE("storage: volatile-containers.json, duplicates and unknown containers", "[hardrun::image][storage]")
{
  FixtureStore store;
  auto all = parse_array(read_text(store.containers_json()));
  hardrun::spec::Json keep = hardrun::spec::Json::array();
  hardrun::spec::Json moved = hardrun::spec::Json::array();
  for (const auto& c : all) {
    (c["id"] == fx("CTR_SIGSTORE_DIGEST") ? moved : keep).push_back(c);
  }
  const std::string volatile_json = store.root() + "/overlay-containers/volatile-containers.json";
  write_json(store.containers_json(), keep);
  write_json(volatile_json, moved);
  auto ev = container_evidence(loc_of(store), fx("CTR_SIGSTORE_DIGEST"));
  REQUIRE(ev);
  CHECK(ev->image_id == fx("SIGSTORE_IMAGE"));

  // In both files: which one would c/storage use? Refused.
  write_json(store.containers_json(), all);
  auto both = container_evidence(loc_of(store), fx("CTR_SIGSTORE_DIGEST"));
  REQUIRE_FALSE(both);
  CHECK_THAT(both.error().what(), Catch::Contains("more than once"));

  auto unknown = container_evidence(loc_of(store), std::string(64, 'f'));
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == Errc::not_found);
}

TEST_CASE("storage: hostile records are refused (R8, R9)", "[hardrun::image][storage]")
{
  FixtureStore store;
  const std::string id = fx("CTR_GPG_DIGEST");
  const std::string original = read_text(store.containers_json());

  SECTION("a duplicate key inside the record")
  {
    std::string text = original;
    const auto pos = text.find("\"id\": \"" + id + "\"");
    REQUIRE(pos != std::string::npos);
    text.insert(pos, "\"image\": \"" + std::string(64, 'b') + "\", ");
    write_text(store.containers_json(), text);
    auto r = container_evidence(loc_of(store), id);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().what(), Catch::Contains("duplicate key"));
  }
  SECTION("an escaped id still finds its record")
  {
    std::string text = original;
    const auto pos = text.find("\"id\": \"" + id + "\"");
    text.replace(pos + 7, 1, "\\u00" + std::string(1, "0123456789abcdef"[static_cast<unsigned char>(id[0]) >> 4])
                               + std::string(1, "0123456789abcdef"[static_cast<unsigned char>(id[0]) & 15]));
    write_text(store.containers_json(), text);
    auto r = container_evidence(loc_of(store), id);
    INFO((r ? std::string() : r.error().what()));
    REQUIRE(r);
    CHECK(r->image_id == fx("GPG_IMAGE"));
  }
  SECTION("an image id that is not a digest hex (path traversal)")
  {
    std::string text = original;
    const auto pos = text.find(fx("GPG_IMAGE"));
    text.replace(pos, 64, "../../../../etc");
    write_text(store.containers_json(), text);
    auto r = container_evidence(loc_of(store), id);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().what(), Catch::Contains("not a 64-hex image id"));
  }
  SECTION("truncated and trailing data")
  {
    write_text(store.containers_json(), original.substr(0, original.size() / 2));
    CHECK_FALSE(container_evidence(loc_of(store), id));
    write_text(store.containers_json(), original + "[]");
    CHECK_FALSE(container_evidence(loc_of(store), id));
  }
  SECTION("a symlinked or world-writable images.json")
  {
    std::filesystem::rename(store.images_json(), store.images_json() + ".real");
    std::filesystem::create_symlink(store.images_json() + ".real", store.images_json());
    auto link = container_evidence(loc_of(store), id);
    REQUIRE_FALSE(link);
    CHECK(link.error().code == Errc::insecure);
    std::filesystem::remove(store.images_json());
    std::filesystem::rename(store.images_json() + ".real", store.images_json());
    ::chmod(store.images_json().c_str(), 0666);
    auto ww = container_evidence(loc_of(store), id);
    REQUIRE_FALSE(ww);
    CHECK(ww.error().code == Errc::insecure);
  }
}

TEST_CASE("storage: signatures-sizes lost by a later pull (formats.md §4.4)", "[hardrun::image][storage]")
{
  FixtureStore store;
  auto images = parse_array(read_text(store.images_json()));
  for (auto& img : images) {
    if (img["id"] == fx("GPG_IMAGE")) {
      img["metadata"] = R"({"signatures-sizes":{}})";
    }
  }
  write_json(store.images_json(), images);
  auto ev = container_evidence(loc_of(store), fx("CTR_GPG_DIGEST"));
  REQUIRE(ev);
  REQUIRE(ev->signatures.at(fx("GPG_DIGEST")).size() == 1);
  CHECK(signature_format(ev->signatures.at(fx("GPG_DIGEST"))[0].bytes) == SignatureFormat::simple_signing);
  REQUIRE(ev->notes.size() == 1);
  CHECK_THAT(ev->notes[0], Catch::Contains("no signatures-sizes"));

  // Sizes that do not cover the blob: the stored signatures are unusable (fail closed).
  for (auto& img : images) {
    if (img["id"] == fx("GPG_IMAGE")) {
      img["metadata"] = R"({"signatures-sizes":{")" + fx("GPG_DIGEST") + R"(":[10]}})";
    }
  }
  write_json(store.images_json(), images);
  auto bad = container_evidence(loc_of(store), fx("CTR_GPG_DIGEST"));
  REQUIRE(bad);
  CHECK(bad->signatures.count(fx("GPG_DIGEST")) == 0);
  CHECK_THAT(bad->notes.at(0), Catch::Contains("unusable"));
}

TEST_CASE("storage: lookup by reference for hardrun verify", "[hardrun::image][storage]")
{
  FixtureStore store;
  const std::string repo = fx("REGISTRY") + "/hr/busybox";
  auto ev = lookup_image_evidence(loc_of(store), repo + ":sometag@" + fx("SIGSTORE_DIGEST"));
  REQUIRE(ev);
  CHECK(ev->reference == repo + "@" + fx("SIGSTORE_DIGEST"));
  CHECK(ev->image_id == fx("SIGSTORE_IMAGE"));
  CHECK(ev->container_id.empty());
  CHECK(ev->signatures.at(fx("SIGSTORE_DIGEST")).size() == 1);

  auto other_repo = lookup_image_evidence(loc_of(store), fx("REGISTRY") + "/other/busybox@" + fx("SIGSTORE_DIGEST"));
  REQUIRE_FALSE(other_repo);
  CHECK(other_repo.error().code == Errc::not_found);
  CHECK_FALSE(lookup_image_evidence(loc_of(store), repo + ":cosign"));
  CHECK_FALSE(lookup_image_evidence(loc_of(store), repo + "@sha256:" + std::string(64, '0')));
  auto probed = hardrun::image::probe_location(store.root());
  REQUIRE(probed);
  CHECK(probed->driver == "overlay");
}

TEST_CASE("storage: the match is found behind 1000 near-copies", "[hardrun::image][storage][scale]")
{
  FixtureStore store;
  auto images = parse_array(read_text(store.images_json()));
  auto containers = parse_array(read_text(store.containers_json()));
  // Pad both files to 1000 records that are near-copies of real ones (the match comes last).
  auto big_images = hardrun::spec::Json::array();
  auto big_containers = hardrun::spec::Json::array();
  for (int i = 0; i < 1000; ++i) {
    char hex[65];
    std::snprintf(hex, sizeof hex, "%064x", i + 1);
    auto img = images[0];
    img["id"] = hex;
    big_images.push_back(img);
    auto c = containers[0];
    c["id"] = hex;
    big_containers.push_back(c);
  }
  for (const auto& i : images) {
    big_images.push_back(i);
  }
  for (const auto& c : containers) {
    big_containers.push_back(c);
  }
  write_json(store.images_json(), big_images);
  write_json(store.containers_json(), big_containers);
  // The match still comes from the right record behind 1000 near-copies. How long that takes is
  // measured by bench/hook.sh (10 vs 1 000 entries), not asserted here: no timed unit tests.
  const auto found = container_evidence(loc_of(store), fx("CTR_GPG_DIGEST"));
  REQUIRE(found);
}
