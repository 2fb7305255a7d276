# SPDX-License-Identifier: Apache-2.0
# Shell completions: fresh against the CLI definition, and working in bash, zsh and fish.
# Fast and rootless, so labelled unit as well.
foreach(part fresh bash zsh fish)
  add_test(NAME completion_${part} COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/integration/completion.sh" ${part})
  set_tests_properties(completion_${part} PROPERTIES
    LABELS "unit;completion"
    SKIP_RETURN_CODE 77
    TIMEOUT 60
    ENVIRONMENT "GEN_COMPLETIONS=$<TARGET_FILE:gen_completions>;HARDRUN_SOURCE_DIR=${PROJECT_SOURCE_DIR};BUILD_DIR=${PROJECT_BINARY_DIR}")
endforeach()
