// SPDX-License-Identifier: Apache-2.0
// The systemd half of `hardrun update`: the manager over sd-bus (Reload, RestartUnit, the job's
// result, the unit's state) and the journal.
#pragma once

#include <chrono>
#include <string>

#include "hardrun/base/result.hpp"

namespace hardrun::commands::update_sd {

struct StartOutcome {
  bool up = false;          // the job finished "done" and the unit is active
  std::string job_result;   // "done", "failed", "timeout", "canceled", … or "deadline" (ours)
  std::string active_state; // ActiveState after the job
  std::string sub_state;
};

class Manager {
public:
  Manager() = default;
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;
  Manager(Manager&& other) noexcept;
  Manager& operator=(Manager&&) = delete;
  ~Manager();

  // The system manager (the user manager when not root).
  [[nodiscard]] static Result<Manager> connect();
  // daemon-reload: re-runs the generators (quadlet) and returns when the reload is done.
  [[nodiscard]] Result<void> reload();
  // ResetFailedUnit: clears the failed state and the start-rate counter, so that a rollback is
  // not refused by StartLimitBurst after the failed start of the candidate.
  [[nodiscard]] Result<void> reset_failed(const std::string& unit);
  // RestartUnit(unit, "replace"), then wait for that job to finish (with Notify=healthy the
  // start job finishes only once the container is healthy) and for `settle` more with the unit
  // still active, all within `timeout`.
  [[nodiscard]] Result<StartOutcome> restart(const std::string& unit, std::chrono::seconds timeout, std::chrono::seconds settle);

private:
  void* m_bus = nullptr; // sd_bus*
};

// One journal entry (MESSAGE_ID k_message_id, UNIT=, DIGEST=, STEP=) and one stderr line.
inline constexpr const char* k_message_id = "9d2a6f0c4e8b4b7f8a1c3e5d7f901b2c";
void log_step(int priority, const std::string& unit, const std::string& digest, const std::string& step, const std::string& message);

} // namespace hardrun::commands::update_sd
