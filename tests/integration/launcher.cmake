# SPDX-License-Identifier: Apache-2.0
# The launcher on real podman + runc: hardrun run, the runtime shim, precreate, secrets.
hardrun_script_test(integration_launcher_podman integration/launcher_podman.sh)
set_property(TEST integration_launcher_podman APPEND PROPERTY ENVIRONMENT "HARDRUN_RUNTIME=$<TARGET_FILE:hardrun_runtime>")
# Private podman stores and /run/hardrun records: never two podman tiers at once.
set_property(TEST integration_launcher_podman PROPERTY RESOURCE_LOCK podman)
