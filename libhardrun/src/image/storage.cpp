// SPDX-License-Identifier: Apache-2.0
// containers-storage as podman 4.3 / c/storage 1.43 writes it (formats.md §4), read without
// locks (the engine holds the container lock while hooks run) and without ever opening anything
// under the container rootfs or the runtime's state root (security.md R9).
#include "hardrun/image/storage.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <array>

#include "hardrun/base/unique_fd.hpp"
#include "hardrun/image/reference.hpp"
#include "hardrun/image/signatures.hpp"
#include "hardrun/spec/json.hpp"
#include "hardrun/sys/fs.hpp"
#include "json_scan.hpp"

namespace hardrun::image {
namespace {

using spec::Json;

bool
is_hex64(std::string_view s)
{
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool
is_driver_name(std::string_view s)
{
  return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
  });
}

// sys::read_file's checks, but reading into a buffer sized from fstat in one pass: the record
// files reach megabytes on a busy host, and growing a string by chunks copied them over and
// over (the benchmark's 1 000-entry case).
Result<std::string>
read_storage_file(const std::string& path, std::size_t max_bytes)
{
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK));
  if (!fd) {
    const int err = errno;
    if (err == ENOENT) {
      return Unexpected(Error{Errc::not_found, err, path + ": No such file or directory", {}});
    }
    if (err == ELOOP) {
      return make_error(Errc::insecure, path + ": is a symbolic link; refusing to follow it");
    }
    return make_sys_error(err, "open " + path);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return make_sys_error(errno, "fstat " + path);
  }
  // Same refusals as sys::read_file with trusted_owner (R9).
  if (!S_ISREG(st.st_mode)) {
    return make_error(Errc::insecure, path + ": not a regular file; refusing to read it");
  }
  if (st.st_nlink > 1) {
    return make_error(Errc::insecure, path + ": has several hard links; refusing it");
  }
  if ((st.st_uid != 0 && st.st_uid != ::geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return make_error(Errc::insecure, path + ": insecure owner or mode (must be root-owned, not group/world-writable)");
  }
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    return make_error(Errc::invalid_input, path + ": exceeds " + std::to_string(max_bytes) + " bytes");
  }
  std::string out(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return make_sys_error(errno, "read " + path);
    }
    if (n == 0) {
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  // A file that changed size while read (not c/storage's rename-based writes): refuse.
  char extra = 0;
  if (got != out.size() || ::read(fd.get(), &extra, 1) != 0) {
    return make_error(Errc::conflict, path + ": changed while being read");
  }
  return out;
}

// A storage file that may legitimately be absent (volatile-containers.json, signature blobs).
Result<std::optional<std::string>>
read_optional(const std::string& path, std::size_t max_bytes)
{
  auto loaded = read_storage_file(path, max_bytes);
  if (!loaded) {
    if (loaded.error().code == Errc::not_found) {
      return std::optional<std::string>();
    }
    return tl::unexpected(std::move(loaded).error());
  }
  return std::optional<std::string>(std::move(*loaded));
}

Result<Json>
parse_record(std::string_view text, const std::string& what)
{
  return spec::parse_strict(text, what, spec::ParseLimits{text.size(), 64});
}

// Records whose "id" is `id`. An escaped id is decoded by a strict parse before comparing, so
// "\u0061bc…" cannot hide a record from the scan.
Result<std::vector<std::string_view>>
records_with_id(std::string_view text, const std::string& what, std::string_view id)
{
  std::vector<std::string_view> hits;
  Result<void> inner{};
  HARDRUN_TRY(detail::scan_records(text, what, [&](const detail::RecordView& r) {
    bool match = r.id_raw == id;
    if (!match && (r.id_escaped || r.id_repeated)) {
      // Rare: decide on the strictly parsed record (a repeated key fails there).
      auto parsed = parse_record(r.text, what);
      if (!parsed) {
        inner = tl::unexpected(std::move(parsed).error());
        return false;
      }
      const auto it = parsed->find("id");
      match = it != parsed->end() && it->is_string() && it->get<std::string>() == id;
    }
    if (match) {
      hits.push_back(r.text);
    }
    return true;
  }));
  HARDRUN_TRY(inner);
  return hits;
}

Result<std::string>
string_field(const Json& obj, const char* key, const std::string& what, bool required)
{
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) {
      return make_error(Errc::invalid_input, what + ": missing \"" + key + "\"");
    }
    return std::string();
  }
  if (!it->is_string()) {
    return make_error(Errc::invalid_input, what + ": \"" + key + "\" must be a string");
  }
  return it->get<std::string>();
}

Result<std::vector<std::string>>
strings_field(const Json& obj, const char* key, const std::string& what)
{
  std::vector<std::string> out;
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    return out;
  }
  if (!it->is_array()) {
    return make_error(Errc::invalid_input, what + ": \"" + key + "\" must be an array");
  }
  for (const auto& v : *it) {
    if (!v.is_string()) {
      return make_error(Errc::invalid_input, what + ": \"" + key + "\" must hold strings");
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<std::vector<std::size_t>>
sizes_of(const Json& v, const std::string& what)
{
  if (!v.is_array()) {
    return make_error(Errc::invalid_input, what + ": must be an array of sizes");
  }
  std::vector<std::size_t> out;
  for (const auto& n : v) {
    if (!n.is_number_unsigned() || n.get<std::uint64_t>() > k_max_signature_bytes * k_max_signatures) {
      return make_error(Errc::invalid_input, what + ": sizes must be non-negative integers");
    }
    out.push_back(static_cast<std::size_t>(n.get<std::uint64_t>()));
  }
  return out;
}

// The JSON-in-a-string "metadata" of an image record.
Result<void>
parse_image_metadata(const std::string& text, const std::string& what, ImageRecord& image)
{
  if (text.empty()) {
    return {};
  }
  HARDRUN_TRY_ASSIGN(meta, spec::parse_strict(text, what + " metadata", spec::ParseLimits{k_max_metadata_bytes, 16}));
  if (const auto it = meta.find("signatures-sizes"); it != meta.end() && !it->is_null()) {
    if (!it->is_object()) {
      return make_error(Errc::invalid_input, what + ": metadata signatures-sizes must be an object");
    }
    for (const auto& [digest, sizes] : it->items()) {
      if (!is_sha256_digest(digest)) {
        continue; // another algorithm: never a digest hardrun accepts (I3)
      }
      HARDRUN_TRY_ASSIGN(list, sizes_of(sizes, what + ": metadata signatures-sizes " + digest));
      image.signatures_sizes.emplace(digest, std::move(list));
    }
  }
  if (const auto it = meta.find("signature-sizes"); it != meta.end() && !it->is_null()) {
    HARDRUN_TRY_ASSIGN(list, sizes_of(*it, what + ": metadata signature-sizes"));
    image.legacy_signature_sizes = std::move(list);
  }
  return {};
}

Result<ImageRecord>
image_from_json(const Json& rec, const std::string& what)
{
  ImageRecord image;
  HARDRUN_TRY_ASSIGN(id, string_field(rec, "id", what, true));
  if (!is_hex64(id)) {
    return make_error(Errc::invalid_input, what + ": image id \"" + id + "\" is not 64 lowercase hex");
  }
  image.id = std::move(id);
  HARDRUN_TRY_ASSIGN(names, strings_field(rec, "names", what));
  image.names = std::move(names);
  HARDRUN_TRY_ASSIGN(bd, strings_field(rec, "big-data-names", what));
  image.big_data_names = std::move(bd);
  for (const auto& key : image.big_data_names) {
    constexpr std::string_view prefix = "manifest-";
    if (key.size() > prefix.size() && std::string_view(key).substr(0, prefix.size()) == prefix) {
      const std::string digest = key.substr(prefix.size());
      if (is_sha256_digest(digest) && std::find(image.manifest_digests.begin(), image.manifest_digests.end(), digest)
                                        == image.manifest_digests.end()) {
        image.manifest_digests.push_back(digest);
      }
    }
  }
  if (const auto it = rec.find("big-data-digests"); it != rec.end() && it->is_object()) {
    if (const auto m = it->find("manifest"); m != it->end() && m->is_string()) {
      image.last_manifest_digest = m->get<std::string>();
    }
  }
  HARDRUN_TRY_ASSIGN(metadata, string_field(rec, "metadata", what, false));
  HARDRUN_TRY(parse_image_metadata(metadata, what, image));
  return image;
}

void
base64_encode(std::string_view in, std::string& out)
{
  static constexpr std::string_view k_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16U) | (static_cast<unsigned char>(in[i + 1]) << 8U)
                     | static_cast<unsigned char>(in[i + 2]);
    out += k_alphabet[(v >> 18U) & 63U];
    out += k_alphabet[(v >> 12U) & 63U];
    out += k_alphabet[(v >> 6U) & 63U];
    out += k_alphabet[v & 63U];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16U;
    if (i + 1 < in.size()) {
      v |= static_cast<unsigned char>(in[i + 1]) << 8U;
    }
    out += k_alphabet[(v >> 18U) & 63U];
    out += k_alphabet[(v >> 12U) & 63U];
    out += i + 1 < in.size() ? k_alphabet[(v >> 6U) & 63U] : '=';
    out += '=';
  }
}

bool
pinned_digest(std::string_view reference, std::string& digest)
{
  const auto at = reference.rfind('@');
  if (at == std::string_view::npos || !is_sha256_digest(reference.substr(at + 1))) {
    return false;
  }
  digest = reference.substr(at + 1);
  return true;
}

} // namespace

std::string
big_data_file_name(std::string_view key)
{
  const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
  });
  if (plain) {
    return std::string(key);
  }
  std::string out = "=";
  base64_encode(key, out);
  return out;
}

Result<StorageLocation>
location_of_bundle(std::string_view bundle, std::string_view id)
{
  const auto bad = [&](const std::string& why) {
    return make_error(Errc::invalid_input, "bundle " + std::string(bundle)
                                             + " is not a containers-storage container directory (" + why + ")");
  };
  constexpr std::string_view suffix = "/userdata";
  if (bundle.size() <= suffix.size() || bundle.substr(bundle.size() - suffix.size()) != suffix) {
    return bad("expected <graphroot>/<driver>-containers/<id>/userdata");
  }
  std::string_view rest = bundle.substr(0, bundle.size() - suffix.size());
  const auto s1 = rest.rfind('/');
  if (s1 == std::string_view::npos) {
    return bad("no container directory");
  }
  // Threat: a bundle of another container (or a crafted path) would make the hook judge a
  // different image than the one being started.
  if (rest.substr(s1 + 1) != id) {
    return bad("its id is not the state's id " + std::string(id));
  }
  rest = rest.substr(0, s1);
  const auto s2 = rest.rfind('/');
  if (s2 == std::string_view::npos) {
    return bad("no <driver>-containers directory");
  }
  const std::string_view dir = rest.substr(s2 + 1);
  constexpr std::string_view dsuffix = "-containers";
  if (dir.size() <= dsuffix.size() || dir.substr(dir.size() - dsuffix.size()) != dsuffix) {
    return bad("no <driver>-containers directory");
  }
  const std::string_view driver = dir.substr(0, dir.size() - dsuffix.size());
  if (!is_driver_name(driver)) {
    return bad("invalid driver name");
  }
  StorageLocation loc{std::string(rest.substr(0, s2)), std::string(driver)};
  if (loc.root.empty()) {
    loc.root = "/";
  }
  return loc;
}

Result<ContainerRecord>
find_container(const StorageLocation& loc, std::string_view id)
{
  std::optional<ContainerRecord> found;
  for (const char* name : {"containers.json", "volatile-containers.json"}) {
    const std::string path = loc.containers_dir() + "/" + name;
    HARDRUN_TRY_ASSIGN(text, read_optional(path, k_max_storage_json_bytes));
    if (!text) {
      continue;
    }
    HARDRUN_TRY_ASSIGN(hits, records_with_id(*text, path, id));
    if (hits.empty()) {
      continue;
    }
    if (hits.size() > 1 || found) {
      return make_error(Errc::invalid_input, path + ": container " + std::string(id) + " is recorded more than once");
    }
    const std::string what = path + " container " + std::string(id);
    HARDRUN_TRY_ASSIGN(rec, parse_record(hits.front(), what));
    ContainerRecord c;
    c.id = std::string(id);
    c.file = path;
    HARDRUN_TRY_ASSIGN(image, string_field(rec, "image", what, true));
    // Threat: the image id is joined into a path (<driver>-images/<id>/…); only a plain digest
    // hex is accepted (CVE-2024-3727 class).
    if (!is_hex64(image)) {
      return make_error(Errc::invalid_input, what + ": image \"" + image + "\" is not a 64-hex image id");
    }
    c.image_id = std::move(image);
    HARDRUN_TRY_ASSIGN(metadata, string_field(rec, "metadata", what, false));
    if (!metadata.empty()) {
      HARDRUN_TRY_ASSIGN(meta, spec::parse_strict(metadata, what + " metadata",
                                                  spec::ParseLimits{k_max_metadata_bytes, 16}));
      HARDRUN_TRY_ASSIGN(image_name, string_field(meta, "image-name", what + " metadata", false));
      HARDRUN_TRY_ASSIGN(meta_id, string_field(meta, "image-id", what + " metadata", false));
      if (!meta_id.empty() && meta_id != c.image_id) {
        return make_error(Errc::invalid_input, what + ": metadata image-id differs from image");
      }
      c.image_name = std::move(image_name);
    }
    found = std::move(c);
  }
  if (!found) {
    return make_error(Errc::not_found, "container " + std::string(id) + " not found in " + loc.containers_dir()
                                         + "/containers.json or volatile-containers.json");
  }
  return std::move(*found);
}

Result<ImageRecord>
find_image_by_id(const StorageLocation& loc, std::string_view image_id)
{
  const std::string path = loc.images_dir() + "/images.json";
  HARDRUN_TRY_ASSIGN(loaded, read_storage_file(path, k_max_storage_json_bytes));
  HARDRUN_TRY_ASSIGN(hits, records_with_id(loaded, path, image_id));
  if (hits.empty()) {
    return make_error(Errc::not_found, path + ": image " + std::string(image_id) + " not found");
  }
  if (hits.size() > 1) {
    return make_error(Errc::invalid_input, path + ": image " + std::string(image_id) + " is recorded more than once");
  }
  const std::string what = path + " image " + std::string(image_id);
  HARDRUN_TRY_ASSIGN(rec, parse_record(hits.front(), what));
  return image_from_json(rec, what);
}

Result<ImageRecord>
find_image_by_digest(const StorageLocation& loc, std::string_view repository, std::string_view digest)
{
  if (!is_sha256_digest(digest)) {
    return make_error(Errc::invalid_input, "invalid digest \"" + std::string(digest) + "\"");
  }
  const std::string path = loc.images_dir() + "/images.json";
  HARDRUN_TRY_ASSIGN(loaded, read_storage_file(path, k_max_storage_json_bytes));
  const std::string needle = "\"manifest-" + std::string(digest) + "\"";
  std::vector<ImageRecord> matches;
  Result<void> inner{};
  HARDRUN_TRY(detail::scan_records(loaded, path, [&](const detail::RecordView& r) {
    // Cheap filter first; the strict parse decides.
    if (r.text.find(needle) == std::string_view::npos && r.text.find('\\') == std::string_view::npos) {
      return true;
    }
    auto rec = parse_record(r.text, path);
    if (!rec) {
      inner = tl::unexpected(std::move(rec).error());
      return false;
    }
    auto image = image_from_json(*rec, path);
    if (!image) {
      inner = tl::unexpected(std::move(image).error());
      return false;
    }
    if (std::find(image->manifest_digests.begin(), image->manifest_digests.end(), digest)
        == image->manifest_digests.end()) {
      return true;
    }
    const bool in_repo = std::any_of(image->names.begin(), image->names.end(), [&](const std::string& n) {
      auto ref = parse_reference(n);
      return ref && ref->name() == repository;
    });
    if (in_repo) {
      matches.push_back(std::move(*image));
    }
    return true;
  }));
  HARDRUN_TRY(inner);
  if (matches.empty()) {
    return make_error(Errc::not_found, path + ": no image of " + std::string(repository) + " holds manifest "
                                         + std::string(digest));
  }
  if (matches.size() > 1) {
    return make_error(Errc::invalid_input, path + ": several images of " + std::string(repository)
                                             + " hold manifest " + std::string(digest));
  }
  return std::move(matches.front());
}

Result<void>
collect_image(const StorageLocation& loc, const ImageRecord& image, const std::vector<std::string>& digests,
              Evidence& evidence)
{
  if (digests.size() > k_max_manifests) {
    return make_error(Errc::invalid_input, "image " + image.id + " has " + std::to_string(digests.size())
                                             + " manifests, more than the limit of " + std::to_string(k_max_manifests));
  }
  const std::string dir = loc.images_dir() + "/" + image.id + "/";
  const auto listed = [&](const std::string& key) {
    return std::find(image.big_data_names.begin(), image.big_data_names.end(), key) != image.big_data_names.end();
  };
  for (const auto& digest : digests) {
    if (!is_sha256_digest(digest)) {
      return make_error(Errc::invalid_input, "invalid manifest digest \"" + digest + "\"");
    }
    const std::string mkey = "manifest-" + digest;
    if (!listed(mkey)) {
      evidence.notes.push_back(digest + ": no manifest stored for this digest in image " + image.id);
      continue;
    }
    const std::string mpath = dir + big_data_file_name(mkey);
    HARDRUN_TRY_ASSIGN(manifest, read_storage_file(mpath, k_max_manifest_bytes));
    evidence.manifests.emplace(digest, std::move(manifest));

    const std::string hex = digest.substr(7);
    const std::string skey = "signature-" + hex;
    std::string blob;
    std::string blob_key = skey;
    if (listed(skey)) {
      HARDRUN_TRY_ASSIGN(b, read_optional(dir + big_data_file_name(skey), k_max_signature_bytes * k_max_signatures));
      blob = b.value_or(std::string());
    }
    std::optional<std::vector<std::size_t>> sizes;
    if (const auto it = image.signatures_sizes.find(digest); it != image.signatures_sizes.end()) {
      sizes = it->second;
    } else if (image.legacy_signature_sizes && image.last_manifest_digest == digest) {
      // Pre-signatures-sizes layout: "signatures" + "signature-sizes" belong to the last
      // committed manifest.
      sizes = image.legacy_signature_sizes;
      if (blob.empty() && listed("signatures")) {
        HARDRUN_TRY_ASSIGN(b, read_optional(dir + "signatures", k_max_signature_bytes * k_max_signatures));
        blob = b.value_or(std::string());
        blob_key = "signatures";
      }
    } else if (!blob.empty()) {
      evidence.notes.push_back(digest + ": image metadata has no signatures-sizes for this digest (overwritten by a"
                                        " later pull?); split the stored signatures by format");
    }
    auto pieces = split_signatures(blob, sizes);
    if (!pieces) {
      // Fail closed for this digest only: its stored signatures are unusable.
      evidence.notes.push_back(digest + ": stored signatures unusable: " + pieces.error().what());
      evidence.unusable_signatures[digest] = pieces.error().what();
      continue;
    }
    auto& out = evidence.signatures[digest];
    for (std::size_t i = 0; i < pieces->size(); ++i) {
      out.push_back(SignatureBlob{std::move((*pieces)[i]), "storage:" + blob_key + "#" + std::to_string(i + 1)});
    }
  }
  return {};
}

Result<Evidence>
container_evidence(const StorageLocation& loc, std::string_view container_id)
{
  HARDRUN_TRY_ASSIGN(ctr, find_container(loc, container_id));
  HARDRUN_TRY_ASSIGN(image, find_image_by_id(loc, ctr.image_id));
  Evidence ev;
  ev.source = "containers-storage";
  ev.container_id = std::string(container_id);
  ev.reference = ctr.image_name;
  ev.image_id = ctr.image_id;
  std::string digest;
  // A pinned run needs only its digest; otherwise every manifest is a candidate (formats.md §7).
  const std::vector<std::string> digests = pinned_digest(ctr.image_name, digest) ? std::vector<std::string>{digest}
                                                                                 : image.manifest_digests;
  HARDRUN_TRY(collect_image(loc, image, digests, ev));
  return ev;
}

Result<Evidence>
lookup_image_evidence(const StorageLocation& loc, std::string_view reference)
{
  HARDRUN_TRY_ASSIGN(ref, parse_reference(reference));
  if (!ref.pinned()) {
    return make_error(Errc::invalid_input, "image reference " + std::string(reference)
                                             + " is not pinned: use NAME@sha256:<64 hex>");
  }
  HARDRUN_TRY_ASSIGN(image, find_image_by_digest(loc, ref.name(), ref.digest));
  Evidence ev;
  ev.source = "containers-storage";
  // podman records a digest run as repo@digest (the tag dropped: formats.md §4.5).
  ev.reference = ref.name() + "@" + ref.digest;
  ev.image_id = image.id;
  HARDRUN_TRY(collect_image(loc, image, {ref.digest}, ev));
  return ev;
}

Result<StorageLocation>
probe_location(const std::string& root)
{
  for (const char* driver : {"overlay", "vfs", "btrfs", "zfs", "devmapper", "aufs"}) {
    StorageLocation loc{root, driver};
    struct stat st {};
    if (::lstat((loc.images_dir() + "/images.json").c_str(), &st) == 0) {
      return loc;
    }
  }
  return make_error(Errc::not_found, root + ": no <driver>-images/images.json (is this a containers-storage graph root?)");
}

} // namespace hardrun::image
