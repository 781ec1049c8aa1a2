/*
 * options.c - efikexec's command line. Options come first, kexec-tools
 * style (--name or --name=VALUE); the first argument that is not an option
 * names the kernel, and what follows belongs to the kernel.
 */
#include "options.h"

const char options_usage[] =
	"usage: efikexec.efi [options] KERNEL [kernel command line...]\n"
	"       efikexec.efi --sha256=PATH | --memmap | --selftest\n"
	"\n"
	"options:\n"
	"  --help            show this text\n"
	"  --version         print the version\n"
	"  --sha256=PATH     read PATH and print its size and SHA-256\n"
	"  --memmap          print the memory map as efikexec plans with it\n"
	"  --selftest        plan, load and relocate a test image in this firmware\n"
	"  --verbose         log debug messages\n"
	"  --quiet           log errors only\n"
	"\n"
	"Paths are on the volume efikexec.efi was loaded from: \\dir\\file from its\n"
	"root, anything else from efikexec.efi's own folder; / works as well as \\.\n";

static bool has_suffix_ci(const char *s, const char *suffix)
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

rt_status options_parse(const struct cmdline *cl, unsigned first, struct efikexec_opts *o)
{
	unsigned i;

	*o = (struct efikexec_opts){ .action = ACTION_HELP };
	for (i = first; i < cl->argc; i++) {
		const char *a = cl->arg[i].value, *v;

		if (a[0] != '-' || a[1] != '-')
			break;
		if (a[2] == '\0') { /* "--" ends the options */
			i++;
			break;
		}
		if (match(a, "--help", &v) && !v) {
			o->action = ACTION_HELP;
			return RT_OK;
		} else if (match(a, "--version", &v) && !v) {
			o->action = ACTION_VERSION;
			return RT_OK;
		} else if (match(a, "--memmap", &v) && !v) {
			o->action = ACTION_MEMMAP;
		} else if (match(a, "--selftest", &v) && !v) {
			o->action = ACTION_SELFTEST;
		} else if (match(a, "--verbose", &v) && !v) {
			o->verbose = true;
		} else if (match(a, "--quiet", &v) && !v) {
			o->quiet = true;
		} else if (match(a, "--sha256", &v)) {
			if (!v || !*v)
				return rt_fail(RT_EINVAL, "options", "--sha256 needs a path: --sha256=PATH");
			o->sha256_path = v;
			o->action = ACTION_SHA256;
		} else {
			return rt_fail(RT_EINVAL, "options", "unknown option '%s' (try --help)", a);
		}
	}
	if (i < cl->argc) {
		if (o->action != ACTION_HELP)
			return rt_fail(RT_EINVAL, "options", "that option takes no kernel, got '%s'",
				       cl->arg[i].value);
		o->kernel = cl->arg[i].value;
		o->action = ACTION_BOOT;
	}
	return RT_OK;
}
