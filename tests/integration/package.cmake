# SPDX-License-Identifier: Apache-2.0
# The Debian package: reproducible bytes and expected contents (two full release builds), and an
# install on a fresh Debian 12 with systemd (needs root, podman, mmdebstrap and the Debian
# mirror). Slow: label `package` (ctest -L package); `ctest -LE package` leaves them out.
foreach(part repro debian)
  add_test(NAME package_${part} COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/integration/package.sh" ${part})
  set_tests_properties(package_${part} PROPERTIES
    LABELS "package;integration"
    SKIP_RETURN_CODE 77
    TIMEOUT 5400
    RUN_SERIAL ON
    ENVIRONMENT "HARDRUN_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endforeach()
