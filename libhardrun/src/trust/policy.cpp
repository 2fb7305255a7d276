// SPDX-License-Identifier: Apache-2.0
// containers-policy.json(5), loaded strictly (containers/image signature/policy_config.go and
// policy_config_sigstore.go name the fields; hardrun refuses what c/image would ignore).
#include "hardrun/trust/policy.hpp"

#include <filesystem>

#include "hardrun/spec/fields.hpp"
#include "hardrun/spec/json.hpp"
#include "hardrun/sys/fs.hpp"
#include "hardrun/trust/signature.hpp"

namespace hardrun::trust {
namespace {

using spec::Fields;
using spec::Json;
using spec::pointer_append;

struct Loader {
  std::string base_dir;
  bool load_keys = true; // false for transports hardrun never consults

  [[nodiscard]] std::string resolve(const std::string& path) const
  {
    if (path.empty() || path.front() == '/') {
      return path;
    }
    // Relative key paths are resolved against the policy's directory, never the hook's
    // working directory (which the container's creator may influence: security.md 0 item 2).
    return base_dir + "/" + path;
  }

  [[nodiscard]] Result<std::string> read_key(const std::string& path, const std::string& pointer) const
  {
    sys::ReadOptions options;
    options.max_bytes = k_key_max_bytes;
    options.no_follow = true;
    options.single_link = false;
    // Threat: whoever can write a trusted key decides what runs (P6).
    options.trusted_owner = true;
    auto file = sys::read_file(resolve(path), options);
    if (!file) {
      return tl::unexpected(std::move(file).error().with_context(pointer));
    }
    return std::move(file->bytes);
  }
};

// Collect the key sources of a requirement: (what, bytes) pairs.
struct KeySource {
  std::string what;
  std::string bytes;
};

Result<std::vector<KeySource>>
key_sources(const Loader& loader, const Json* path, const Json* paths, const Json* data, const Json* datas,
            const std::string& pointer)
{
  std::vector<KeySource> out;
  if (path != nullptr) {
    const std::string p = pointer_append(pointer, "keyPath");
    HARDRUN_TRY_ASSIGN(file, spec::get_string(*path, p));
    if (file.empty()) {
      return spec::bad_value(p, "must not be empty");
    }
    out.push_back({"key " + loader.resolve(file), ""});
    if (loader.load_keys) {
      HARDRUN_TRY_ASSIGN(bytes, loader.read_key(file, p));
      out.back().bytes = std::move(bytes);
    }
  }
  if (paths != nullptr) {
    const std::string p = pointer_append(pointer, "keyPaths");
    HARDRUN_TRY_ASSIGN(files, spec::get_strings(*paths, p));
    if (files.empty()) {
      return spec::bad_value(p, "contains no entries");
    }
    for (std::size_t i = 0; i < files.size(); ++i) {
      out.push_back({"key " + loader.resolve(files[i]), ""});
      if (loader.load_keys) {
        HARDRUN_TRY_ASSIGN(bytes, loader.read_key(files[i], pointer_append(p, i)));
        out.back().bytes = std::move(bytes);
      }
    }
  }
  auto add_data = [&](const Json& v, const std::string& p) -> Result<void> {
    HARDRUN_TRY_ASSIGN(b64, spec::get_string(v, p));
    auto bytes = base64_decode(b64);
    if (!bytes) {
      return spec::bad_value(p, bytes.error().message);
    }
    out.push_back({"key " + p, std::move(*bytes)});
    return {};
  };
  if (data != nullptr) {
    HARDRUN_TRY(add_data(*data, pointer_append(pointer, "keyData")));
  }
  if (datas != nullptr) {
    const std::string p = pointer_append(pointer, "keyDatas");
    if (!datas->is_array() || datas->empty()) {
      return spec::bad_value(p, "must be a non-empty array of base64 strings");
    }
    for (std::size_t i = 0; i < datas->size(); ++i) {
      HARDRUN_TRY(add_data((*datas)[i], pointer_append(p, i)));
    }
  }
  return out;
}

// remapIdentity prefixes: host[:port], or host[:port]/namespace... (validateIdentityRemappingPrefix).
bool
valid_prefix(std::string_view s)
{
  const std::size_t slash = s.find('/');
  if (slash == std::string_view::npos) {
    return image::is_valid_domain(s);
  }
  return image::is_valid_domain(s.substr(0, slash)) && image::is_valid_repository_path(s.substr(slash + 1));
}

Result<SignedIdentity>
parse_identity(const Json& v, const std::string& pointer)
{
  HARDRUN_TRY_ASSIGN(f, Fields::of(v, pointer, false));
  HARDRUN_TRY_ASSIGN(type_v, f.required("type"));
  HARDRUN_TRY_ASSIGN(type, spec::get_string(*type_v, f.at("type")));
  SignedIdentity id;
  if (type == "matchRepoDigestOrExact") {
    id.kind = SignedIdentity::Kind::match_repo_digest_or_exact;
  } else if (type == "matchRepository") {
    id.kind = SignedIdentity::Kind::match_repository;
  } else if (type == "matchExact") {
    id.kind = SignedIdentity::Kind::match_exact;
  } else if (type == "exactReference") {
    id.kind = SignedIdentity::Kind::exact_reference;
    HARDRUN_TRY_ASSIGN(ref_v, f.required("dockerReference"));
    HARDRUN_TRY_ASSIGN(text, spec::get_string(*ref_v, f.at("dockerReference")));
    auto ref = image::parse_reference(text);
    if (!ref) {
      return spec::bad_value(f.at("dockerReference"), ref.error().message);
    }
    if (ref->tag.empty() && ref->digest.empty()) {
      return spec::bad_value(f.at("dockerReference"), "\"" + text + "\" contains neither a tag nor a digest");
    }
    id.reference = ref->str();
  } else if (type == "exactRepository") {
    id.kind = SignedIdentity::Kind::exact_repository;
    HARDRUN_TRY_ASSIGN(ref_v, f.required("dockerRepository"));
    HARDRUN_TRY_ASSIGN(text, spec::get_string(*ref_v, f.at("dockerRepository")));
    auto ref = image::parse_reference(text);
    if (!ref) {
      return spec::bad_value(f.at("dockerRepository"), ref.error().message);
    }
    id.reference = ref->name();
  } else if (type == "remapIdentity") {
    id.kind = SignedIdentity::Kind::remap_identity;
    HARDRUN_TRY_ASSIGN(prefix_v, f.required("prefix"));
    HARDRUN_TRY_ASSIGN(signed_v, f.required("signedPrefix"));
    HARDRUN_TRY_ASSIGN(prefix, spec::get_string(*prefix_v, f.at("prefix")));
    HARDRUN_TRY_ASSIGN(signed_prefix, spec::get_string(*signed_v, f.at("signedPrefix")));
    if (!valid_prefix(prefix)) {
      return spec::bad_value(f.at("prefix"), "\"" + prefix + "\" is not a host[:port] or host[:port]/namespace prefix");
    }
    if (!valid_prefix(signed_prefix)) {
      return spec::bad_value(f.at("signedPrefix"), "\"" + signed_prefix + "\" is not a host[:port] or host[:port]/namespace prefix");
    }
    id.prefix = prefix;
    id.signed_prefix = signed_prefix;
  } else {
    return spec::bad_value(f.at("type"), "unknown signedIdentity type \"" + type + "\"");
  }
  HARDRUN_TRY(f.finish());
  return id;
}

Result<void>
parse_signed_identity(Fields& f, Requirement& req)
{
  if (const Json* v = f.optional("signedIdentity"); v != nullptr) {
    HARDRUN_TRY_ASSIGN(id, parse_identity(*v, f.at("signedIdentity")));
    req.identity = std::move(id);
  }
  return {};
}

std::size_t
count_present(std::initializer_list<const Json*> values)
{
  std::size_t n = 0;
  for (const Json* v : values) {
    n += v != nullptr ? 1 : 0;
  }
  return n;
}

Result<void>
parse_signed_by(const Loader& loader, Fields& f, Requirement& req)
{
  req.type = Requirement::Type::signed_by;
  HARDRUN_TRY_ASSIGN(key_type_v, f.required("keyType"));
  HARDRUN_TRY_ASSIGN(key_type, spec::get_string(*key_type_v, f.at("keyType")));
  const Json* path = f.optional("keyPath");
  const Json* paths = f.optional("keyPaths");
  const Json* data = f.optional("keyData");
  HARDRUN_TRY(parse_signed_identity(f, req));
  HARDRUN_TRY(f.finish());
  const std::size_t sources = count_present({path, paths, data});
  if (sources != 1) {
    return spec::bad_value(f.pointer(), "exactly one of keyPath, keyPaths and keyData must be specified");
  }
  if (key_type == "signedByGPGKeys" || key_type == "X509Certificates" || key_type == "signedByX509CAs") {
    // Known to containers/image, implemented by neither: deny, never skip.
    req.unsupported = "signedBy keyType " + key_type + " is not supported (only GPGKeys is)";
    return {};
  }
  if (key_type != "GPGKeys") {
    return spec::bad_value(f.at("keyType"), "unknown keyType \"" + key_type + "\"");
  }
  HARDRUN_TRY_ASSIGN(keys, key_sources(loader, path, paths, data, nullptr, f.pointer()));
  auto ring = std::make_shared<GpgKeyring>();
  if (loader.load_keys) {
    for (const KeySource& k : keys) {
      HARDRUN_TRY(ring->import(k.bytes, k.what).map_error([&](Error e) { return std::move(e).with_context(f.pointer()); }));
    }
  }
  req.gpg_keys = std::move(ring);
  return {};
}

// Keyless trust roots are parsed with their exact fields so a typo is still an error, but they
// are not evaluated (hardrun has no Fulcio/Rekor/PKI verification).
Result<void>
parse_keyless_object(const Json& v, const std::string& pointer, std::initializer_list<const char*> keys)
{
  HARDRUN_TRY_ASSIGN(f, Fields::of(v, pointer, false));
  for (const char* k : keys) {
    if (const Json* x = f.optional(k); x != nullptr) {
      HARDRUN_TRY(spec::get_string(*x, f.at(k)));
    }
  }
  return f.finish();
}

Result<void>
parse_sigstore_signed(const Loader& loader, Fields& f, Requirement& req)
{
  req.type = Requirement::Type::sigstore_signed;
  const Json* path = f.optional("keyPath");
  const Json* paths = f.optional("keyPaths");
  const Json* data = f.optional("keyData");
  const Json* datas = f.optional("keyDatas");
  const Json* fulcio = f.optional("fulcio");
  const Json* pki = f.optional("pki");
  const Json* rekor_path = f.optional("rekorPublicKeyPath");
  const Json* rekor_paths = f.optional("rekorPublicKeyPaths");
  const Json* rekor_data = f.optional("rekorPublicKeyData");
  const Json* rekor_datas = f.optional("rekorPublicKeyDatas");
  HARDRUN_TRY(parse_signed_identity(f, req));
  HARDRUN_TRY(f.finish());
  const std::size_t sources = count_present({path, paths, data, datas, fulcio, pki});
  if (sources != 1) {
    return spec::bad_value(f.pointer(), "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio and pki must be specified");
  }
  const std::size_t rekor = count_present({rekor_path, rekor_paths, rekor_data, rekor_datas});
  if (rekor > 1) {
    return spec::bad_value(f.pointer(), "at most one of rekorPublicKeyPath, rekorPublicKeyPaths, rekorPublicKeyData and "
                            "rekorPublicKeyDatas may be specified");
  }
  if (fulcio != nullptr) {
    HARDRUN_TRY(parse_keyless_object(*fulcio, f.at("fulcio"), {"caPath", "caData", "oidcIssuer", "subjectEmail"}));
    req.unsupported = "keyless sigstore (fulcio) is not supported; use sigstoreSigned with keyPath";
    return {};
  }
  if (pki != nullptr) {
    HARDRUN_TRY(parse_keyless_object(*pki, f.at("pki"),
                                     {"caRootsPath", "caRootsData", "caIntermediatesPath", "caIntermediatesData",
                                      "subjectEmail", "subjectHostname"}));
    req.unsupported = "keyless sigstore (pki) is not supported; use sigstoreSigned with keyPath";
    return {};
  }
  if (rekor != 0) {
    // Threat: an admin who asked for transparency-log proof must not get less silently.
    req.unsupported = "sigstore Rekor verification (rekorPublicKey*) is not supported";
    return {};
  }
  HARDRUN_TRY_ASSIGN(keys, key_sources(loader, path, paths, data, datas, f.pointer()));
  auto set = std::make_shared<SigstoreKeys>();
  if (loader.load_keys) {
    for (const KeySource& k : keys) {
      HARDRUN_TRY(set->add_pem(k.bytes, k.what).map_error([&](Error e) { return std::move(e).with_context(f.pointer()); }));
    }
  }
  req.sigstore_keys = std::move(set);
  return {};
}

Result<Requirement>
parse_requirement(const Loader& loader, const Json& v, const std::string& pointer)
{
  HARDRUN_TRY_ASSIGN(f, Fields::of(v, pointer, false));
  HARDRUN_TRY_ASSIGN(type_v, f.required("type"));
  HARDRUN_TRY_ASSIGN(type, spec::get_string(*type_v, f.at("type")));
  Requirement req;
  req.pointer = pointer;
  if (type == "insecureAcceptAnything") {
    req.type = Requirement::Type::insecure_accept_anything;
    HARDRUN_TRY(f.finish());
  } else if (type == "reject") {
    req.type = Requirement::Type::reject;
    HARDRUN_TRY(f.finish());
  } else if (type == "signedBy") {
    HARDRUN_TRY(parse_signed_by(loader, f, req));
  } else if (type == "sigstoreSigned") {
    HARDRUN_TRY(parse_sigstore_signed(loader, f, req));
  } else {
    // Threat: an unknown requirement skipped is a requirement not enforced (P4, R5).
    return spec::bad_value(f.at("type"), "unknown policy requirement type \"" + type + "\"");
  }
  return req;
}

Result<std::vector<Requirement>>
parse_requirements(const Loader& loader, const Json& v, const std::string& pointer)
{
  if (!v.is_array()) {
    return spec::bad_value(pointer, "must be an array of requirements");
  }
  if (v.empty()) {
    return spec::bad_value(pointer, "list of requirements must not be empty");
  }
  std::vector<Requirement> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    HARDRUN_TRY_ASSIGN(req, parse_requirement(loader, v[i], pointer_append(pointer, i)));
    out.push_back(std::move(req));
  }
  return out;
}

bool
registry_like(std::string_view first)
{
  return first.find_first_of(".:") != std::string_view::npos || first == "localhost";
}

// A docker transport scope: "" (transport-wide), "*.domain", a host, a namespace or repository
// under a host, or a full name:tag / name@digest. A scope that can never match an image (an
// unqualified "busybox/x", a tag together with a digest) is an error instead of a silently
// dead rule.
Result<void>
validate_docker_scope(const std::string& key, const std::string& pointer)
{
  if (key.empty()) {
    return {};
  }
  if (key.rfind("*.", 0) == 0) {
    if (!image::is_valid_domain(key.substr(2)) || key.find(':') != std::string::npos) {
      return spec::bad_value(pointer, "wildcard scope must be \"*.\" followed by a domain without port");
    }
    return {};
  }
  const std::size_t slash = key.find('/');
  if (slash == std::string::npos) {
    if (!image::is_valid_domain(key)) {
      return spec::bad_value(pointer, "is not a registry host, namespace or image reference");
    }
    return {};
  }
  const std::string first = key.substr(0, slash);
  if (!registry_like(first) || first == "index.docker.io") {
    return spec::bad_value(pointer, "scope must start with a registry host (e.g. \"docker.io/" + key + "\")");
  }
  if (key.find_first_of(":@", slash) == std::string::npos) {
    if (!image::is_valid_domain(first) || !image::is_valid_repository_path(key.substr(slash + 1))) {
      return spec::bad_value(pointer, "is not a valid registry namespace or repository");
    }
    return {};
  }
  auto ref = image::parse_reference(key);
  if (!ref) {
    return spec::bad_value(pointer, ref.error().message);
  }
  if (ref->str() != key || (!ref->tag.empty() && !ref->digest.empty())) {
    return spec::bad_value(pointer, "is not a canonical name:tag or name@digest (did you mean \"" + ref->str() + "\"?)");
  }
  return {};
}

Result<TrustPolicy>
parse_into(TrustPolicy& policy, std::string_view text, const std::string& path, const std::string& base_dir,
           Scope& default_scope, std::map<std::string, Scope>& docker)
{
  // Threat: parser differentials and oversized input (R8).
  HARDRUN_TRY_ASSIGN(doc, spec::parse_strict(text, path, spec::ParseLimits{k_policy_max_bytes, 64}));
  Loader loader{base_dir, true};
  HARDRUN_TRY_ASSIGN(top, Fields::of(doc, "", false));
  HARDRUN_TRY_ASSIGN(default_v, top.required("default"));
  const Json* transports = top.optional("transports");
  HARDRUN_TRY(top.finish());
  HARDRUN_TRY_ASSIGN(defaults, parse_requirements(loader, *default_v, "/default"));
  default_scope = Scope{"default", std::move(defaults)};
  if (transports != nullptr) {
    HARDRUN_TRY_ASSIGN(tf, Fields::of(*transports, "/transports", false));
    for (const auto& [name, scopes] : transports->items()) {
      const std::string tp = tf.at(name.c_str());
      (void)tf.optional(name.c_str());
      if (!scopes.is_object()) {
        return spec::bad_value(tp, "must be an object of scopes");
      }
      const bool is_docker = name == "docker";
      const Loader scoped{base_dir, is_docker};
      for (const auto& [key, reqs] : scopes.items()) {
        const std::string sp = pointer_append(tp, key);
        if (is_docker) {
          HARDRUN_TRY(validate_docker_scope(key, sp));
        }
        HARDRUN_TRY_ASSIGN(list, parse_requirements(scoped, reqs, sp));
        if (is_docker) {
          docker[key] = Scope{key.empty() ? "docker" : key, std::move(list)};
        }
      }
    }
  }
  return std::move(policy);
}

} // namespace

const Scope&
TrustPolicy::scope_for(const image::Reference& ref) const
{
  std::vector<std::string> candidates;
  if (!ref.digest.empty()) {
    candidates.push_back(ref.name() + "@" + ref.digest);
  } else if (!ref.tag.empty()) {
    candidates.push_back(ref.name() + ":" + ref.tag);
  }
  std::string name = ref.name();
  while (true) {
    candidates.push_back(name);
    const std::size_t slash = name.rfind('/');
    if (slash == std::string::npos) {
      break;
    }
    name.resize(slash);
  }
  if (const std::size_t colon = name.find(':'); colon != std::string::npos) {
    name.resize(colon);
  }
  for (std::size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.')) {
    name.erase(0, dot + 1);
    candidates.push_back("*." + name);
  }
  candidates.emplace_back("");
  for (const std::string& c : candidates) {
    if (const auto it = m_docker.find(c); it != m_docker.end()) {
      return it->second;
    }
  }
  return m_default;
}

Result<TrustPolicy>
parse_trust_policy(std::string_view text, const std::string& path, const std::string& base_dir)
{
  TrustPolicy policy;
  policy.m_path = path;
  auto parsed = parse_into(policy, text, path, base_dir, policy.m_default, policy.m_docker);
  if (!parsed) {
    // Every load error names the file (R5): the hook denies everything with this line.
    return tl::unexpected(std::move(parsed).error().with_context("trust policy " + path));
  }
  return parsed;
}

Result<TrustPolicy>
load_trust_policy(const std::string& path)
{
  sys::ReadOptions options;
  options.max_bytes = k_policy_max_bytes;
  options.no_follow = true;
  options.single_link = false;
  // Threat: a writable policy is a policy anyone can rewrite (P6).
  options.trusted_owner = true;
  auto file = sys::read_file(path, options);
  if (!file) {
    return tl::unexpected(std::move(file).error().with_context("trust policy " + path));
  }
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return parse_trust_policy(file->bytes, path, dir.empty() ? "." : dir);
}

} // namespace hardrun::trust
