// SPDX-License-Identifier: Apache-2.0
// The pin history of a unit (hardrun-quadlet(7)): every digest hardrun update considered, with
// what became of it. It is the anti-rollback memory: a tag moved back to a digest that was
// already replaced (or rolled back) is refused, because whoever controls the registry could
// otherwise put an old, vulnerable but validly signed image back (a freeze/rollback attack).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hardrun/base/result.hpp"

namespace hardrun::systemd {

enum class PinState {
  admitted,    // verified and pinned; the restart is under way (a crash leaves it here)
  active,      // the unit runs this digest (the newest active one is the current pin)
  replaced,    // was active, a newer digest replaced it
  rolled_back, // pinned, but the unit did not become active and healthy; the previous came back
  refused,     // the trust policy (or an error before pinning) refused it; never pinned
};

[[nodiscard]] std::string_view to_string(PinState state);
[[nodiscard]] std::optional<PinState> pin_state_from(std::string_view name);

struct Pin {
  std::string digest; // sha256:…
  std::string image;  // REPO@sha256:…
  PinState state = PinState::admitted;
  std::int64_t time = 0; // unix seconds of the last state change
  std::string reason;
};

struct PinHistory {
  std::string unit;
  std::string track;
  std::vector<Pin> pins; // oldest first; one entry per digest

  // The entry for a digest, or nullptr.
  [[nodiscard]] const Pin* find(std::string_view digest) const;
  // Set the state of DIGEST (adding the entry at the end when new, moving it to the end when it
  // changes state so the order is the order of events).
  void record(const std::string& digest, const std::string& image, PinState state, std::int64_t time, const std::string& reason);
  // The active pin: the last entry whose state is active.
  [[nodiscard]] const Pin* active() const;
};

[[nodiscard]] Result<PinHistory> parse_pins(std::string_view text, const std::string& path);
[[nodiscard]] std::string serialize_pins(const PinHistory& history);

// Whether moving a unit to CANDIDATE is allowed. Refused (with the reason) when the history shows
// CANDIDATE was replaced by a newer digest or rolled back, unless `force`.
struct MoveCheck {
  bool allowed = true;
  std::string reason;
};
[[nodiscard]] MoveCheck check_move(const PinHistory& history, std::string_view candidate, bool force);

// /var/lib/hardrun/pins/UNIT.json; UNIT must be a plain unit name.
inline constexpr const char* k_default_pin_dir = "/var/lib/hardrun/pins";

} // namespace hardrun::systemd
