# SPDX-License-Identifier: Apache-2.0
# Fault injection (kill -9 of the shim, full and failing file systems, a hook past its
# deadline, hooks.d failing open) and load (50 parallel hardrun run --secret) on real podman.
add_executable(hardrun_fault_kill integration/fault_kill.cpp)
set_target_properties(hardrun_fault_kill PROPERTIES OUTPUT_NAME hardrun-fault-kill)
target_link_libraries(hardrun_fault_kill PRIVATE hardrun_settings)
if(TARGET hardrun_hook AND TARGET hardrun_runtime)
  hardrun_script_test(integration_faults integration/faults.sh)
  set_property(TEST integration_faults APPEND PROPERTY ENVIRONMENT
    "HARDRUN_HOOK=$<TARGET_FILE:hardrun_hook>;HARDRUN_RUNTIME=$<TARGET_FILE:hardrun_runtime>;HARDRUN_FAULT_KILL=$<TARGET_FILE:hardrun_fault_kill>")
  # Private podman stores and /run/hardrun records: never two podman tiers at once.
  set_property(TEST integration_faults PROPERTY RESOURCE_LOCK podman)
  hardrun_script_test(integration_load integration/load.sh)
  set_property(TEST integration_load APPEND PROPERTY ENVIRONMENT "HARDRUN_RUNTIME=$<TARGET_FILE:hardrun_runtime>")
  set_property(TEST integration_load PROPERTY RESOURCE_LOCK podman)
endif()
# Catalogue cases no other tier covers (tests/CATALOGUE.md): secret sources and targets.
hardrun_script_test(integration_catalogue_rest integration/catalogue_rest.sh)
# D4's control run starts real podman on a private store: not beside another podman tier.
set_property(TEST integration_catalogue_rest PROPERTY RESOURCE_LOCK podman)
