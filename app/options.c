/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * options.c - efikexec's command line. Options come first, kexec-tools
 * style (--name or --name=VALUE); the first argument that is not an option
 * names the kernel, and what follows belongs to the kernel.
 */
#include "options.h"

const char options_usage[] =
	"usage: efikexec.efi [options] KERNEL [initrd=PATH]... [kernel command line...]\n"
	"       efikexec.efi --sha256=PATH | --memmap | --selftest\n"
	"       efikexec.efi                (no arguments: the boot menu, from \\loader\\loader.conf\n"
	"                                    and the Boot Loader Specification entries)\n"
	"\n"
	"Every initrd= after KERNEL is read by efikexec (several are joined in order);\n"
	"everything else after KERNEL goes to the kernel exactly as typed.\n"
	"\n"
	"boot options:\n"
	"  --initrd=PATH     load PATH as (part of) the initrd; repeatable\n"
	"  --module=\"PATH [ARGS]\"  a module with its command line, for Xen (dom0's\n"
	"                    kernel, then its initrd) or any Multiboot2 kernel; repeatable\n"
	"  --append=STRING   kernel command line, before the arguments after KERNEL\n"
	"  --dry-run         print the plan (segments, sources, entry) and return\n"
	"  --no-verify       let purgatory skip its check of the segments\n"
	"  --verify=sha256   check them with SHA-256, as kexec does (default: XXH64)\n"
	"  --dtb=PATH        arm64: boot with this device tree, not the firmware's\n"
	"  --mem-min=ADDR    load segments at or above ADDR (K, M, G suffixes)\n"
	"  --mem-max=ADDR    load segments below ADDR\n"
	"  --direct-entry    x86: decompress a bzImage in efikexec and enter its vmlinux\n"
	"                    (KASLR from EFI_RNG_PROTOCOL), as the kernel's EFI stub does\n"
	"\n"
	"crash capture (a firmware-assisted dump; see efikexec(1)):\n"
	"  --capture-kernel=PATH       arm a capture kernel alongside this boot\n"
	"  --capture-initrd=PATH       its initrd; repeatable\n"
	"  --capture-append=STRING     its command line (efikexec adds elfcorehdr=)\n"
	"  --capture-size=SIZE[@ADDR]  the region reserved for it (K, M, G suffixes)\n"
	"  --capture-status            say what is armed and whether it crashed\n"
	"  --capture-disarm            forget the armed region\n"
	"\n"
	"other options:\n"
	"  --help            show this text\n"
	"  --version         print the version\n"
	"  --sha256=PATH     read PATH and print its size and SHA-256\n"
	"  --memmap          print the memory map as efikexec plans with it\n"
	"  --selftest        plan, load and relocate a test image in this firmware\n"
	"  -v                log the plan and each step (a boot says one line otherwise)\n"
	"  --verbose         log those and debug messages\n"
	"  --quiet           log errors only\n"
	"\n"
	"Paths are on the volume efikexec.efi was loaded from: \\dir\\file from its\n"
	"root, anything else from efikexec.efi's own folder; / works as well as \\.\n";

bool has_suffix_ci(const char *s, const char *suffix)
{
	size_t n = RT_FN(strlen)(s), m = RT_FN(strlen)(suffix);

	if (m > n)
		return false;
	for (size_t i = 0; i < m; i++) {
		char a = s[n - m + i], b = suffix[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

bool options_first_is_program(const struct cmdline *cl)
{
	return cl->argc > 0 && has_suffix_ci(cl->arg[0].value, ".efi");
}

/* If `arg` is "--name" or "--name=value", returns true and sets *value
 * (NULL when there is no '='). */
static bool match(const char *arg, const char *name, const char **value)
{
	size_t n = RT_FN(strlen)(name);

	if (RT_FN(strncmp)(arg, name, n) != 0)
		return false;
	if (arg[n] == '\0') {
		*value = NULL;
		return true;
	}
	if (arg[n] == '=') {
		*value = arg + n + 1;
		return true;
	}
	return false;
}

/* `name`'s value is there (and for a path, not empty). */
static rt_status want_value(const char *name, const char *v, bool path)
{
	if (v && (!path || *v))
		return RT_OK;
	return rt_fail(RT_EINVAL, "options", "%s needs %s: %s=%s", name, path ? "a path" : "a value",
		       name, path ? "PATH" : "STRING");
}

/* Appends a path to one of the lists of OPT_MAX_INITRDS. */
static rt_status add_path(const char **list, unsigned *n, const char *v, const char *what)
{
	if (*n == OPT_MAX_INITRDS)
		return rt_fail(RT_E2BIG, "options", "more than %u %s", OPT_MAX_INITRDS, what);
	list[(*n)++] = v;
	return RT_OK;
}

/* SIZE[@ADDR], both with K/M/G suffixes; ADDR page-aligned. */
static rt_status parse_capture_size(const char *v, struct efikexec_opts *o)
{
	char size[32];
	const char *at = v ? RT_FN(strchr)(v, '@') : NULL;
	size_t n = at ? (size_t)(at - v) : v ? RT_FN(strlen)(v) : 0;

	if (!v || !n || n >= sizeof(size))
		return rt_fail(RT_EINVAL, "options", "--capture-size needs a size: --capture-size=SIZE[@ADDR], got '%s'",
			       v ? v : "");
	RT_FN(memcpy)(size, v, n);
	size[n] = 0;
	if (!rt_parse_u64(size, &o->capture_size, true) || !o->capture_size ||
	    (o->capture_size & 0xfff))
		return rt_fail(RT_EINVAL, "options", "--capture-size=%s: the size must be a non-zero multiple of 4 KiB",
			       v);
	o->capture_addr = 0;
	if (at && (!rt_parse_u64(at + 1, &o->capture_addr, true) || (o->capture_addr & 0xfff) ||
		   !o->capture_addr))
		return rt_fail(RT_EINVAL, "options", "--capture-size=%s: the address must be a non-zero multiple of 4 KiB",
			       v);
	if (o->capture_addr + o->capture_size < o->capture_addr)
		return rt_fail(RT_EINVAL, "options", "--capture-size=%s wraps around", v);
	return RT_OK;
}

/* --module="PATH [ARGS]": the path up to the first blank, the rest its
 * command line (kexec-tools' --module, GRUB's module2 PATH ARGS). */
static rt_status add_module(struct efikexec_opts *o, const char *v)
{
	size_t n = 0;

	while (*v == ' ' || *v == '\t')
		v++;
	while (v[n] && v[n] != ' ' && v[n] != '\t')
		n++;
	if (!n)
		return rt_fail(RT_EINVAL, "options", "--module needs a path");
	if (o->nmodule == OPT_MAX_INITRDS)
		return rt_fail(RT_EINVAL, "options", "--module=%s: more than %u modules", v, OPT_MAX_INITRDS);
	if (n >= sizeof(o->module[0]))
		return rt_fail(RT_EINVAL, "options", "--module: a path of %zu bytes, more than %zu", n,
			       sizeof(o->module[0]) - 1);
	RT_FN(memcpy)(o->module[o->nmodule], v, n);
	o->module[o->nmodule][n] = 0;
	v += n;
	while (*v == ' ' || *v == '\t')
		v++;
	o->module_args[o->nmodule++] = v;
	return RT_OK;
}

/* One "--option[=value]" into o; *stop: --help or --version, which end
 * the parse. */
static rt_status one_option(const char *a, struct efikexec_opts *o, bool *stop)
{
	const char *v;
	rt_status rs;

	if (match(a, "--help", &v) && !v) {
		o->action = ACTION_HELP;
		*stop = true;
	} else if (match(a, "--version", &v) && !v) {
		o->action = ACTION_VERSION;
		*stop = true;
	} else if (match(a, "--memmap", &v) && !v) {
		o->action = ACTION_MEMMAP;
	} else if (match(a, "--selftest", &v) && !v) {
		o->action = ACTION_SELFTEST;
	} else if (match(a, "--verbose", &v) && !v) {
		o->verbose = true;
	} else if (match(a, "--quiet", &v) && !v) {
		o->quiet = true;
	} else if (match(a, "--dry-run", &v) && !v) {
		o->dry_run = true;
	} else if (match(a, "--no-verify", &v) && !v) {
		o->no_verify = true;
	} else if (match(a, "--direct-entry", &v) && !v) {
		o->direct_entry = true;
	} else if (match(a, "--verify", &v)) {
		if ((rs = want_value("--verify", v, true)))
			return rs;
		if (RT_FN(strcmp)(v, "sha256") && RT_FN(strcmp)(v, "xxh64"))
			return rt_fail(RT_EINVAL, "options", "--verify=%s: the checks are sha256 and xxh64", v);
		o->verify_sha256 = !RT_FN(strcmp)(v, "sha256");
	} else if (match(a, "--initrd", &v)) {
		if ((rs = want_value("--initrd", v, true)) ||
		    (rs = add_path(o->initrd, &o->ninitrd, v, "initrds")))
			return rs;
	} else if (match(a, "--module", &v)) {
		if ((rs = want_value("--module", v, true)) || (rs = add_module(o, v)))
			return rs;
	} else if (match(a, "--dtb", &v)) {
		if ((rs = want_value("--dtb", v, true)))
			return rs;
		o->dtb = v;
	} else if (match(a, "--append", &v)) {
		if ((rs = want_value("--append", v, false)))
			return rs;
		o->append = v;
	} else if (match(a, "--capture-kernel", &v)) {
		if ((rs = want_value("--capture-kernel", v, true)))
			return rs;
		o->capture_kernel = v;
	} else if (match(a, "--capture-initrd", &v)) {
		if ((rs = want_value("--capture-initrd", v, true)) ||
		    (rs = add_path(o->capture_initrd, &o->ncapture_initrd, v, "capture initrds")))
			return rs;
	} else if (match(a, "--capture-append", &v)) {
		if ((rs = want_value("--capture-append", v, false)))
			return rs;
		o->capture_append = v;
	} else if (match(a, "--capture-size", &v)) {
		if (parse_capture_size(v, o) != RT_OK)
			return RT_EINVAL;
	} else if (match(a, "--capture-status", &v) && !v) {
		o->action = ACTION_CAPTURE_STATUS;
	} else if (match(a, "--capture-disarm", &v) && !v) {
		o->action = ACTION_CAPTURE_DISARM;
	} else if (match(a, "--mem-min", &v) || match(a, "--mem-max", &v)) {
		uint64_t *dst = a[7] == 'i' ? &o->mem_min : &o->mem_max;
		if (!v || !rt_parse_u64(v, dst, true))
			return rt_fail(RT_EINVAL, "options", "%s needs an address, got '%s'", a,
				       v ? v : "");
#ifdef EFIKEXEC_TEST_HOOKS
	} else if (match(a, "--test-corrupt", &v)) {
		uint64_t seg;
		if (!v || !rt_parse_u64(v, &seg, false) || seg > 15)
			return rt_fail(RT_EINVAL, "options", "--test-corrupt=SEGMENT (0-15)");
		o->test_corrupt = (int)seg;
	} else if (match(a, "--test-occupy", &v) && !v) {
		o->test_occupy = true;
	} else if (match(a, "--test-corrupt-capture", &v) && !v) {
		o->test_corrupt_capture = true;
	} else if (match(a, "--test-net-keep-nothing", &v) && !v) {
		o->test_net_keep_nothing = true;
	} else if (match(a, "--test-fail-call", &v)) {
		uint64_t n;
		if (!v || !rt_parse_u64(v, &n, false) || !n || n > 100000)
			return rt_fail(RT_EINVAL, "options", "--test-fail-call=N (1-100000)");
		o->test_fail_call = (uint32_t)n;
	} else if (match(a, "--test-bench-fetch", &v)) {
		if ((rs = want_value("--test-bench-fetch", v, true)))
			return rs;
		o->action = ACTION_BENCH_FETCH;
		o->sha256_path = v;
#endif
	} else if (match(a, "--sha256", &v)) {
		if ((rs = want_value("--sha256", v, true)))
			return rs;
		o->sha256_path = v;
		o->action = ACTION_SHA256;
	} else {
		return rt_fail(RT_EINVAL, "options", "unknown option '%s' (try --help)", a);
	}
	return RT_OK;
}

/* What follows the options: the kernel and its arguments (initrd=
 * among them), or nothing - then no option may want a kernel. */
static rt_status kernel_and_args(const struct cmdline *cl, unsigned i, struct efikexec_opts *o)
{
	rt_status rs;

	if (i < cl->argc) {
		if (o->action != ACTION_HELP)
			return rt_fail(RT_EINVAL, "options", "that option takes no kernel, got '%s'",
				       cl->arg[i].value);
		o->kernel = cl->arg[i].value;
		o->action = ACTION_BOOT;
		o->kargs = i + 1;
		for (unsigned j = i + 1; j < cl->argc; j++) {
			if (RT_FN(strncmp)(cl->arg[j].value, "initrd=", 7) != 0)
				continue;
			if (!cl->arg[j].value[7])
				return rt_fail(RT_EINVAL, "options", "initrd= needs a path");
			if ((rs = add_path(o->initrd, &o->ninitrd, cl->arg[j].value + 7, "initrds")))
				return rs;
		}
	} else if (o->dry_run || o->append || o->ninitrd || o->nlead_initrd || o->nmodule || o->no_verify || o->verify_sha256 || o->direct_entry || o->dtb ||
		   o->capture_kernel || o->capture_size) {
		return rt_fail(RT_EINVAL, "options", "no KERNEL given for the boot options");
	}
	return RT_OK;
}

/* Options that do not go together. */
static rt_status consistent(const struct efikexec_opts *o)
{
	if (o->capture_kernel && !o->capture_size)
		return rt_fail(RT_EINVAL, "options", "--capture-kernel needs --capture-size=SIZE[@ADDR]");
	if ((o->capture_size || o->ncapture_initrd || o->capture_append) && !o->capture_kernel)
		return rt_fail(RT_EINVAL, "options", "the --capture-* options need --capture-kernel=PATH");
	if (o->nmodule && (o->ninitrd || o->nlead_initrd))
		return rt_fail(RT_EINVAL, "options", "--module=%s and initrd=%s: a kernel takes modules or an initrd, not both",
			       o->module[0], o->ninitrd ? o->initrd[0] : o->lead_initrd[0]);
	if (o->mem_max && o->mem_max <= o->mem_min)
		return rt_fail(RT_EINVAL, "options", "--mem-max=%#llx is not above --mem-min=%#llx",
			       (unsigned long long)o->mem_max, (unsigned long long)o->mem_min);
	return RT_OK;
}

rt_status options_parse(const struct cmdline *cl, unsigned first, struct efikexec_opts *o)
{
	unsigned i;
	rt_status rs;

	*o = (struct efikexec_opts){ .action = ACTION_HELP, .test_corrupt = -1, .cl = cl };
	for (i = first; i < cl->argc; i++) {
		const char *a = cl->arg[i].value;
		bool stop = false;

		/* initrd= before everything: how systemd-boot and GRUB pass
		 * the initrds they also serve through LoadFile2 */
		if (!RT_FN(strncmp)(a, "initrd=", 7) && o->action == ACTION_HELP) {
			if (!a[7])
				return rt_fail(RT_EINVAL, "options", "initrd= needs a path");
			if ((rs = add_path(o->lead_initrd, &o->nlead_initrd, a + 7, "initrds")))
				return rs;
			continue;
		}
		if (!RT_FN(strcmp)(a, "-v")) { /* the one short option */
			o->plan = true;
			continue;
		}
		if (a[0] != '-' || a[1] != '-')
			break;
		if (a[2] == '\0') { /* "--" ends the options */
			i++;
			break;
		}
		if ((rs = one_option(a, o, &stop)) != RT_OK || stop)
			return rs;
	}
	if ((rs = kernel_and_args(cl, i, o)) != RT_OK)
		return rs;
	return consistent(o);
}

/* Appends n bytes at *len, as far as they fit; *len counts all of them. */
static void put(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++, (*len)++)
		if (*len + 1 < size)
			buf[*len] = s[k];
}

size_t options_kernel_cmdline(const struct efikexec_opts *o, char *buf, size_t size)
{
	size_t len = 0;

	if (o->append && *o->append)
		put(buf, size, &len, o->append, RT_FN(strlen)(o->append));
	for (unsigned j = o->kargs; o->cl && j < o->cl->argc; j++) {
		const struct cmdline_arg *a = &o->cl->arg[j];
		if (RT_FN(strncmp)(a->value, "initrd=", 7) == 0)
			continue;
		if (len)
			put(buf, size, &len, " ", 1);
		put(buf, size, &len, a->raw, a->raw_len);
	}
	if (size)
		buf[len < size ? len : size - 1] = '\0';
	return len;
}

bool options_are_text(const uint16_t *opt, size_t bytes)
{
	size_t units = bytes / 2;
	bool nul = false, ascii = true;

	if (!opt || units < 1 || opt[0] <= 0x1f)
		return false; /* systemd-stub's test: "Dell systems which fill in garbage" */
	for (size_t i = 0; i < units; i++) {
		if (!opt[i]) {
			nul = true;
			break;
		}
		if (opt[i] > 0x7e || (opt[i] < 0x20 && opt[i] != '\t' && opt[i] != '\r' && opt[i] != '\n'))
			ascii = false;
	}
	/* EDK II gives its own boot options 16 bytes of GUID, unterminated */
	return nul || ascii;
}
