/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * rt.h - the freestanding runtime shared by the EFI application, purgatory
 * and the host tests.
 *
 * Why this exists: lib/ and boot/ must run in three places - inside UEFI
 * firmware (no libc), inside purgatory (no firmware either) and on the host
 * under sanitizers. So they depend only on what this header offers: the
 * string functions a C compiler may emit calls to (and that Debian's libfdt.a
 * references), a small formatted printer, status codes, and a log sink the
 * platform installs. Nothing here calls firmware.
 *
 * The string functions carry their C names in the firmware build. In the
 * host test build (RT_HOST_TEST) they are renamed rt_memcpy etc., so the
 * tests can compare them byte for byte with the host's libc.
 */
#ifndef EFIKEXEC_RT_H
#define EFIKEXEC_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef RT_HOST_TEST
#define RT_FN(name) rt_##name
#else
#define RT_FN(name) name
#endif

#define RT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define RT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define RT_NORETURN __attribute__((noreturn))

/* --- string functions (lib/string.c) ------------------------------------ */
void *RT_FN(memcpy)(void *dst, const void *src, size_t n);
void *RT_FN(memmove)(void *dst, const void *src, size_t n);
void *RT_FN(memset)(void *dst, int c, size_t n);
int RT_FN(memcmp)(const void *a, const void *b, size_t n);
void *RT_FN(memchr)(const void *s, int c, size_t n);
size_t RT_FN(strlen)(const char *s);
size_t RT_FN(strnlen)(const char *s, size_t max);
int RT_FN(strcmp)(const char *a, const char *b);
int RT_FN(strncmp)(const char *a, const char *b, size_t n);
char *RT_FN(strchr)(const char *s, int c);
char *RT_FN(strrchr)(const char *s, int c);
unsigned long RT_FN(strtoul)(const char *s, char **end, int base);

/* --- memory and quiet sections (lib/heap.c) ---------------------------------
 * For the decompressors (Debian's zlib and libzstd) and nothing that runs
 * after ExitBootServices. In firmware the platform supplies both (rt_heap_set,
 * efi/ over AllocatePool and RaiseTPL); on the host malloc is libc's and a
 * quiet section is nothing.
 *
 * Why quiet sections: Debian's amd64 static libraries are built for Linux
 * user space, whose ABI gives leaf functions a 128-byte red zone below the
 * stack pointer (crc32_z keeps locals there). In firmware an interrupt
 * handler runs on the same stack and overwrites it, so every call into such
 * a library runs with interrupts held off (TPL_HIGH_LEVEL) - and so may call
 * no boot service, malloc included: the stream hands the libraries memory
 * it allocated before (boot/stream.c). */
void *RT_FN(malloc)(size_t n);
void *RT_FN(calloc)(size_t n, size_t size);
void RT_FN(free)(void *p);
struct rt_heap {
	void *(*alloc)(size_t n); /* NULL when out of memory */
	void (*free)(void *p);
	uintptr_t (*quiet)(void); /* nothing interrupts until unquiet(its value) */
	void (*unquiet)(uintptr_t token);
};
void rt_heap_set(const struct rt_heap *h);
uintptr_t rt_quiet(void);
void rt_unquiet(uintptr_t token);

/*
 * Parses an unsigned 64-bit number, decimal or 0x hex, with an
 * optional K/M/G/T binary suffix when `suffixes` is set. The whole string
 * must be consumed. Returns false on syntax error or overflow.
 */
bool rt_parse_u64(const char *s, uint64_t *out, bool suffixes);

/* --- formatted output (lib/fmt.c) --------------------------------------- */
/*
 * A C99 subset: flags "-0#+ ", width and precision (also '*'), length
 * modifiers hh h l ll z j t, conversions d i u x X o c s p %.
 * Returns the length the full output would have (like vsnprintf); the
 * buffer is always NUL-terminated when size > 0.
 */
int rt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int rt_snprintf(char *buf, size_t size, const char *fmt, ...) RT_PRINTF(3, 4);

/* --- status codes -------------------------------------------------------- */
/*
 * Plain status codes for lib/ and boot/. efi/ converts them to EFI_STATUS at
 * one boundary (efi/status.c). Each failure of the kernel's segment rules has
 * its own code, as sanity_check_segment_list() returns one per rule.
 */
typedef enum rt_status {
	RT_OK = 0,
	RT_EINVAL,        /* malformed argument */
	RT_ENOMEM,        /* an allocation failed */
	RT_ERANGE,        /* a number is out of its range */
	RT_ENOEXEC,       /* not an image of the expected format */
	RT_ETRUNC,        /* an image or file is shorter than its headers say */
	RT_ENOSPC,        /* no hole in memory fits */
	RT_E2BIG,         /* larger than a documented limit */
	RT_ENOTSUP,       /* valid, but not supported */
	RT_ESEG_COUNT,    /* more than KIMAGE_MAX_SEGMENTS segments */
	RT_ESEG_ALIGN,    /* mem or mem+memsz not page-aligned */
	RT_ESEG_WRAP,     /* mem+memsz wraps around */
	RT_ESEG_OVERLAP,  /* two segments overlap */
	RT_ESEG_BUFSZ,    /* bufsz > memsz */
	RT_ESEG_NOT_RAM,  /* destination is not usable RAM */
	RT_ESEG_REGION,   /* crash image segment outside its region */
	RT_EALLOC,        /* the page allocator misbehaved */
	RT_EDIGEST,       /* a digest did not match */
	RT_EACCES,        /* the memory asked for must stay intact */
	RT_STATUS_MAX
} rt_status;

const char *rt_status_name(rt_status st);

/* lib/status.c: the UEFI status a front end returns for st (UEFI 2.10,
 * Appendix D; efi/status.c returns the same), a UEFI status's name, and
 * rt_fail ending its line with that name, as efi_fail does. */
#define RT_UEFI_ERROR (1ull << 63)
uint64_t rt_status_uefi(rt_status st);
const char *rt_uefi_status_name(uint64_t st);
rt_status rt_fail_uefi(rt_status st, const char *subsys, const char *fmt, ...) RT_PRINTF(3, 4);
/* The error line "TEXT: NAME" for UEFI status `uefi` (efi_fail's too). */
void rt_vfail_uefi(uint64_t uefi, const char *subsys, const char *fmt, va_list ap);

/* --- logging -------------------------------------------------------------- */
/* NOTE: what a user sees by default - one line per boot (efi/kexec.c);
 * INFO: the plan and each step (-v, --dry-run); DEBUG: more (--verbose). */
enum rt_log_level { RT_LOG_ERR, RT_LOG_WARN, RT_LOG_NOTE, RT_LOG_INFO, RT_LOG_DEBUG };

/* The platform's sink: gets one formatted line (no trailing newline). */
typedef void (*rt_log_sink)(enum rt_log_level level, const char *subsys,
			    const char *line);

void rt_log_set_sink(rt_log_sink sink);
void rt_log_set_level(enum rt_log_level max);
void rt_log(enum rt_log_level level, const char *subsys, const char *fmt, ...)
	RT_PRINTF(3, 4);
const char *rt_log_level_name(enum rt_log_level level);

/* Logs at error level and returns `st`: `return rt_fail(RT_EINVAL, ...)`. */
rt_status rt_fail(rt_status st, const char *subsys, const char *fmt, ...)
	RT_PRINTF(3, 4);

#define rt_err(sub, ...) rt_log(RT_LOG_ERR, sub, __VA_ARGS__)
#define rt_warn(sub, ...) rt_log(RT_LOG_WARN, sub, __VA_ARGS__)
#define rt_info(sub, ...) rt_log(RT_LOG_INFO, sub, __VA_ARGS__)
#define rt_debug(sub, ...) rt_log(RT_LOG_DEBUG, sub, __VA_ARGS__)

/* --- small helpers -------------------------------------------------------- */
static inline uint64_t rt_align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}
static inline uint64_t rt_align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}
static inline bool rt_is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

#endif
