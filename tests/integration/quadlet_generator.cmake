# SPDX-License-Identifier: Apache-2.0
# Units written by hardrun quadlet through the real quadlet generator (podman 5 from trixie).
hardrun_script_test(integration_quadlet_generator integration/quadlet_generator.sh)
