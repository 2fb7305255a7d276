// SPDX-License-Identifier: Apache-2.0
// Layer scanning on tar layers built here with libarchive (plain and gzip), and the image
// findings: secrets hidden by whiteouts, ENV/history, root user, package caches, limits.
#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "../support.hpp"
#include "hardrun/audit/layers.hpp"

using namespace hardrun;

namespace {

struct TarEntry {
  std::string path;
  std::string content; // for files
  bool dir = false;
};

std::string
make_tar(const std::vector<TarEntry>& entries, bool gzip = false)
{
  std::string out;
  std::unique_ptr<archive, int (*)(archive*)> w(archive_write_new(), archive_write_free);
  archive_write_set_format_pax_restricted(w.get());
  if (gzip) {
    archive_write_add_filter_gzip(w.get());
  }
  archive_write_set_bytes_in_last_block(w.get(), 1);
  const auto writer = [](archive*, void* data, const void* buf, size_t len) -> la_ssize_t {
    static_cast<std::string*>(data)->append(static_cast<const char*>(buf), len);
    return static_cast<la_ssize_t>(len);
  };
  REQUIRE(archive_write_open(w.get(), &out, nullptr, writer, nullptr) == ARCHIVE_OK);
  for (const auto& t : entries) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), t.path.c_str());
    archive_entry_set_filetype(e.get(), t.dir ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(e.get(), t.dir ? 0755 : 0644);
    archive_entry_set_size(e.get(), t.dir ? 0 : static_cast<la_int64_t>(t.content.size()));
    REQUIRE(archive_write_header(w.get(), e.get()) == ARCHIVE_OK);
    if (!t.dir && !t.content.empty()) {
      REQUIRE(archive_write_data(w.get(), t.content.data(), t.content.size()) == static_cast<la_ssize_t>(t.content.size()));
    }
  }
  REQUIRE(archive_write_close(w.get()) == ARCHIVE_OK);
  return out;
}

audit::LayerInfo
layer(const std::vector<TarEntry>& entries, const std::string& diff_id, bool gzip = false)
{
  auto r = audit::read_layer_memory(make_tar(entries, gzip), audit::LayerLimits{}, diff_id);
  REQUIRE(r);
  audit::LayerInfo l;
  l.diff_id = diff_id;
  l.entries = std::move(*r);
  return l;
}

const char* const k_key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";

std::vector<audit::ImageFinding>
with_rule(const std::vector<audit::ImageFinding>& all, const std::string& rule)
{
  std::vector<audit::ImageFinding> out;
  for (const auto& f : all) {
    if (f.rule == rule) {
      out.push_back(f);
    }
  }
  return out;
}

} // namespace

TEST_CASE("layers: entries, whiteouts and opaque markers, plain and gzip", "[audit]")
{
  for (const bool gz : {false, true}) {
    INFO("gzip " << gz);
    const auto l = layer({{"./etc/", "", true}, {"etc/app.conf", "x=1"}, {"root/.ssh/.wh.id_rsa", ""}, {"var/cache/.wh..wh..opq", ""},
                          {"a/../../b/./key.pem", k_key}},
                         "sha256:l", gz);
    REQUIRE(l.entries.size() == 5);
    CHECK(l.entries[0].path == "/etc");
    CHECK(l.entries[0].kind == audit::LayerEntry::Kind::dir);
    CHECK(l.entries[1].path == "/etc/app.conf");
    CHECK_FALSE(l.entries[1].private_key);
    CHECK(l.entries[2].kind == audit::LayerEntry::Kind::whiteout);
    CHECK(l.entries[2].path == "/root/.ssh/id_rsa");
    CHECK(l.entries[3].kind == audit::LayerEntry::Kind::opaque);
    CHECK(l.entries[3].path == "/var/cache");
    CHECK(l.entries[4].path == "/b/key.pem"); // never above "/"
    CHECK(l.entries[4].private_key);
  }
}

TEST_CASE("image: a key added in one layer and deleted in the next is reported with its layer", "[audit]")
{
  std::vector<audit::LayerInfo> layers{
    layer({{"bin/sh", "elf"}}, "sha256:base"),
    layer({{"root/.ssh/id_rsa", k_key}, {"app/.env", "DB_PASSWORD=x"}}, "sha256:leak"),
    layer({{"root/.ssh/.wh.id_rsa", ""}}, "sha256:cleanup"),
  };
  const spec::Json config = spec::Json::parse(R"({"config":{"User":"10001"}})");
  const auto f = with_rule(audit::image_findings(layers, config), "image-secret-file");
  REQUIRE(f.size() == 2);
  CHECK(f[0].where == "/root/.ssh/id_rsa");
  CHECK(f[0].layer == std::optional<std::size_t>(1));
  CHECK(f[0].layer_digest == "sha256:leak");
  CHECK_THAT(f[0].message, Catch::Matchers::Contains("layer 2 (sha256:cleanup) deletes it"));
  CHECK(f[1].where == "/app/.env");
  CHECK_THAT(f[1].message, !Catch::Matchers::Contains("deletes it")); // still visible
}

TEST_CASE("image: a private key is found by content whatever its name; a removed parent hides it too", "[audit]")
{
  std::vector<audit::LayerInfo> layers{
    layer({{"srv/tls/server.pem", k_key}, {"srv/tls/cert.pem", "-----BEGIN CERTIFICATE-----\n"}}, "sha256:a"),
    layer({{"srv/.wh.tls", ""}}, "sha256:b"),
  };
  const auto f = with_rule(audit::image_findings(layers, spec::Json::parse(R"({"config":{"User":"app"}})")), "image-secret-file");
  REQUIRE(f.size() == 1);
  CHECK(f[0].where == "/srv/tls/server.pem");
  CHECK_THAT(f[0].message, Catch::Matchers::Contains("PEM private key") && Catch::Matchers::Contains("layer 1 (sha256:b) deletes it"));
}

TEST_CASE("image: secret-looking ENV and history entries, root user, package caches", "[audit]")
{
  std::vector<audit::LayerInfo> layers{
    layer({{"var/lib/apt/lists/deb_dists_bookworm_InRelease", "x"}, {"var/lib/apt/lists/lock", ""},
           {"var/cache/apt/archives/curl.deb", "deb"}}, "sha256:apt"),
    layer({{"app/run", "x"}}, "sha256:app"),
  };
  const spec::Json config = spec::Json::parse(R"({
    "config": {"Env": ["PATH=/bin", "API_TOKEN=abc123", "EMPTY_PASSWORD="]},
    "history": [
      {"created_by": "/bin/sh -c apt-get update && apt-get install -y curl"},
      {"created_by": "/bin/sh -c #(nop) ENV API_TOKEN=abc123", "empty_layer": true},
      {"created_by": "RUN |1 DB_PASSWORD=hunter2 /bin/sh -c make"}
    ]})");
  const auto all = audit::image_findings(layers, config);
  const auto env = with_rule(all, "image-secret-env");
  REQUIRE(env.size() == 3);
  CHECK(env[0].where == "ENV API_TOKEN");
  CHECK_FALSE(env[0].layer);
  CHECK(env[1].where == "history 1");
  CHECK_FALSE(env[1].layer); // an empty_layer entry sits in no layer
  CHECK(env[2].where == "history 2");
  CHECK(env[2].layer == std::optional<std::size_t>(1));
  CHECK_THAT(env[2].message, Catch::Matchers::Contains("DB_PASSWORD"));
  CHECK_THAT(env[2].message, !Catch::Matchers::Contains("hunter2")); // never print the secret

  const auto root = with_rule(all, "image-root-user");
  REQUIRE(root.size() == 1);
  CHECK(root[0].where == "config User");

  const auto cache = with_rule(all, "image-package-cache");
  REQUIRE(cache.size() == 2);
  CHECK(cache[0].where == "/var/cache/apt");
  CHECK(cache[1].where == "/var/lib/apt/lists");
  CHECK(cache[1].layer == std::optional<std::size_t>(0));
  CHECK_THAT(cache[1].message, Catch::Matchers::Contains("1 file(s)")); // the lock file does not count
}

TEST_CASE("image: root in every spelling; a clean image is clean", "[audit]")
{
  for (const char* user : {"", "0", "root", "0:0", "root:root"}) {
    INFO(user);
    const auto f = audit::image_findings({}, spec::Json{{"config", {{"User", user}}}});
    CHECK(with_rule(f, "image-root-user").size() == 1);
  }
  std::vector<audit::LayerInfo> layers{layer({{"bin/busybox", "elf"}, {"etc/passwd", "app:x:10001:10001::/:/bin/sh\n"}}, "sha256:c")};
  CHECK(audit::image_findings(layers, spec::Json::parse(R"({"config":{"User":"10001:10001","Env":["PATH=/bin"]}})")).empty());
  CHECK(with_rule(audit::image_findings({}, spec::Json::array()), "image-root-user").size() == 1); // no config at all
}

TEST_CASE("layers: untrusted input is bounded and never crashes", "[audit]")
{
  const std::string tar = make_tar({{"a", "1"}, {"b", "2"}, {"c", "3"}});
  audit::LayerLimits few;
  few.max_entries = 2;
  auto r = audit::read_layer_memory(tar, few, "L");
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().what(), Catch::Matchers::Contains("more than 2 entries"));

  audit::LayerLimits short_names;
  short_names.max_path = 8;
  CHECK_FALSE(audit::read_layer_memory(make_tar({{"a/very/long/name", "x"}}), short_names, "L"));

  audit::LayerLimits small;
  small.max_bytes = 1000;
  const auto big = make_tar({{"zeros", std::string(100000, '\0')}}, true); // compresses to ~100 bytes
  REQUIRE(big.size() < 1000);
  r = audit::read_layer_memory(big, small, "L");
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().what(), Catch::Matchers::Contains("byte cap"));

  CHECK_FALSE(audit::read_layer_memory("this is not a tar archive at all, just text that goes on", {}, "L"));
  CHECK_FALSE(audit::read_layer_memory(tar.substr(0, 700), {}, "L")); // truncated
}

TEST_CASE("make_tar: the canary image's layer reads back", "[audit]")
{
  auto tar = audit::make_tar({{"etc", {}, 0755, true}, {"etc/hosts", {}, 0644, false}, {"hardrun-canary", "ELF...", 0755, false}});
  REQUIRE(tar);
  auto r = audit::read_layer_memory(*tar, {}, "canary");
  REQUIRE(r);
  REQUIRE(r->size() == 3);
  CHECK((*r)[0].kind == audit::LayerEntry::Kind::dir);
  CHECK((*r)[1].path == "/etc/hosts");
  CHECK((*r)[1].size == 0);
  CHECK((*r)[2].path == "/hardrun-canary");
  CHECK((*r)[2].size == 6);
}
