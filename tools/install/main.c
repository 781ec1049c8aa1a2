/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * main.c - efikexec-install: the options and the command table (install.h).
 */
#include "install.h"

/* --- main ------------------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: " PROG " [OPTIONS] COMMAND\n"
		   "  install               efikexec to the ESP, a boot entry first in BootOrder\n"
		   "  update                only when the installed copy is older\n"
		   "  remove                efikexec from the ESP and the boot entries\n"
		   "  is-installed          exit 0 when efikexec is on the ESP\n"
		   "  status                the running boot loader, the firmware, what is installed\n"
		   "  list                  the entries, sorted as efikexec's menu sorts them\n"
		   "  set-default ID        LoaderEntryDefault ('' removes, @current)\n"
		   "  set-oneshot ID        LoaderEntryOneShot\n"
		   "  set-timeout VALUE     LoaderConfigTimeout (seconds, menu-force, menu-hidden, menu-disabled)\n"
		   "  set-timeout-oneshot VALUE  LoaderConfigTimeoutOneShot\n"
		   "options:\n"
		   "  --esp-path=DIR        the ESP (default: /efi, /boot/efi, /boot)\n"
		   "  --boot-path=DIR       the XBOOTLDR partition (default: /boot when it is one)\n"
		   "  --source=FILE         the efikexec binary (" EFIKEXEC_LIBDIR "/" MAIN_NAME ")\n"
		   "  --efivarfs=DIR        the variables (/sys/firmware/efi/efivars)\n"
		   "  --esp-disk=DISK:N     the ESP is partition N of DISK (for the boot entry)\n"
		   "  --conf-root=DIR       kernel-install's configuration (/etc/kernel)\n"
		   "  --install-conf        write layout=bls to install.conf\n"
		   "  --tries=N             write N to tries (boot counting for new kernels)\n"
		   "  --no-variables        no boot entry, no BootOrder change\n"
		   "  --no-removable        leave \\EFI\\BOOT\\" BOOT_NAME " alone\n"
		   "  --relax-esp-checks    accept any folder as the ESP\n"
		   "  --graceful            update: not installed is no error\n"
		   "  -q, --quiet           say only what fails\n"
		   "  --version, --help\n");
}

/* The commands: name, arguments, what runs them (the variable a set-*
 * command writes). */
struct verb {
	const char *name;
	int nargs;
	int (*run)(const struct verb *v, const char *arg);
	const char *var;
};
static int run_install(const struct verb *v, const char *arg)
{
	(void)arg;
	return cmd_install(!strcmp(v->name, "update"));
}
static int run_remove(const struct verb *v, const char *arg)
{
	(void)v, (void)arg;
	return cmd_remove();
}
static int run_is_installed(const struct verb *v, const char *arg)
{
	(void)v, (void)arg;
	return cmd_is_installed();
}
static int run_status(const struct verb *v, const char *arg)
{
	(void)v, (void)arg;
	return cmd_status();
}
static int run_list(const struct verb *v, const char *arg)
{
	(void)v, (void)arg;
	return cmd_list();
}
static int run_set_entry(const struct verb *v, const char *arg)
{
	return cmd_set_entry(v->var, arg);
}
static int run_set_timeout(const struct verb *v, const char *arg)
{
	return cmd_set_timeout(v->var, arg);
}
static const struct verb verbs[] = {
	{ "install", 0, run_install, NULL },
	{ "update", 0, run_install, NULL },
	{ "remove", 0, run_remove, NULL },
	{ "is-installed", 0, run_is_installed, NULL },
	{ "status", 0, run_status, NULL },
	{ "list", 0, run_list, NULL },
	{ "set-default", 1, run_set_entry, "LoaderEntryDefault" },
	{ "set-oneshot", 1, run_set_entry, "LoaderEntryOneShot" },
	{ "set-timeout", 1, run_set_timeout, "LoaderConfigTimeout" },
	{ "set-timeout-oneshot", 1, run_set_timeout, "LoaderConfigTimeoutOneShot" },
};

int main(int argc, char **argv)
{
	enum { O_ESP = 256, O_BOOT, O_SOURCE, O_VARS, O_DISK, O_CONF, O_INSTALL_CONF, O_TRIES, O_NOVARS,
	       O_NOREM, O_RELAX, O_GRACEFUL, O_VERSION };
	static const struct option longopts[] = {
		{ "esp-path", required_argument, NULL, O_ESP },
		{ "boot-path", required_argument, NULL, O_BOOT },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "efivarfs", required_argument, NULL, O_VARS },
		{ "esp-disk", required_argument, NULL, O_DISK },
		{ "conf-root", required_argument, NULL, O_CONF },
		{ "install-conf", no_argument, NULL, O_INSTALL_CONF },
		{ "tries", required_argument, NULL, O_TRIES },
		{ "no-variables", no_argument, NULL, O_NOVARS },
		{ "no-removable", no_argument, NULL, O_NOREM },
		{ "relax-esp-checks", no_argument, NULL, O_RELAX },
		{ "graceful", no_argument, NULL, O_GRACEFUL },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, O_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;
	char *end;

	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case O_ESP: opt.esp_path = optarg; break;
		case O_BOOT: opt.boot_path = optarg; break;
		case O_SOURCE: opt.source = optarg; break;
		case O_VARS: opt.efivarfs = optarg; break;
		case O_CONF: opt.conf_root = optarg; break;
		case O_DISK: {
			char *colon = strrchr(optarg, ':');
			unsigned long n = colon ? strtoul(colon + 1, &end, 10) : 0;
			if (!colon || *end || n == 0 || n > 128) {
				fail("--esp-disk=%s: want DISK:N, N a partition number from 1 to 128", optarg);
				return 2;
			}
			*colon = 0;
			opt.esp_disk = optarg;
			opt.esp_partn = (unsigned)n;
			break;
		}
		case O_INSTALL_CONF: opt.install_conf = true; break;
		case O_TRIES:
			errno = 0;
			opt.tries = strtol(optarg, &end, 10);
			if (errno || *end || !*optarg || opt.tries < 0 || opt.tries > 9999) {
				fail("--tries=%s: want a number from 0 to 9999", optarg);
				return 2;
			}
			break;
		case O_NOVARS: opt.no_variables = true; break;
		case O_NOREM: opt.no_removable = true; break;
		case O_RELAX: opt.relax = true; break;
		case O_GRACEFUL: opt.graceful = true; break;
		case 'q': opt.quiet = true; break;
		case O_VERSION: printf(PROG " " EFIKEXEC_VERSION "\n"); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[optind++];
	int nargs = argc - optind, r;
	const struct verb *v = NULL;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]) && !v; i++)
		if (!strcmp(cmd, verbs[i].name))
			v = &verbs[i];
	if (!v) {
		fail("unknown command '%s' (--help lists them)", cmd);
		return 2;
	}
	if (nargs != v->nargs) {
		fail("%s takes %s", cmd, v->nargs ? "one argument" : "no arguments");
		return 2;
	}
	r = v->run(v, nargs ? argv[optind] : NULL);
	/* is-installed's result is its exit status */
	if (v->run == run_is_installed)
		return r;
	fflush(stdout);
	return r < 0 ? 1 : 0;
}
