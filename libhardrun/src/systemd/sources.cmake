# SPDX-License-Identifier: Apache-2.0
# systemd/quadlet units, pin history and the quadlet audit (issue 5): pure logic, no system.
target_sources(hardrun PRIVATE
  src/systemd/unit_file.cpp
  src/systemd/container.cpp
  src/systemd/pins.cpp
  src/systemd/audit.cpp)
