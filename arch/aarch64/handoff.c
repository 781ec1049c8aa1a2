/*
 * handoff.c - aarch64 behind arch/arch.h. Entering an arm64 Image (libfdt
 * device tree fixups, cache-aware relocation, EL2 entry) is the next step
 * of the project; until it lands, a boot request on aarch64 says so and
 * returns to the caller with EFI_UNSUPPORTED, having touched nothing.
 */
#include "../arch.h"

const uint8_t purgatory_blob[1] __attribute__((visibility("hidden")));
const uint8_t purgatory_blob_end[1] __attribute__((visibility("hidden")));

EFI_STATUS arch_kernel_probe(struct boot_plan *bp)
{
	return efi_fail(EFI_UNSUPPORTED, "boot",
			"%s: entering a kernel on aarch64 is not in this version of efikexec yet",
			bp->kernel.path);
}

uint64_t arch_params_size(const struct boot_plan *bp)
{
	return 0;
}

uint64_t arch_control_pages(const struct boot_plan *bp)
{
	return 1;
}

EFI_STATUS arch_prepare(struct boot_plan *bp)
{
	return EFI_UNSUPPORTED;
}

rt_status arch_finish(struct boot_plan *bp)
{
	return RT_ENOTSUP;
}

uint64_t arch_uart(const struct boot_plan *bp)
{
	return 0;
}

void arch_enter(struct boot_plan *bp)
{
	arch_halt();
}

void arch_serial_write(const char *s)
{
}

void arch_halt(void)
{
	for (;;)
		__asm__ volatile("msr daifset, #0xf; wfi");
}
