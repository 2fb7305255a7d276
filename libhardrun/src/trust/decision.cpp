// SPDX-License-Identifier: Apache-2.0
// The admission decision (DESIGN.md trust model; security.md R10, R11): pinned reference ->
// stored manifest that hashes to the pin -> its config is the container's image -> the policy
// scope's requirements, each satisfied by a signature over that very digest.
#include "hardrun/trust/decision.hpp"

#include <algorithm>

#include "hardrun/image/reference.hpp"
#include "hardrun/spec/json.hpp"
#include "hardrun/trust/policy.hpp"
#include "hardrun/trust/signature.hpp"

namespace hardrun::trust {
namespace {

using spec::Json;

constexpr std::string_view k_docker_manifest = "application/vnd.docker.distribution.manifest.v2+json";
constexpr std::string_view k_docker_list = "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr std::string_view k_oci_manifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view k_oci_index = "application/vnd.oci.image.index.v1+json";

// Untrusted text (signed references, error messages quoting input) made safe for a one-line
// report: control and non-ASCII bytes escaped, length capped.
std::string
printable(std::string_view s, std::size_t max = 200)
{
  static constexpr std::string_view k_hex = "0123456789abcdef";
  std::string out;
  for (const char c : s.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) {
      out += "\\x";
      out += k_hex[u >> 4U];
      out += k_hex[u & 0x0fU];
    } else {
      out += c;
    }
  }
  if (s.size() > max) {
    out += "...";
  }
  return out;
}

bool
is_hex64(std::string_view s)
{
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Decision
deny(Decision d, std::string rule, std::string reason, std::string fix)
{
  d.verdict = Verdict::deny;
  d.rule = std::move(rule);
  d.reason = std::move(reason);
  d.fix = std::move(fix);
  return d;
}

struct Manifest {
  bool is_list = false;
  std::string config_digest;         // image manifest
  std::vector<std::string> children; // list: instance digests
};

// Enough of a schema2 / OCI manifest or index to bind it to the image: parsed strictly (no
// duplicate keys, trailing data; R8) but without judging fields the decision does not use.
Result<Manifest>
parse_manifest(std::string_view bytes, const std::string& digest)
{
  HARDRUN_TRY_ASSIGN(doc, spec::parse_strict(bytes, "manifest " + digest, spec::ParseLimits{k_manifest_max_bytes, 64}));
  const auto fail = [&](const std::string& problem) {
    return make_error(Errc::invalid_input, "manifest " + digest + ": " + problem);
  };
  const auto version = doc.find("schemaVersion");
  if (version == doc.end() || !version->is_number_integer() || version->get<int>() != 2) {
    return fail("only schemaVersion 2 manifests are supported");
  }
  std::string media;
  if (const auto m = doc.find("mediaType"); m != doc.end()) {
    if (!m->is_string()) {
      return fail("mediaType is not a string");
    }
    media = m->get<std::string>();
  }
  const bool has_config = doc.contains("config");
  const bool has_manifests = doc.contains("manifests");
  Manifest out;
  if (media == k_docker_list || media == k_oci_index || (media.empty() && has_manifests && !has_config)) {
    out.is_list = true;
    const auto list = doc.find("manifests");
    if (list == doc.end() || !list->is_array()) {
      return fail("manifests is not an array");
    }
    for (const Json& entry : *list) {
      const auto d = entry.is_object() ? entry.find("digest") : entry.end();
      if (!entry.is_object() || d == entry.end() || !d->is_string()) {
        return fail("an index entry has no digest");
      }
      out.children.push_back(d->get<std::string>());
    }
    return out;
  }
  // Threat: an ambiguous document read as one kind here and another by the engine.
  if (media == k_docker_manifest || media == k_oci_manifest || (media.empty() && has_config && !has_manifests)) {
    const auto config = doc.find("config");
    const auto d = config != doc.end() && config->is_object() ? config->find("digest") : doc.end();
    if (config == doc.end() || !config->is_object() || d == config->end() || !d->is_string()) {
      return fail("config.digest is missing");
    }
    out.config_digest = d->get<std::string>();
    return out;
  }
  return fail("unsupported manifest type \"" + printable(media, 80) + "\"");
}

// A manifest that hashes to `digest` and whose config is the image (I4, I5).
enum class Binding { ok, missing, too_large, mismatch };

Binding
stored_manifest(const image::Evidence& ev, const std::string& digest, std::string_view* bytes)
{
  const auto it = ev.manifests.find(digest);
  if (it == ev.manifests.end()) {
    return Binding::missing;
  }
  if (it->second.size() > k_manifest_max_bytes) {
    return Binding::too_large;
  }
  if (image::sha256_digest(it->second) != digest) {
    return Binding::mismatch;
  }
  *bytes = it->second;
  return Binding::ok;
}

struct Outcome {
  bool allowed = false;
  int rank = 0; // which failure to report: the one that got furthest
  std::string rule;
  std::string reason;
  std::string fix;
  std::string signer;
};

struct Context {
  const TrustPolicy& policy;
  const Scope& scope;
  const image::Reference& ref;
  const std::vector<image::SignatureBlob>& signatures;
};

std::string
identity_name(SignedIdentity::Kind kind)
{
  switch (kind) {
  case SignedIdentity::Kind::match_repo_digest_or_exact:
    return "matchRepoDigestOrExact";
  case SignedIdentity::Kind::match_repository:
    return "matchRepository";
  case SignedIdentity::Kind::match_exact:
    return "matchExact";
  case SignedIdentity::Kind::exact_reference:
    return "exactReference";
  case SignedIdentity::Kind::exact_repository:
    return "exactRepository";
  case SignedIdentity::Kind::remap_identity:
    return "remapIdentity";
  }
  return "?";
}

std::string
sign_fix(const Requirement& req, const image::Reference& ref)
{
  const std::string pinned = ref.name() + "@" + ref.digest;
  if (req.type == Requirement::Type::signed_by) {
    const auto& fprs = req.gpg_keys->fingerprints();
    const std::string fpr = fprs.empty() ? "<trusted key fingerprint>" : fprs.front();
    return "sign it with a trusted key (skopeo copy --sign-by " + fpr + " docker://" + pinned + " docker://" + pinned +
           ") and pull it again by digest so the signature is stored (podman pull " + pinned + ")";
  }
  return "sign it with a key the policy trusts (cosign sign --key <key> " + pinned +
         ") and pull it again by digest so the signature is stored (podman pull " + pinned + ")";
}

void
keep_worst(Outcome& best, Outcome candidate)
{
  if (candidate.rank > best.rank) {
    best = std::move(candidate);
  }
}

Outcome
check_signatures(const Requirement& req, const Context& ctx)
{
  const SignatureFormat want =
    req.type == Requirement::Type::signed_by ? SignatureFormat::simple_signing : SignatureFormat::sigstore;
  const std::string kind(format_name(want));
  const std::string fix = sign_fix(req, ctx.ref);
  Outcome best;
  std::size_t other_formats = 0;
  for (std::size_t i = 0; i < ctx.signatures.size(); ++i) {
    const image::SignatureBlob& blob = ctx.signatures[i];
    const std::string where = blob.origin.empty() ? "signature " + std::to_string(i + 1) : printable(blob.origin, 120);
    // Threat: resource exhaustion by a huge blob (G9); checked before any parsing.
    if (blob.bytes.size() > k_signature_max_bytes) {
      keep_worst(best, {false, 1, "signature-limit", where + ": signature larger than 64 KiB, not considered", fix, {}});
      continue;
    }
    const SignatureFormat format = signature_format(blob.bytes);
    if (format != want) {
      // A requirement is satisfied by its own format only (c/image skips the others).
      ++other_formats;
      continue;
    }
    auto verified = want == SignatureFormat::simple_signing ? req.gpg_keys->verify(blob.bytes)
                                                            : req.sigstore_keys->verify(blob.bytes);
    if (!verified) {
      const std::string msg = printable(verified.error().what());
      const bool keyless = msg.find("keyless") != std::string::npos;
      keep_worst(best, {false, 2, keyless ? "keyless-unsupported" : "signed", where + ": " + msg, fix, {}});
      continue;
    }
    // Only now, with the bytes authenticated, is the payload parsed (R11).
    auto claims = parse_payload(verified->payload, format);
    if (!claims) {
      keep_worst(best, {false, 3, "signed", where + ": signed by " + verified->signer + " but the payload is malformed: " +
                                              printable(claims.error().what()),
                        fix, {}});
      continue;
    }
    // Threat: replay of a valid signature for another manifest (G2, CVE-2022-47633 class).
    if (claims->manifest_digest != ctx.ref.digest) {
      keep_worst(best, {false, 4, "signed-digest",
                        where + ": signed by " + verified->signer + " for digest " + claims->manifest_digest + ", not " +
                          ctx.ref.digest + " (a signature of another image)",
                        "sign " + ctx.ref.name() + "@" + ctx.ref.digest + " itself: " + fix, {}});
      continue;
    }
    // Threat: a valid signature for another repository (G3, R11 replay across repositories).
    if (!identity_matches(req.identity, ctx.ref, claims->docker_reference)) {
      keep_worst(best, {false, 4, "signed-identity",
                        where + ": signed by " + verified->signer + " as \"" + printable(claims->docker_reference) +
                          "\", which " + identity_name(req.identity.kind) + " does not accept for " + ctx.ref.name(),
                        "sign it under the name it runs as (" + ctx.ref.name() + "), or change signedIdentity at " +
                          req.pointer + " in " + ctx.policy.path(),
                        {}});
      continue;
    }
    return {true, 5, "signed", kind + " signature by " + verified->signer, {}, verified->signer};
  }
  if (best.rank == 0) {
    std::string reason = "no " + kind + " signature is stored for " + ctx.ref.digest;
    if (other_formats > 0) {
      reason += " (" + std::to_string(other_formats) + " signature(s) of another format)";
    }
    best = {false, 1, "signed", reason, fix, {}};
  }
  return best;
}

Outcome
evaluate(const Requirement& req, const Context& ctx)
{
  const std::string where = "policy scope \"" + ctx.scope.name + "\" (" + ctx.policy.path() + " " + req.pointer + ")";
  const std::string change = "run an image the policy admits, or change " + ctx.policy.path() + " " + req.pointer;
  if (!req.unsupported.empty()) {
    // Recognised but not verifiable here: a deny, never a skip.
    const bool keyless = req.unsupported.find("keyless") != std::string::npos;
    return {false, 0, keyless ? "keyless-unsupported" : "policy-unsupported", where + ": " + req.unsupported,
            "use a key-based requirement (signedBy with keyType GPGKeys, or sigstoreSigned with keyPath) at " +
              req.pointer + " in " + ctx.policy.path(),
            {}};
  }
  switch (req.type) {
  case Requirement::Type::insecure_accept_anything:
    return {true, 0, "insecure-accept", {}, {}, {}};
  case Requirement::Type::reject:
    return {false, 0, "policy-reject", where + " rejects every image (type reject)", change, {}};
  case Requirement::Type::signed_by:
  case Requirement::Type::sigstore_signed:
    return check_signatures(req, ctx);
  }
  return {false, 0, "policy-unsupported", where + ": unknown requirement", change, {}};
}

} // namespace

Result<Decision>
decide(const TrustPolicy& policy, const image::Evidence& evidence)
{
  Decision d;
  d.reference = evidence.reference;
  // The image id names the rootfs the container uses; without it nothing can be bound.
  if (!is_hex64(evidence.image_id)) {
    return make_error(Errc::invalid_input, "image id \"" + printable(evidence.image_id, 80) + "\" is not 64 lowercase hex");
  }
  const std::string run_by_digest = "pull and run it by digest: podman run <repository>@sha256:<manifest digest> "
                                    "(skopeo inspect docker://<repository>:<tag> shows the digest)";
  const std::string& text = evidence.reference;
  // "sha256:<id>" is what podman records for a run by image id: no repository, no pin (R10).
  if (text.rfind("sha256:", 0) == 0 && text.find('@') == std::string::npos) {
    return deny(d, "pinned", "the container runs image id " + printable(text, 80) + ", not a repository@sha256 digest",
                run_by_digest);
  }
  auto parsed = image::parse_reference(text);
  if (!parsed) {
    // Invalid references and digests are refused before anything is looked up (I3, I9).
    return deny(d, "reference", printable(parsed.error().message), run_by_digest);
  }
  const image::Reference& ref = *parsed;
  const Scope& scope = policy.scope_for(ref);
  d.scope = scope.name;
  // Threat: a tag moves; only a digest names fixed content (R10, I1).
  if (!ref.pinned()) {
    return deny(d, "pinned", ref.str() + " is not pinned by digest",
                "pull and run it by digest: podman run " + ref.name() +
                  "@sha256:<manifest digest> (skopeo inspect docker://" + ref.str() + " shows the digest)");
  }
  d.digest = ref.digest;
  const std::string pull = "pull it by digest from the registry that signed it: podman pull " + ref.name() + "@" +
                           ref.digest;

  // Threat: verify one object, run another (I4, CVE-2022-47633): the pin must name the stored bytes.
  std::string_view bytes;
  switch (stored_manifest(evidence, ref.digest, &bytes)) {
  case Binding::ok:
    break;
  case Binding::missing:
    return deny(d, "manifest-digest",
                "no manifest " + ref.digest + " is stored for this image (built or imported locally, or pulled under "
                                              "another digest): no signed registry manifest",
                pull);
  case Binding::too_large:
    return deny(d, "manifest-digest", "stored manifest " + ref.digest + " is larger than 4 MiB", pull);
  case Binding::mismatch:
    return deny(d, "manifest-digest", "stored manifest bytes do not hash to " + ref.digest + " (manifest digest mismatch)",
                pull);
  }
  auto manifest = parse_manifest(bytes, ref.digest);
  if (!manifest) {
    return deny(d, "manifest-digest", printable(manifest.error().what()), pull);
  }
  const std::string config = "sha256:" + evidence.image_id;
  if (manifest->is_list) {
    // R10/I8: an index digest is admitted only if it lists a stored instance whose config is the
    // image the container runs; the signatures are then checked for the index digest.
    bool found = false;
    for (const std::string& child : manifest->children) {
      std::string_view child_bytes;
      if (!image::is_sha256_digest(child) || stored_manifest(evidence, child, &child_bytes) != Binding::ok) {
        continue;
      }
      auto instance = parse_manifest(child_bytes, child);
      if (instance && !instance->is_list && instance->config_digest == config) {
        found = true;
        break;
      }
    }
    if (!found) {
      return deny(d, "manifest-list",
                  "manifest list " + ref.digest + " does not list a stored instance whose config is " + config, pull);
    }
  } else if (manifest->config_digest != config) {
    // Threat: a signed manifest whose config is not the rootfs being run (I5).
    return deny(d, "config-digest",
                "manifest " + ref.digest + " has config " + printable(manifest->config_digest, 80) +
                  ", but the container runs image " + config,
                pull);
  }

  static const std::vector<image::SignatureBlob> k_none;
  const auto sigs_it = evidence.signatures.find(ref.digest);
  const auto& sigs = sigs_it != evidence.signatures.end() ? sigs_it->second : k_none;
  if (const auto bad = evidence.unusable_signatures.find(ref.digest); bad != evidence.unusable_signatures.end()) {
    // The stored signatures broke a limit or did not split: none is considered (G9).
    const bool limit = bad->second.find("limit") != std::string::npos;
    return deny(d, limit ? "signature-limit" : "signature-sizes",
                "signatures stored for " + ref.digest + " are unusable: " + printable(bad->second, 200),
                "remove the surplus or oversized signatures from the registry/lookaside and pull it again");
  }
  // Threat: unbounded work from attacker-supplied signature lists (G9, cosign GHSA-vfp6).
  if (sigs.size() > k_max_signatures) {
    return deny(d, "signature-limit",
                std::to_string(sigs.size()) + " signatures are stored for " + ref.digest + ", more than 100: too many signatures",
                "remove the surplus signatures from the registry/lookaside and pull it again");
  }
  const Context ctx{policy, scope, ref, sigs};
  bool all_insecure = true;
  std::vector<std::string> signers;
  std::vector<std::string> how;
  for (const Requirement& req : scope.requirements) {
    Outcome o = evaluate(req, ctx);
    // Every requirement must hold (AND, as containers/image).
    if (!o.allowed) {
      return deny(d, std::move(o.rule), std::move(o.reason), std::move(o.fix));
    }
    if (req.type != Requirement::Type::insecure_accept_anything) {
      all_insecure = false;
      how.push_back(o.reason);
      if (std::find(signers.begin(), signers.end(), o.signer) == signers.end()) {
        signers.push_back(o.signer);
      }
    }
  }
  d.verdict = Verdict::allow;
  if (all_insecure) {
    d.rule = "insecure-accept";
    d.reason = "policy scope \"" + scope.name + "\" accepts any image (insecureAcceptAnything): no signature was checked";
    d.fix = "require signatures for this scope in " + policy.path();
    return d;
  }
  d.rule = "signed";
  for (std::size_t i = 0; i < signers.size(); ++i) {
    d.signer += (i > 0 ? ", " : "") + signers[i];
  }
  d.reason = ref.name() + "@" + ref.digest + ": ";
  for (std::size_t i = 0; i < how.size(); ++i) {
    d.reason += (i > 0 ? "; " : "") + how[i];
  }
  return d;
}

} // namespace hardrun::trust
