#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""stamp.py END-REGEX < SERIAL > LOG - each piece of a serial console as it
arrives, stamped with the host's clock: a line, and also each "... " of a
line still being written, so the kernel decompressor's one line
"Decompressing Linux... Parsing ELF... Performing relocations... done."
gives a time for each of its stages. Stops after the first piece that
matches END-REGEX (the kernel's first line)."""
import os
import re
import sys
import time

end = re.compile(sys.argv[1])
fd = sys.stdin.fileno()
buf = b''
out = sys.stdout
while True:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    now = time.time()
    buf += data.replace(b'\r', b'')
    pieces = re.split(rb'(?<=\n)|(?<=\.\.\. )', buf)
    buf = pieces.pop()  # still being written
    done = False
    for p in pieces:
        if not p:
            continue
        text = p.decode('utf-8', 'replace').rstrip('\n')
        out.write('%.6f %s\n' % (now, text))
        if end.search(text):
            done = True
            break
    out.flush()
    if done or end.search(buf.decode('utf-8', 'replace')):
        if buf:
            out.write('%.6f %s\n' % (now, buf.decode('utf-8', 'replace')))
        break
