# SPDX-License-Identifier: Apache-2.0
# Image admission end to end: real docker-registry on 127.0.0.1, skopeo-signed (GPG) and
# sigstore-attached images, podman runs through hardrun-runtime with hardrun-hook in hooks.d.
if(TARGET hardrun_hook AND TARGET hardrun_runtime)
  hardrun_script_test(integration_admission integration/hook_admission.sh)
  set_property(TEST integration_admission APPEND PROPERTY ENVIRONMENT
    "HARDRUN_HOOK=$<TARGET_FILE:hardrun_hook>;HARDRUN_RUNTIME=$<TARGET_FILE:hardrun_runtime>")
  set_property(TEST integration_admission APPEND PROPERTY LABELS admission)
endif()
