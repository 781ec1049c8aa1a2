/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/* main.c - runs every registered unit test (or those named on the command
 * line) and prints "unit: N passed, N failed". */
#include <stdarg.h>

#include "test.h"
#include "../../lib/rt.h"

#define MAX_TESTS 512

static struct {
	const char *name;
	void (*fn)(void);
} tests[MAX_TESTS];
static int ntests, failed_checks;
static char logbuf[1 << 16];
static size_t loglen;

void test_register(const char *name, void (*fn)(void))
{
	if (ntests == MAX_TESTS) {
		fprintf(stderr, "too many tests\n");
		exit(2);
	}
	tests[ntests].name = name;
	tests[ntests++].fn = fn;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (failed_checks++ < 20) {
		fprintf(stderr, "  %s:%d: check failed: ", file, line);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}

static void sink(enum rt_log_level level, const char *subsys, const char *line)
{
	int n = snprintf(logbuf + loglen, sizeof(logbuf) - loglen, "%s: %s: %s\n",
			 rt_log_level_name(level), subsys, line);
	if (n > 0 && (size_t)n < sizeof(logbuf) - loglen)
		loglen += (size_t)n;
	if (getenv("EFIKEXEC_TEST_VERBOSE"))
		fprintf(stderr, "    log %s: %s: %s\n", rt_log_level_name(level), subsys, line);
}

const char *test_log(void)
{
	return logbuf;
}

void test_log_clear(void)
{
	loglen = 0;
	logbuf[0] = '\0';
}

uint64_t test_seed(void)
{
	const char *s = getenv("EFIKEXEC_SEED");

	return s ? strtoull(s, NULL, 0) : 0x5eed0f0e1f1c0de5ull;
}

int main(int argc, char **argv)
{
	int pass = 0, fail = 0;

	rt_log_set_sink(sink);
	rt_log_set_level(RT_LOG_DEBUG);
	for (int i = 0; i < ntests; i++) {
		bool wanted = argc < 2;
		for (int a = 1; a < argc; a++)
			wanted |= strcmp(argv[a], tests[i].name) == 0;
		if (!wanted)
			continue;
		failed_checks = 0;
		test_log_clear();
		tests[i].fn();
		if (failed_checks) {
			printf("FAIL %s (%d checks failed)\n", tests[i].name, failed_checks);
			fail++;
		} else {
			printf("PASS %s\n", tests[i].name);
			pass++;
		}
		fflush(stdout);
	}
	printf("unit: %d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
