# SPDX-License-Identifier: Apache-2.0
# End to end under real systemd (issue 5): a cached Debian trixie root (tests/lib/debroot.sh)
# booted as a privileged podman container with systemd as PID 1, podman 5 and quadlet inside.
# Cold (mmdebstrap) it takes minutes; the root is cached in /var/cache/hardrun/debroot.
if(TARGET hardrun_hook AND TARGET hardrun_runtime)
  hardrun_script_test(e2e_systemd integration/e2e_systemd.sh)
  set_property(TEST e2e_systemd APPEND PROPERTY ENVIRONMENT
    "HARDRUN_HOOK=$<TARGET_FILE:hardrun_hook>;HARDRUN_RUNTIME=$<TARGET_FILE:hardrun_runtime>")
  set_property(TEST e2e_systemd APPEND PROPERTY LABELS e2e)
  set_tests_properties(e2e_systemd PROPERTIES TIMEOUT 1800 RESOURCE_LOCK podman)
endif()
