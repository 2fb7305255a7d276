// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <string>
#include <vector>

namespace hardrun::image {

// One signature blob as stored, and where it came from (for reports).
struct SignatureBlob {
  std::string bytes;  // simple signing: raw OpenPGP message; sigstore: "\0sigstore-json\n{…}"
  std::string origin; // "storage:signature-<hex>#1", "lookaside:/path/signature-1", …
};

// What an identity source found out about the image a container runs, from facts the
// container's user cannot forge (DESIGN.md, trust model). Nothing here has been verified yet:
// the trust decision checks every binding (manifest hash, config digest, signatures).
struct Evidence {
  std::string source;       // "containers-storage" or "cri-o"
  std::string container_id; // from the state
  // The reference the engine resolved (containers.json metadata "image-name", or CRI-O's
  // ImageName). May be a tag, a short name or "sha256:<id>": the decision refuses those.
  std::string reference;
  // The image id = the hex of the image config digest (64 lowercase hex, no "sha256:").
  std::string image_id;
  // Stored manifests of that image by manifest digest ("sha256:<hex>" -> exact bytes).
  std::map<std::string, std::string> manifests;
  // Signatures by manifest digest, from storage big-data and from lookaside stores.
  std::map<std::string, std::vector<SignatureBlob>> signatures;
  // Digests whose stored signatures could not be used at all (too many, sizes that do not add
  // up, one over the size cap), with the reason: the decision denies with that reason instead
  // of "no signature" (G9).
  std::map<std::string, std::string> unusable_signatures;
  // Problems met while collecting that did not stop the lookup (e.g. missing signatures-sizes,
  // fell back to splitting); they go into the report.
  std::vector<std::string> notes;
};

} // namespace hardrun::image
