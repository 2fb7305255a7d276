// SPDX-License-Identifier: Apache-2.0
#include "../support.hpp"
#include "hardrun/spec/document.hpp"

using hardrun::spec::Document;
using hardrun::spec::Json;

namespace {

std::string
shape_error(const Json& config)
{
  auto doc = Document::parse(config.dump(), "config.json");
  REQUIRE_FALSE(doc.has_value());
  CHECK(doc.error().code == hardrun::Errc::invalid_input);
  return doc.error().what();
}

Json
base()
{
  return hardrun::test::golden_input("default");
}

} // namespace

TEST_CASE("unknown fields in security sections are refused, naming the pointer", "[hardrun::spec][document]")
{
  Json c = base();
  c["process"]["capabilities"]["bounding2"] = Json::array({"CAP_SYS_ADMIN"});
  CHECK_THAT(shape_error(c), Catch::Contains("config.json: /process/capabilities/bounding2: unknown field"));

  c = base();
  c["process"]["user"]["uidx"] = 0;
  CHECK_THAT(shape_error(c), Catch::Contains("/process/user/uidx: unknown field"));

  c = base();
  c["linux"]["namespaces"][0]["flags"] = 1;
  CHECK_THAT(shape_error(c), Catch::Contains("/linux/namespaces/0/flags: unknown field"));

  c = base();
  c["mounts"][0]["propagation"] = "shared";
  CHECK_THAT(shape_error(c), Catch::Contains("/mounts/0/propagation: unknown field"));

  c = base();
  c["root"]["writable"] = true;
  CHECK_THAT(shape_error(c), Catch::Contains("/root/writable: unknown field"));
}

TEST_CASE("wrong types and out-of-range ids are refused", "[hardrun::spec][document]")
{
  Json c = base();
  c["process"]["user"]["uid"] = -1;
  CHECK_THAT(shape_error(c), Catch::Contains("/process/user/uid: out of range"));
  c["process"]["user"]["uid"] = "0";
  CHECK_THAT(shape_error(c), Catch::Contains("/process/user/uid: must be an integer"));
  c["process"]["user"]["uid"] = 4294967296ULL;
  CHECK_THAT(shape_error(c), Catch::Contains("/process/user/uid: out of range"));
  c["process"]["user"]["uid"] = 1.5;
  CHECK_THAT(shape_error(c), Catch::Contains("/process/user/uid: must be an integer"));

  c = base();
  c["process"]["noNewPrivileges"] = "true";
  CHECK_THAT(shape_error(c), Catch::Contains("/process/noNewPrivileges: must be true or false"));

  c = base();
  c["process"]["capabilities"]["bounding"] = "CAP_SYS_ADMIN";
  CHECK_THAT(shape_error(c), Catch::Contains("/process/capabilities/bounding: must be an array of strings"));

  c = base();
  c["linux"]["uidMappings"] = Json::array({{{"containerID", 0}, {"hostID", "100000"}, {"size", 65536}}});
  CHECK_THAT(shape_error(c), Catch::Contains("/linux/uidMappings/0/hostID"));
  c["linux"]["uidMappings"] = Json::array({{{"containerID", 0}, {"size", 65536}}});
  CHECK_THAT(shape_error(c), Catch::Contains("/linux/uidMappings/0/hostID: missing"));

  c = base();
  c["linux"]["namespaces"].push_back({{"type", "vm"}});
  CHECK_THAT(shape_error(c), Catch::Contains("unknown namespace type \"vm\""));

  c = base();
  c["mounts"][0].erase("destination");
  CHECK_THAT(shape_error(c), Catch::Contains("/mounts/0/destination: missing"));
}

TEST_CASE("fields hardrun does not know outside the security sections pass through", "[hardrun::spec][document]")
{
  Json c = base();
  c["vm"] = {{"hypervisor", {{"path", "/usr/bin/qemu"}, {"parameters", {"-x", 1.25}}}}};
  c["annotations"]["x-vendor/key"] = "value";
  const std::string text = c.dump();
  auto doc = Document::parse(text, "config.json");
  REQUIRE(doc.has_value());
  CHECK(doc->serialize() == text);
}

TEST_CASE("find() walks pointers without throwing", "[hardrun::spec][document]")
{
  const Json c = Json::parse(R"({"a":{"b/c":[10,{"d~e":true}]}})");
  CHECK(*hardrun::spec::find(c, "/a/b~1c/0") == 10);
  CHECK(*hardrun::spec::find(c, "/a/b~1c/1/d~0e") == true);
  CHECK(hardrun::spec::find(c, "/a/b~1c/2") == nullptr);
  CHECK(hardrun::spec::find(c, "/a/x") == nullptr);
  CHECK(hardrun::spec::find(c, "/a/b~1c/-1") == nullptr);
  CHECK(hardrun::spec::find(c, "/a/b~1c/0/deeper") == nullptr);
  CHECK(hardrun::spec::find(c, "") == &c);
}

TEST_CASE("a rewrite keeps untouched subtrees byte for byte", "[hardrun::spec][document][splice]")
{
  // Number spellings, Go's \u003c escapes and key order survive where hardrun does not edit.
  const std::string text = R"({"ociVersion":"1.0.2-dev","vm":{"x":[1.50,1e3,-0.0],"s":"\u003cb\u003e"},)"
                           R"("process":{"user":{"uid":0,"gid":0},"cwd":"/","x-vendor":{"f":2.50}},)"
                           R"("mounts":[{"destination":"/a","type":"tmpfs","source":"tmpfs","options":["size=1.0k"]}],)"
                           R"("annotations":{"z":"1","a":"\u0026"}})";
  auto doc = Document::parse(text, "config.json");
  REQUIRE(doc.has_value());
  CHECK(doc->serialize() == text); // no edit: identical
  doc->json()["process"]["user"]["uid"] = 10001;
  doc->json()["mounts"].insert(doc->json()["mounts"].begin(), Json{{"destination", "/run"}, {"type", "tmpfs"}});
  const std::string out = doc->serialize();
  CHECK(out == R"({"ociVersion":"1.0.2-dev","vm":{"x":[1.50,1e3,-0.0],"s":"\u003cb\u003e"},)"
               R"("process":{"user":{"uid":10001,"gid":0},"cwd":"/","x-vendor":{"f":2.50}},)"
               R"("mounts":[{"destination":"/run","type":"tmpfs"},{"destination":"/a","type":"tmpfs","source":"tmpfs","options":["size=1.0k"]}],)"
               R"("annotations":{"z":"1","a":"\u0026"}})");
  // The result is the edited document.
  CHECK(Json::parse(out) == doc->json());
}

TEST_CASE("an indented document keeps its layout through a rewrite", "[hardrun::spec][document][splice]")
{
  const std::string text = "{\n    \"root\": {\n        \"path\": \"rootfs\"\n    },\n    \"vm\": [ 1.50 ]\n}\n";
  auto doc = Document::parse(text, "config.json");
  REQUIRE(doc.has_value());
  doc->json()["root"]["readonly"] = true;
  doc->json()["process"] = {{"noNewPrivileges", true}};
  CHECK(doc->serialize() == "{\n    \"root\": {\n        \"path\": \"rootfs\",\n        \"readonly\": true\n    },\n"
                            "    \"vm\": [ 1.50 ],\n    \"process\": {\n        \"noNewPrivileges\": true\n    }\n}\n");
}
