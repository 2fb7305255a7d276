# SPDX-License-Identifier: Apache-2.0
# hardrun-hook tiers: the state catalogue (no podman, no root).
hardrun_script_test(integration_hook_state integration/hook_state.sh)
set_property(TEST integration_hook_state APPEND PROPERTY ENVIRONMENT "HARDRUN_HOOK=$<TARGET_FILE:hardrun_hook>")
