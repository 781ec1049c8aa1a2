/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * ukistub.h - what systemd-stub gives the OS when it boots a UKI, given by
 * efikexec, which boots the UKI's .linux itself (boot/uki.c):
 *   uki_extras   the /.extra archives, in the stub's order: credentials
 *                (NAME.cred in <UKI>.extra.d and in \loader\credentials),
 *                system and configuration extensions (NAME.raw,
 *                NAME.confext.raw in <UKI>.extra.d and
 *                \loader\extensions), .pcrsig, .pcrpkey, .osrel, .profile;
 *                the add-ons (NAME.addon.efi in \loader\addons and
 *                <UKI>.extra.d): their command lines, device trees and
 *                initrd parts, verified under Secure Boot
 *   uki_measure  PCR 11 (the sections), PCR 12 (the profile, a command
 *                line that replaces .cmdline, the add-ons', credentials,
 *                confexts, add-ons' parts), PCR 13 (sysexts), as the
 *                UKI's stub release measures them
 *   uki_export   the stub's variables (StubInfo, StubFeatures, StubPcr*,
 *                StubProfile, StubDevicePartUUID, StubImageIdentifier) and
 *                the Loader* ones a loader before it did not set;
 *                uki_unexport takes back what it set when the boot fails
 *                before ExitBootServices
 * Sources: systemd src/boot/stub.c, cpio.c, measure.c, export-vars.c
 * (252-256 and current, by the UKI's stub release: boot/uki.h struct
 * uki_model); the facts and what was checked: docs/DESIGN.md, "UKIs as
 * systemd-stub boots them".
 */
#ifndef EFIKEXEC_EFI_UKISTUB_H
#define EFIKEXEC_EFI_UKISTUB_H

#include "efi.h"

/* Which of the stub's StubPcr* variables an event counts for. */
enum uki_measured { UKI_M_SECTIONS, UKI_M_PARAMETERS, UKI_M_SYSEXTS, UKI_M_CONFEXTS, UKI_M_COUNT };

rt_status uki_extras(struct boot_plan *bp);
void uki_measure(struct boot_plan *bp);
void uki_export(struct boot_plan *bp);
void uki_unexport(struct boot_plan *bp);

#endif
