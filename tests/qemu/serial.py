#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""serial.py - drives a QEMU boot over its serial console, as a person at a
serial terminal would: waits for text, types keys.

  serial.py LOG TIMEOUT STEP... -- QEMU-COMMAND...

QEMU must have `-serial stdio`. Everything the guest writes goes to LOG.
Steps, in order:
  wait:REGEX      until the output (escape sequences taken out) matches
                  REGEX after the previous step's point
  send:TEXT       type TEXT; \\e, \\r, \\n and \\xHH are understood;
                  special keys: {up} {down} {home} {end} {pgup} {pgdn} {esc}
  quiet:SECONDS:REGEX  REGEX must not appear for SECONDS
  sleep:SECONDS
After the steps the boot runs to its end (or TIMEOUT). Exit status: 0, or 1
when a step failed (the reason on stderr), or 124 on the timeout.
"""
import os
import re
import select
import subprocess
import sys
import time

KEYS = {'{up}': '\x1b[A', '{down}': '\x1b[B', '{right}': '\x1b[C', '{left}': '\x1b[D',
        '{home}': '\x1b[H', '{end}': '\x1b[F', '{pgup}': '\x1b[5~', '{pgdn}': '\x1b[6~',
        '{esc}': '\x1b'}
ANSI = re.compile(rb'\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r')


def keys(text):
    for k, v in KEYS.items():
        text = text.replace(k, v)
    return text.encode().decode('unicode_escape').encode('latin-1')


def main():
    log_path, timeout = sys.argv[1], float(sys.argv[2])
    sep = sys.argv.index('--')
    steps, cmd = sys.argv[3:sep], sys.argv[sep + 1:]
    deadline = time.time() + timeout
    log = open(log_path, 'wb')
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    raw = b''
    mark = 0  # where in the cleaned text the next wait starts

    def pump(secs):
        nonlocal raw
        r, _, _ = select.select([p.stdout], [], [], secs)
        if r:
            data = os.read(p.stdout.fileno(), 65536)
            if not data:
                return False
            raw += data
            log.write(data)
            log.flush()
        return True

    def text():
        return ANSI.sub(b'', raw).decode('latin-1')

    def fail(why):
        sys.stderr.write('serial.py: %s\n' % why)
        p.kill()
        p.wait()
        sys.exit(1)

    for step in steps:
        kind, _, arg = step.partition(':')
        if kind == 'wait':
            rx = re.compile(arg)
            while True:
                m = rx.search(text(), mark)
                if m:
                    mark = m.end()
                    break
                if time.time() > deadline:
                    fail('timed out waiting for /%s/' % arg)
                if not pump(0.2) and p.poll() is not None:
                    fail('QEMU ended while waiting for /%s/' % arg)
        elif kind == 'send':
            time.sleep(0.3)
            p.stdin.write(keys(arg))
            p.stdin.flush()
        elif kind == 'quiet':
            secs, _, rxs = arg.partition(':')
            rx = re.compile(rxs)
            end = time.time() + float(secs)
            while time.time() < end:
                pump(0.2)
                if rx.search(text(), mark):
                    fail('/%s/ appeared within %s s' % (rxs, secs))
        elif kind == 'sleep':
            end = time.time() + float(arg)
            while time.time() < end:
                pump(0.2)
        else:
            fail('unknown step %s' % step)
    while p.poll() is None:
        if time.time() > deadline:
            p.kill()
            p.wait()
            sys.exit(124)
        pump(0.2)
    while pump(0):
        if not select.select([p.stdout], [], [], 0)[0]:
            break
    sys.exit(0)


if __name__ == '__main__':
    main()
