# SPDX-License-Identifier: Apache-2.0
# hardrun-hook under concurrency (K2, P8/K3): 50 parallel hooks on copies of the captured
# storage fixture, the trust policy renamed over during the runs. No podman; root.
if(TARGET hardrun_hook)
  hardrun_script_test(integration_hook_concurrency integration/hook_concurrency.sh)
  set_property(TEST integration_hook_concurrency APPEND PROPERTY ENVIRONMENT "HARDRUN_HOOK=$<TARGET_FILE:hardrun_hook>")
endif()
