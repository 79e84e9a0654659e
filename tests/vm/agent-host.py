#!/usr/bin/env python3
"""agent-host.py - the host side of kvm-shim/agent_protocol.h, for tests.

Talks to the guest agent (kvm-shim/guest/agent/) through a unix socket that
carries the guest's virtio-console port (qemu: -chardev socket + virtconsole).

  agent-host.py SOCK ready [--timeout S]
      wait for READY (printed as "ready version N")
  agent-host.py SOCK run CONFIG.JSON [--share TAG=PATH]... [--poweroff]
                [--exec PROCESS.JSON --exec-out FILE] [--signal N --signal-delay S]
                [--stdin FILE] [--exec-signal N]
      CREATE + START; the container's stdout/stderr go to our stdout/stderr;
      exits with the container's exit status (0-255, 128+N), or 125 after an
      agent ERROR, or 124 on timeout.
  agent-host.py SOCK probe
      send malformed and out-of-order frames; each must be answered by ERROR
  agent-host.py SOCK poweroff
Frame: u32 type, u32 id, u32 length (little-endian), payload.
"""
import argparse
import json
import os
import socket
import struct
import sys
import time

READY, CREATE, CREATED, START, STARTED, SIGNAL, EXEC, STDOUT, STDERR, EXIT, ERROR, POWEROFF, STDIN = range(1, 14)
NAMES = {v: k for k, v in dict(READY=READY, CREATE=CREATE, CREATED=CREATED, START=START, STARTED=STARTED,
                              SIGNAL=SIGNAL, EXEC=EXEC, STDOUT=STDOUT, STDERR=STDERR, EXIT=EXIT,
                              ERROR=ERROR, POWEROFF=POWEROFF, STDIN=STDIN).items()}
POWEROFF_ON_EXIT = 1
WITH_STDIN = 2


class Channel:
    def __init__(self, path, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.buf = b""

    def send(self, typ, ident=0, payload=b""):
        self.s.sendall(struct.pack("<III", typ, ident, len(payload)) + payload)

    def recv(self, timeout):
        """Next frame (type, id, payload); None on timeout; raises EOFError."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 12:
                typ, ident, length = struct.unpack("<III", self.buf[:12])
                if len(self.buf) >= 12 + length:
                    payload = self.buf[12:12 + length]
                    self.buf = self.buf[12 + length:]
                    return typ, ident, payload
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                data = self.s.recv(65536)
            except socket.timeout:
                return None
            if not data:
                raise EOFError("the guest closed the port")
            self.buf += data


def u32(payload):
    return struct.unpack("<I", payload[:4])[0]


def create_payload(flags, shares, config):
    out = struct.pack("<II", flags, len(shares))
    for tag, path in shares:
        for s in (tag.encode(), path.encode()):
            out += struct.pack("<I", len(s)) + s
    return out + config


def cmd_ready(ch, a):
    f = ch.recv(a.timeout)
    if f is None or f[0] != READY:
        print("no READY from the agent: %r" % (f,), file=sys.stderr)
        return 1
    print("ready version %d" % u32(f[2]))
    return 0


def cmd_run(ch, a):
    config = open(a.config, "rb").read()
    shares = [tuple(s.split("=", 1)) for s in a.share]
    flags = (POWEROFF_ON_EXIT if a.poweroff else 0) | (WITH_STDIN if a.stdin else 0)
    ch.send(CREATE, 0, create_payload(flags, shares, config))
    exec_out = open(a.exec_out, "wb") if a.exec_out else None
    signal_at = None
    deadline = time.monotonic() + a.timeout
    status = None
    exec_status = None
    while status is None or (a.exec and exec_status is None):
        if signal_at is not None and time.monotonic() >= signal_at:
            ch.send(SIGNAL, 0, struct.pack("<I", a.signal))
            signal_at = None
        wait = 0.05 if signal_at is not None else max(0.0, deadline - time.monotonic())
        f = ch.recv(wait)
        if f is None:
            if time.monotonic() >= deadline:
                print("agent-host: timeout", file=sys.stderr)
                return 124
            continue
        typ, ident, payload = f
        if typ == CREATED:
            ch.send(START)
        elif typ == STARTED and ident == 0:
            if a.exec:
                ch.send(EXEC, 1, open(a.exec, "rb").read())
            if a.signal:
                signal_at = time.monotonic() + a.signal_delay
            if a.stdin:
                data = open(a.stdin, "rb").read()
                for off in range(0, len(data), 65536):
                    ch.send(STDIN, 0, data[off:off + 65536])
                ch.send(STDIN, 0, b"")
        elif typ == STARTED:
            if a.exec_signal:
                ch.send(SIGNAL, ident, struct.pack("<I", a.exec_signal))
        elif typ in (STDOUT, STDERR) and ident == 0:
            stream = sys.stdout.buffer if typ == STDOUT else sys.stderr.buffer
            stream.write(payload)
            stream.flush()
        elif typ in (STDOUT, STDERR):
            if exec_out:
                exec_out.write(payload)
        elif typ == EXIT and ident == 0:
            status = u32(payload)
        elif typ == EXIT:
            exec_status = u32(payload)
            if exec_out:
                exec_out.close()
                with open(a.exec_out + ".status", "w") as fh:
                    fh.write("%d\n" % exec_status)
        elif typ == ERROR:
            print("agent error (id %d): %s" % (ident, payload.decode(errors="replace")), file=sys.stderr)
            if ident == 0:
                return 125
            if exec_out:
                exec_out.write(b"agent error: " + payload + b"\n")
        else:
            print("agent-host: unexpected frame %s" % NAMES.get(typ, typ), file=sys.stderr)
    return status


def cmd_probe(ch, a):
    """Frames the agent must refuse with ERROR (and go on serving)."""
    bad = [(99, 0, b"x"), (START, 0, b""), (SIGNAL, 0, b"\x0f"), (EXEC, 1, b"{}"), (STDIN, 0, b"x"),
           (CREATE, 0, b"\x00\x00\x00\x00\xff\x00\x00\x00"), (CREATE, 0, b"")]
    for typ, ident, payload in bad:
        ch.send(typ, ident, payload)
        f = ch.recv(a.timeout)
        if f is None or f[0] != ERROR:
            print("probe: %s got %r, want ERROR" % (NAMES.get(typ, typ), f), file=sys.stderr)
            return 1
        print("%s -> ERROR %s" % (NAMES.get(typ, typ), f[2].decode(errors="replace")))
    return 0


def cmd_poweroff(ch, a):
    ch.send(POWEROFF)
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("sock")
    p.add_argument("--timeout", type=float, default=300)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("ready")
    r = sub.add_parser("run")
    r.add_argument("config")
    r.add_argument("--share", action="append", default=[])
    r.add_argument("--poweroff", action="store_true")
    r.add_argument("--exec")
    r.add_argument("--exec-out")
    r.add_argument("--signal", type=int, default=0)
    r.add_argument("--signal-delay", type=float, default=1.0)
    r.add_argument("--stdin")
    r.add_argument("--exec-signal", type=int, default=0)
    sub.add_parser("poweroff")
    sub.add_parser("probe")
    a = p.parse_args()
    ch = Channel(a.sock, a.timeout)
    return {"ready": cmd_ready, "run": cmd_run, "poweroff": cmd_poweroff, "probe": cmd_probe}[a.cmd](ch, a)


if __name__ == "__main__":
    sys.exit(main())
