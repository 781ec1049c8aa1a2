#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# check-size.sh - rooms sized to one job: no product file (app/ efi/ boot/
# lib/ arch/ purgatory/ tools/ include/; C, and tools/' Python) above 900
# lines, no C function above 120 lines. Prints the longest of each, then a
# check per rule.
# A function is counted from the line with its name to the `}` in column
# 0 that closes it (the house style: the body's braces at column 0).
# Last line: "size: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
python3 - "$@" <<'PY'
import glob, re, sys
FILE_MAX, FUNC_MAX = 900, 120
files = sorted(f for d in ('app', 'efi', 'boot', 'lib', 'arch', 'purgatory', 'tools', 'include')
               for f in glob.glob(d + '/**/*.[ch]', recursive=True))
# the host programs in Python: files only (a function ends where the
# indentation does, not at a brace in column 0)
scripts = sorted(glob.glob('tools/**/*.py', recursive=True)) + ['tools/efikexec-vm']
sizes, funcs = [], []
for f in files:
    lines = open(f, errors='replace').read().split('\n')
    sizes.append((len(lines) - 1, f))
    start = None
    for i, l in enumerate(lines):
        if start is None and l.startswith('{') and i > 0:
            j = i - 1
            while j > 0 and not re.search(r'\w+\s*\(', lines[j]):
                j -= 1
            m = re.search(r'(\w+)\s*\(', lines[j])
            start, name = j, m.group(1) if m else '?'
        elif start is not None and l.startswith('}'):
            funcs.append((i - start + 1, '%s:%d %s' % (f, start + 1, name)))
            start = None
for f in scripts:
    sizes.append((len(open(f, errors='replace').read().split('\n')) - 1, f))
sizes.sort(reverse=True)
funcs.sort(reverse=True)
print('the longest files:', ', '.join('%s %d' % (f, n) for n, f in sizes[:5]))
print('the longest functions:', ', '.join('%s %d' % (f, n) for n, f in funcs[:5]))
passed = failed = 0
for what, limit, rows, count in (('product file', FILE_MAX, sizes, '%d files' % len(sizes)),
                                 ('function', FUNC_MAX, funcs, '%d functions' % len(funcs))):
    over = [(n, f) for n, f in rows if n > limit]
    if over:
        failed += 1
        print('FAIL size %ss above %d lines: %s' % (what, limit, ', '.join('%s (%d)' % (f, n) for n, f in over)))
    else:
        passed += 1
        print('PASS size no %s above %d lines (%s)' % (what, limit, count))
print('size: %d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
PY
