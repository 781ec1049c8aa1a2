/*
 * boot.h - `efikexec.efi [options] KERNEL [initrd=PATH]... [cmdline]`.
 */
#ifndef EFIKEXEC_BOOT_H
#define EFIKEXEC_BOOT_H

#include "options.h"
#include "efi.h"

EFI_STATUS efi_boot(const struct efikexec_opts *o);

#endif
