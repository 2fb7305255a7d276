# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# (issue 5 flow: written next)
