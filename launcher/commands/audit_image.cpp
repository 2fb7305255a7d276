// SPDX-License-Identifier: Apache-2.0
//
// hardrun audit --image: the footguns an image carries in its layers and configuration. The
// image is exported by podman as an OCI layout into a private temporary directory and read from
// there; its manifest, config and layers are untrusted input (size caps, digests checked for
// shape before they become paths, layers never extracted: layers.cpp).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <regex>

#include "audit.hpp"
#include "commands.hpp"
#include "doctor_process.hpp"
#include "hardrun/audit/layers.hpp"
#include "hardrun/sys/fs.hpp"
#include "input.hpp"

namespace hardrun::commands {
namespace {

constexpr std::size_t k_max_json_bytes = std::size_t{4} << 20U;
constexpr std::size_t k_max_layers = 256;

bool
is_sha256_digest(const std::string& d)
{
  static const std::regex k_digest("^sha256:[0-9a-f]{64}$");
  return std::regex_match(d, k_digest);
}

// A blob of the layout, by digest (shape-checked: the digest becomes a path).
Result<std::string>
blob_path(const std::string& layout, const spec::Json& descriptor, const std::string& what)
{
  const std::string d = descriptor.is_object() ? descriptor.value("digest", std::string()) : std::string();
  if (!is_sha256_digest(d)) {
    return make_error(Errc::invalid_input, what + ": digest \"" + d.substr(0, 80) + "\" is not sha256:<64 hex>");
  }
  return layout + "/blobs/sha256/" + d.substr(7);
}

Result<spec::Json>
read_json(const std::string& path)
{
  HARDRUN_TRY_ASSIGN(f, sys::read_file(path, sys::ReadOptions{k_max_json_bytes, true, false, false}));
  spec::Json j = spec::Json::parse(f.bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return make_error(Errc::invalid_input, path + ": not a JSON object");
  }
  return j;
}

class TempDir {
public:
  TempDir() = default;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir()
  {
    if (!path.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  }
  std::string path;
};

struct Scanned {
  std::vector<audit::LayerInfo> layers;
  spec::Json config;
};

Result<Scanned>
scan(const cli::AuditOptions& o, const std::string& dir)
{
  const std::string layout = dir + "/oci";
  auto save = podman_base(o);
  save.insert(save.end(), {"image", "save", "--format", "oci-dir", "--output", layout, o.image});
  const auto r = run_process(save, std::chrono::minutes(10));
  if (!r.started || r.timed_out || r.exit_code != 0) {
    return make_error(Errc::not_found, "podman image save " + o.image + " failed: " + (r.error.empty() ? first_line(r) : r.error));
  }
  HARDRUN_TRY_ASSIGN(index, read_json(layout + "/index.json"));
  if (!index.contains("manifests") || !index["manifests"].is_array() || index["manifests"].size() != 1) {
    return make_error(Errc::invalid_input, layout + "/index.json: expected exactly one manifest");
  }
  HARDRUN_TRY_ASSIGN(mpath, blob_path(layout, index["manifests"][0], "index.json /manifests/0"));
  HARDRUN_TRY_ASSIGN(manifest, read_json(mpath));
  HARDRUN_TRY_ASSIGN(cpath, blob_path(layout, manifest.contains("config") ? manifest["config"] : spec::Json(), "manifest /config"));
  Scanned s;
  HARDRUN_TRY_ASSIGN(config, read_json(cpath));
  s.config = std::move(config);
  const spec::Json layers = manifest.contains("layers") ? manifest["layers"] : spec::Json();
  if (!layers.is_array() || layers.size() > k_max_layers) {
    return make_error(Errc::invalid_input, "manifest /layers: expected an array of at most " + std::to_string(k_max_layers) + " layers");
  }
  spec::Json diff_ids = spec::Json::array();
  if (s.config.contains("rootfs") && s.config["rootfs"].is_object() && s.config["rootfs"].contains("diff_ids")) {
    diff_ids = s.config["rootfs"]["diff_ids"];
  }
  const audit::LayerLimits limits;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    HARDRUN_TRY_ASSIGN(lpath, blob_path(layout, layers[i], "manifest /layers/" + std::to_string(i)));
    audit::LayerInfo info;
    info.digest = layers[i].value("digest", std::string());
    if (diff_ids.is_array() && i < diff_ids.size() && diff_ids[i].is_string()) {
      info.diff_id = diff_ids[i].get<std::string>();
    }
    auto entries = audit::read_layer_file(lpath, limits);
    if (!entries) {
      return Unexpected(std::move(entries).error().with_context("layer " + std::to_string(i) + " (" + info.digest + ")"));
    }
    info.entries = std::move(*entries);
    s.layers.push_back(std::move(info));
  }
  audit::attach_history(s.layers, s.config);
  return s;
}

} // namespace

ExitCode
audit_image(const cli::AuditOptions& o)
{
  // Only a digest names content: a tag could be moved between this audit and the next run.
  const auto at = o.image.find("@sha256:");
  if (at == std::string::npos || !is_sha256_digest(o.image.substr(at + 1))) {
    std::cerr << "hardrun audit: --image " << o.image << ": not pinned by digest — use NAME@sha256:DIGEST "
              << "(podman image inspect --format '{{.Digest}}' " << o.image << ")\n";
    return ExitCode::usage;
  }
  TempDir tmp;
  std::string tmpl = (std::filesystem::temp_directory_path() / "hardrun-audit.XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return report_error(make_sys_error(errno, "mkdtemp " + tmpl).value());
  }
  tmp.path = tmpl;
  auto s = scan(o, tmp.path);
  if (!s) {
    return report_error(s.error());
  }
  const auto findings = audit::image_findings(s->layers, s->config);
  if (o.json) {
    spec::Json arr = spec::Json::array();
    for (const auto& f : findings) {
      spec::Json j{{"rule", f.rule}, {"where", f.where}, {"message", f.message}, {"remedy", f.remedy}, {"ids", ids_json(f.rule)}};
      j["layer"] = f.layer ? spec::Json(*f.layer) : spec::Json();
      j["layerDigest"] = f.layer_digest;
      arr.push_back(std::move(j));
    }
    spec::Json layers = spec::Json::array();
    for (const auto& l : s->layers) {
      layers.push_back({{"digest", l.digest}, {"diffID", l.diff_id}, {"createdBy", l.created_by}, {"entries", l.entries.size()}});
    }
    std::cout << spec::Json{{"image", o.image}, {"layers", layers}, {"findings", arr}}.dump(2) << '\n';
  } else {
    std::cout << "image " << o.image << ": " << s->layers.size() << " layer(s), "
              << (findings.empty() ? std::string("clean") : std::to_string(findings.size()) + " finding(s)") << '\n';
    for (const auto& f : findings) {
      std::cout << "  " << f.rule << ids_text(f.rule) << ": " << f.message << '\n' << "    fix: " << f.remedy << '\n';
    }
  }
  return findings.empty() ? ExitCode::ok : ExitCode::denied;
}

} // namespace hardrun::commands
