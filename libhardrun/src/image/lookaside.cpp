// SPDX-License-Identifier: Apache-2.0
// containers-registries.d(5) and the lookaside ("sigstore" before c/image 5.21) signature
// layout. Only file:// stores are read; the hook never touches the network (security.md R3).
#include "hardrun/image/lookaside.hpp"

#include <dirent.h>
#include <yaml.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "hardrun/image/signatures.hpp"
#include "hardrun/spec/path.hpp"
#include "hardrun/sys/fs.hpp"

namespace hardrun::image {
namespace {

struct DocumentDeleter {
  void
  operator()(yaml_document_t* d) const
  {
    yaml_document_delete(d);
    delete d; // NOLINT(cppcoreguidelines-owning-memory): paired with the new in load_document
  }
};
using Document = std::unique_ptr<yaml_document_t, DocumentDeleter>;

Unexpected
bad(const std::string& file, const std::string& msg)
{
  return make_error(Errc::invalid_input, file + ": " + msg);
}

Result<Document>
load_document(std::string_view text, const std::string& file)
{
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0) {
    return make_error(Errc::system, file + ": cannot initialise the YAML parser");
  }
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  auto* raw = new yaml_document_t; // NOLINT(cppcoreguidelines-owning-memory)
  if (yaml_parser_load(&parser, raw) == 0) {
    std::string msg = std::string(parser.problem != nullptr ? parser.problem : "YAML error") + " at line "
                    + std::to_string(parser.problem_mark.line + 1);
    yaml_parser_delete(&parser);
    delete raw; // NOLINT(cppcoreguidelines-owning-memory)
    return bad(file, msg);
  }
  // A second document in one file is not part of the format.
  yaml_document_t extra;
  const bool more = yaml_parser_load(&parser, &extra) != 0 && yaml_document_get_root_node(&extra) != nullptr;
  yaml_document_delete(&extra);
  yaml_parser_delete(&parser);
  Document doc(raw);
  if (more) {
    return bad(file, "more than one YAML document");
  }
  return doc;
}

std::string
scalar(const yaml_node_t* n)
{
  return std::string(reinterpret_cast<const char*>(n->data.scalar.value), n->data.scalar.length);
}

// Walk a mapping's pairs, refusing non-scalar keys and duplicate keys (YAML allows neither
// in this format; a duplicate would let the second silently win).
template <class F>
Result<void>
each_pair(yaml_document_t* doc, const yaml_node_t* map, const std::string& file, const std::string& where, F&& f)
{
  if (map->type != YAML_MAPPING_NODE) {
    return bad(file, where + " must be a mapping");
  }
  std::vector<std::string> seen;
  for (yaml_node_pair_t* p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; ++p) {
    const yaml_node_t* k = yaml_document_get_node(doc, p->key);
    const yaml_node_t* v = yaml_document_get_node(doc, p->value);
    if (k == nullptr || v == nullptr || k->type != YAML_SCALAR_NODE) {
      return bad(file, where + ": keys must be strings");
    }
    std::string key = scalar(k);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      return bad(file, where + ": duplicate key \"" + key + "\"");
    }
    seen.push_back(key);
    HARDRUN_TRY(f(key, v));
  }
  return {};
}

Result<RegistryScope>
parse_scope(yaml_document_t* doc, const yaml_node_t* node, const std::string& file, const std::string& where)
{
  RegistryScope scope;
  scope.file = file;
  bool have_lookaside = false;
  bool have_staging = false;
  HARDRUN_TRY(each_pair(doc, node, file, where, [&](const std::string& key, const yaml_node_t* v) -> Result<void> {
    if (v->type != YAML_SCALAR_NODE) {
      return bad(file, where + "." + key + " must be a scalar");
    }
    const std::string value = scalar(v);
    if (key == "lookaside" || key == "sigstore") {
      if (have_lookaside) {
        return bad(file, where + ": both lookaside and sigstore are set");
      }
      have_lookaside = true;
      scope.lookaside = value;
    } else if (key == "lookaside-staging" || key == "sigstore-staging") {
      if (have_staging) {
        return bad(file, where + ": both lookaside-staging and sigstore-staging are set");
      }
      have_staging = true;
      scope.lookaside_staging = value;
    } else if (key == "use-sigstore-attachments") {
      if (value == "true") {
        scope.use_sigstore_attachments = true;
      } else if (value == "false") {
        scope.use_sigstore_attachments = false;
      } else {
        return bad(file, where + ".use-sigstore-attachments must be true or false");
      }
    } else {
      return bad(file, where + ": unknown key \"" + key + "\"");
    }
    return {};
  }));
  return scope;
}

// The repository path under a lookaside URL: "<path>@sha256=<hex>/signature-<n>".
std::string
signature_path(const std::string& base, const Reference& ref, std::string_view digest, std::size_t n)
{
  std::string d(digest);
  d[d.find(':')] = '=';
  return base + "/" + ref.path + "@" + d + "/signature-" + std::to_string(n);
}

} // namespace

Result<void>
parse_registries_yaml(std::string_view text, const std::string& file, RegistriesConfig& into)
{
  HARDRUN_TRY_ASSIGN(doc, load_document(text, file));
  const yaml_node_t* root = yaml_document_get_root_node(doc.get());
  if (root == nullptr) {
    return {}; // an empty file configures nothing
  }
  return each_pair(doc.get(), root, file, "top level", [&](const std::string& key, const yaml_node_t* v) -> Result<void> {
    if (key == "default-docker") {
      if (into.default_docker) {
        return bad(file, "default-docker is already defined in " + into.default_docker->file);
      }
      HARDRUN_TRY_ASSIGN(scope, parse_scope(doc.get(), v, file, "default-docker"));
      into.default_docker = std::move(scope);
      return {};
    }
    if (key == "docker") {
      return each_pair(doc.get(), v, file, "docker", [&](const std::string& name, const yaml_node_t* sv) -> Result<void> {
        if (const auto it = into.docker.find(name); it != into.docker.end()) {
          return bad(file, "docker scope \"" + name + "\" is already defined in " + it->second.file);
        }
        HARDRUN_TRY_ASSIGN(scope, parse_scope(doc.get(), sv, file, "docker." + name));
        into.docker.emplace(name, std::move(scope));
        return {};
      });
    }
    return bad(file, "unknown key \"" + key + "\"");
  });
}

Result<RegistriesConfig>
load_registries_d(const std::string& dir)
{
  RegistriesConfig config;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) {
    if (errno == ENOENT) {
      return config;
    }
    return make_sys_error(errno, "registries.d " + dir);
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d.get())) {
    const std::string n = e->d_name;
    if (n.size() > 5 && n.compare(n.size() - 5, 5, ".yaml") == 0 && n[0] != '.') {
      names.push_back(n);
    }
  }
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    const std::string path = dir + "/" + n;
    HARDRUN_TRY_ASSIGN(loaded, sys::read_file(path, sys::ReadOptions{k_max_registries_file_bytes, true, true, true}));
    HARDRUN_TRY(parse_registries_yaml(loaded.bytes, path, config));
  }
  return config;
}

std::string
lookaside_url(const RegistriesConfig& config, const Reference& ref)
{
  const auto pick = [](const RegistryScope& s) -> std::optional<std::string> {
    if (s.lookaside.empty()) {
      return std::nullopt;
    }
    return s.lookaside;
  };
  // Policy identity first: name@digest (a digest wins over a tag) or name:tag (default latest).
  const std::string identity = !ref.digest.empty() ? ref.name() + "@" + ref.digest
                                                   : ref.name() + ":" + (ref.tag.empty() ? "latest" : ref.tag);
  if (const auto it = config.docker.find(identity); it != config.docker.end()) {
    if (auto u = pick(it->second)) {
      return *u;
    }
  }
  std::string ns = ref.name();
  for (;;) {
    if (const auto it = config.docker.find(ns); it != config.docker.end()) {
      if (auto u = pick(it->second)) {
        return *u;
      }
    }
    const auto slash = ns.rfind('/');
    if (slash == std::string::npos) {
      break;
    }
    ns.erase(slash);
  }
  if (config.default_docker) {
    if (auto u = pick(*config.default_docker)) {
      return *u;
    }
  }
  return std::string(k_default_lookaside);
}

Result<std::vector<SignatureBlob>>
read_lookaside(const std::string& url, const Reference& ref, std::string_view digest, std::vector<std::string>& notes)
{
  std::vector<SignatureBlob> out;
  constexpr std::string_view scheme = "file://";
  if (url.rfind(scheme, 0) != 0) {
    // Threat: network access from the hook (R3); a remote store is simply not consulted.
    notes.push_back("lookaside " + url + " is not a file:// URL; not read (the hook never uses the network)");
    return out;
  }
  std::string base = url.substr(scheme.size());
  while (base.size() > 1 && base.back() == '/') {
    base.pop_back();
  }
  if (!spec::is_clean_absolute(base)) {
    return make_error(Errc::invalid_input, "lookaside " + url + ": not a clean absolute file:// path");
  }
  if (!is_sha256_digest(digest)) {
    return make_error(Errc::invalid_input, "lookaside: invalid digest \"" + std::string(digest) + "\"");
  }
  for (std::size_t n = 1;; ++n) {
    const std::string path = signature_path(base == "/" ? "" : base, ref, digest, n);
    auto loaded = sys::read_file(path, sys::ReadOptions{k_max_signature_bytes, true, true, true});
    if (!loaded) {
      if (loaded.error().code == Errc::not_found) {
        break;
      }
      return tl::unexpected(std::move(loaded).error());
    }
    if (n > k_max_signatures) {
      return make_error(Errc::invalid_input, "lookaside " + base + ": more than " + std::to_string(k_max_signatures)
                                               + " signatures for " + std::string(digest));
    }
    out.push_back(SignatureBlob{std::move(loaded->bytes), "lookaside:" + path});
  }
  return out;
}

Result<void>
add_lookaside_signatures(const RegistriesConfig& config, Evidence& evidence)
{
  auto ref = parse_reference(evidence.reference);
  if (!ref) {
    evidence.notes.push_back("lookaside not consulted: " + ref.error().what());
    return {};
  }
  const std::string url = lookaside_url(config, *ref);
  for (const auto& [digest, manifest] : evidence.manifests) {
    (void)manifest;
    HARDRUN_TRY_ASSIGN(blobs, read_lookaside(url, *ref, digest, evidence.notes));
    auto& sigs = evidence.signatures[digest];
    if (sigs.size() + blobs.size() > k_max_signatures) {
      return make_error(Errc::invalid_input, std::string("more than ") + std::to_string(k_max_signatures)
                                               + " signatures for " + digest + " in storage and lookaside");
    }
    for (auto& b : blobs) {
      sigs.push_back(std::move(b));
    }
  }
  return {};
}

} // namespace hardrun::image
