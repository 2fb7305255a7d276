# SPDX-License-Identifier: Apache-2.0
# hardrun doctor and hardrun audit on real podman + runc: a host set up by the test (hooks dir,
# shim registration, policy with a generated key), weak and hardened containers, leaky images.
if(TARGET hardrun_hook AND TARGET hardrun_runtime AND TARGET hardrun_canary)
  hardrun_script_test(integration_doctor_audit integration/doctor_audit.sh)
  set_property(TEST integration_doctor_audit APPEND PROPERTY ENVIRONMENT
    "HARDRUN_HOOK=$<TARGET_FILE:hardrun_hook>;HARDRUN_RUNTIME=$<TARGET_FILE:hardrun_runtime>;HARDRUN_CANARY=$<TARGET_FILE:hardrun_canary>")
  # Private podman stores and /run/hardrun records: never two podman tiers at once.
  set_property(TEST integration_doctor_audit PROPERTY RESOURCE_LOCK podman)
endif()
