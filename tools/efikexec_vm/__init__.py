# SPDX-License-Identifier: BSD-2-Clause-Patent
"""efikexec-vm's parts (tools/efikexec-vm, efikexec-vm(1))."""
