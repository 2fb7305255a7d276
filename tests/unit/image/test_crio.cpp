// SPDX-License-Identifier: Apache-2.0
#include <sys/stat.h>

#include <filesystem>

#include "fixture.hpp"
#include "hardrun/image/identity.hpp"
#include "hardrun/image/signatures.hpp"

using hardrun::image::make_containers_storage_source;
using hardrun::image::make_crio_source;
using hardrun::image::State;
using hardrun::test::data_path;
using hardrun::test::fx;
using hardrun::test::read_text;
using hardrun::test::write_text;

namespace {

State
crio_state(const std::string& bundle)
{
  return State{"1.0.2-dev", fx("CTR_CRIO"), "creating", bundle, 1234};
}

std::string
crio_bundle_src()
{
  return data_path("data/image/crio/run/overlay-containers/" + fx("CTR_CRIO") + "/userdata");
}

} // namespace

TEST_CASE("cri-o: identity from CRI-O's own annotations, manifests from its storage", "[hardrun::image][cri-o]")
{
  hardrun::test::FixtureStore store;
  auto src = make_crio_source(hardrun::image::CrioOptions{store.root()});
  CHECK(src->name() == "cri-o");
  auto ev = src->lookup(crio_state(crio_bundle_src()));
  REQUIRE(ev);
  CHECK(ev->source == "cri-o");
  CHECK(ev->container_id == fx("CTR_CRIO"));
  CHECK(ev->reference == fx("REGISTRY") + "/hr/busybox@" + fx("SIGSTORE_DIGEST"));
  CHECK(ev->image_id == fx("SIGSTORE_IMAGE"));
  REQUIRE(ev->manifests.size() == 1);
  REQUIRE(ev->signatures.at(fx("SIGSTORE_DIGEST")).size() == 1);
  CHECK(hardrun::image::signature_format(ev->signatures.at(fx("SIGSTORE_DIGEST"))[0].bytes)
        == hardrun::image::SignatureFormat::sigstore);
}

TEST_CASE("cri-o: missing or malformed annotations deny; the podman source ignores them", "[hardrun::image][cri-o]")
{
  hardrun::test::FixtureStore store;
  hardrun::test::TempDir dir;
  const std::string bundle = dir.file("userdata");
  std::filesystem::create_directory(bundle);
  const std::string config = read_text(crio_bundle_src() + "/config.json");
  auto src = make_crio_source(hardrun::image::CrioOptions{store.root()});

  std::string no_ref = config;
  no_ref.replace(no_ref.find("io.kubernetes.cri-o.ImageRef"), 28, "io.kubernetes.cri-o.ImageXXX");
  write_text(bundle + "/config.json", no_ref);
  auto r1 = src->lookup(crio_state(bundle));
  REQUIRE_FALSE(r1);
  CHECK_THAT(r1.error().what(), Catch::Contains("io.kubernetes.cri-o.ImageRef missing"));

  std::string traversal = config;
  traversal.replace(traversal.find(fx("SIGSTORE_IMAGE")), 64, "../../../../../../../etc/passwd");
  write_text(bundle + "/config.json", traversal);
  CHECK_FALSE(src->lookup(crio_state(bundle)));

  std::string dup = config;
  dup.insert(dup.find("\"io.kubernetes.cri-o.ImageName\""),
             "\"io.kubernetes.cri-o.ImageName\":\"" + fx("REGISTRY") + "/hr/busybox:cosign\",");
  write_text(bundle + "/config.json", dup);
  auto r3 = src->lookup(crio_state(bundle));
  REQUIRE_FALSE(r3);
  CHECK_THAT(r3.error().what(), Catch::Contains("duplicate key"));

  // A config.json that is a symlink is refused (C1).
  std::filesystem::remove(bundle + "/config.json");
  std::filesystem::create_symlink(crio_bundle_src() + "/config.json", bundle + "/config.json");
  CHECK_FALSE(src->lookup(crio_state(bundle)));

  // podman writes io.kubernetes.cri-o.* annotations too: the containers-storage source never
  // reads them, it goes by the bundle path (a CRI-O bundle outside a store is refused).
  auto podman = make_containers_storage_source();
  CHECK_FALSE(podman->lookup(crio_state(crio_bundle_src())));
}
