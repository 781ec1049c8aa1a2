/*
 * boot.c - the boot request: `efikexec.efi [options] KERNEL [initrd=PATH]...
 * [cmdline]`. A capture kernel after a crash first; else the kernel through
 * the engine (efi/kexec.h), with a capture region armed alongside when asked.
 * Until the exit every failure releases what was taken and returns an EFI
 * status, so the shell or boot manager that started efikexec goes on.
 */
#include "boot.h"
#include "capture.h"

EFI_STATUS efi_boot(const struct efikexec_opts *o)
{
	struct boot_plan *bp;
	EFI_STATUS st;

	/* what the hand-off needs of the firmware, once: 40 bytes of seed
	 * covers x86's SETUP_RNG_SEED (32) and arm64's rng-seed and kaslr-seed */
	efi_gather_facts(&efi_facts, 40);
	/* After a crash, the capture kernel first (no return when entered);
	 * a dry run changes nothing. */
	if (!o->dry_run)
		capture_at_start(o);

	bp = kexec_plan();
	bp->o = o;
	st = kexec_check_purgatory();
	/* The capture region is reserved before the main kernel is placed,
	 * so nothing of the main boot lands in it. */
	if (!EFI_ERROR(st) && o->capture_kernel)
		st = capture_arm(bp);
	if (!EFI_ERROR(st))
		st = kexec_open_inputs(bp);
	if (!EFI_ERROR(st))
		st = kexec_place(bp);
	if (!EFI_ERROR(st)) {
		kexec_print_plan(bp);
		if (!o->dry_run)
			st = kexec_load_and_enter(bp);
	}
	capture_abort(bp);
	kexec_release(bp);
	return st;
}
