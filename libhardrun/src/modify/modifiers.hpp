// SPDX-License-Identifier: Apache-2.0
// Internal: factories of the default chain's modifiers, one .cpp each.
#pragma once

#include <memory>

#include "hardrun/modify/modifier.hpp"

namespace hardrun::modify {

std::unique_ptr<Modifier> make_user_namespace();
std::unique_ptr<Modifier> make_non_root_user();
std::unique_ptr<Modifier> make_drop_capabilities();
std::unique_ptr<Modifier> make_no_new_privileges();
std::unique_ptr<Modifier> make_read_only_root();
std::unique_ptr<Modifier> make_masked_paths();
std::unique_ptr<Modifier> make_readonly_paths();
std::unique_ptr<Modifier> make_pids_limit();
std::unique_ptr<Modifier> make_seccomp();

} // namespace hardrun::modify
