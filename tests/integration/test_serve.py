"""`concur serve` on a network: idle connections are
closed, one address cannot take every connection, sizes and delays are
capped, and fault modes answer only clients on loopback.  Every test runs
the real server binary and talks to it over real sockets.
"""
import os
import re
import select
import socket
import subprocess
import time
import unittest

from common import CONCUR, run


def local_address():
    """An address of this machine that is not loopback, or None."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))  # no packet is sent for UDP connect
        addr = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if addr.startswith("127.") else addr


class Server:
    """`concur serve ARGS...` on a free port, stopped on exit."""

    def __init__(self, *args):
        self.p = subprocess.Popen([CONCUR, "serve", "--port", "0", *args],
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        first, self.limits = self.lines(2, 10)
        m = re.search(r"http://\[?([^\]/]+?)\]?:(\d+)/", first)
        if not m:
            self.p.kill()
            raise AssertionError("no URL from concur serve: " + first +
                                 self.p.stderr.read().decode())
        self.port = int(m.group(2))

    def lines(self, n, within):
        """The first n lines of stdout ("" for those that did not come)."""
        fd, data, end = self.p.stdout.fileno(), b"", time.time() + within
        while data.count(b"\n") < n and time.time() < end:
            ready, _, _ = select.select([fd], [], [], end - time.time())
            chunk = os.read(fd, 4096) if ready else b""
            if not chunk:
                break
            data += chunk
        got = data.decode(errors="replace").split("\n")
        return (got + [""] * n)[:n]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.p.terminate()
        self.p.wait(timeout=20)
        self.p.stdout.close()
        self.p.stderr.close()


def get(host, port, query, timeout=10):
    """(status, body) of GET /?query on a fresh connection."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(f"GET /?{query} HTTP/1.1\r\nHost: x\r\n"
                  "Connection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head else 0
    return status, body.decode(errors="replace")


def closed_by_peer(sock, within):
    """True when the server closes sock (EOF or reset) within `within` s."""
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


class TestServeLimits(unittest.TestCase):
    def test_defaults_are_printed(self):
        with Server() as srv:
            self.assertIn("idle timeout 60 s", srv.limits)
            self.assertIn("1024 per address", srv.limits)
            self.assertIn("bodies up to 16777216 bytes", srv.limits)
            self.assertIn("delays up to 60000 ms", srv.limits)
            self.assertIn("fault modes for loopback only", srv.limits)

    def test_idle_connection_is_closed(self):
        """A client that connects and says nothing used to hold its
        connection (and a slot of the cap) forever."""
        with Server("--timeout", "1") as srv:
            with socket.create_connection(("127.0.0.1", srv.port)) as s:
                self.assertTrue(closed_by_peer(s, 15),
                                "an idle connection stayed open")
            # a request still gets its answer
            self.assertEqual(get("127.0.0.1", srv.port, "size=10")[0], 200)

    def test_per_address_connection_limit(self):
        with Server("--per-ip", "3", "--timeout", "0") as srv:
            held = [socket.create_connection(("127.0.0.1", srv.port))
                    for _ in range(3)]
            try:
                extra = socket.create_connection(("127.0.0.1", srv.port))
                with extra:
                    self.assertTrue(closed_by_peer(extra, 10),
                                    "a 4th connection from one address "
                                    "was kept")
                # the three held ones are served
                held[0].sendall(b"GET /?size=5 HTTP/1.1\r\nHost: x\r\n\r\n")
                held[0].settimeout(10)
                self.assertIn(b" 200 ", held[0].recv(4096))
            finally:
                for s in held:
                    s.close()
            time.sleep(0.2)  # the server notices the closes
            self.assertEqual(get("127.0.0.1", srv.port, "size=1")[0], 200)

    def test_size_is_capped(self):
        with Server() as srv:
            status, body = get("127.0.0.1", srv.port, "size=16777217")
            self.assertEqual(status, 400)
            self.assertIn("size=16777217 is above this server's largest "
                          "body, 16777216 bytes", body)
            status, body = get("127.0.0.1", srv.port,
                               "size=9223372036854775807")
            self.assertEqual(status, 400)
        with Server("--max-size", "1k") as srv:
            self.assertEqual(get("127.0.0.1", srv.port, "size=1025")[0], 400)
            status, body = get("127.0.0.1", srv.port, "size=1024")
            self.assertEqual((status, len(body)), (200, 1024))

    def test_delay_is_capped(self):
        with Server() as srv:
            status, body = get("127.0.0.1", srv.port, "delay_ms=3600000")
            self.assertEqual(status, 400)
            self.assertIn("longest delay, 60000 ms", body)
        with Server("--max-delay", "100ms") as srv:
            self.assertEqual(get("127.0.0.1", srv.port, "delay_ms=101")[0],
                             400)
            self.assertEqual(get("127.0.0.1", srv.port,
                                 "delay_ms=60&delay_us=50000")[0], 400)
            self.assertEqual(get("127.0.0.1", srv.port, "delay_ms=50")[0],
                             200)

    def test_fault_modes_only_for_loopback(self):
        addr = local_address()
        if not addr:
            self.skipTest("this machine has no address but loopback")
        with Server("--bind", "0.0.0.0") as srv:
            status, body = get(addr, srv.port, "fault=500")
            self.assertEqual(status, 403)
            self.assertIn("--allow-remote-faults", body)
            # stall would hold the connection for as long as the server runs
            self.assertEqual(get(addr, srv.port, "fault=stall")[0], 403)
            self.assertEqual(get(addr, srv.port, "size=3")[0], 200)
            self.assertEqual(get("127.0.0.1", srv.port, "fault=500")[0], 500)
        with Server("--bind", "0.0.0.0", "--allow-remote-faults") as srv:
            self.assertIn("fault modes for every client", srv.limits)
            self.assertEqual(get(addr, srv.port, "fault=500")[0], 500)

    def test_bad_limit_values(self):
        for args, want in [
            (["--timeout", "soon"], "--timeout 'soon': want a duration"),
            (["--timeout", "200ms"], "want at least 1s, or 0"),
            (["--per-ip", "-1"], "--per-ip '-1' is not a number from 0"),
            (["--max-connections", "0"], "from 1 to 1000000"),
            (["--max-size", "0"], "--max-size '0': want a size"),
            (["--max-size", "lots"], "--max-size 'lots': want a size"),
            (["--max-delay", "2d"], "--max-delay '2d': want a duration"),
        ]:
            with self.subTest(args=args):
                rc, _, se = run("serve", *args, timeout=20)
                self.assertEqual(rc, 2, se)
                self.assertIn(want, se)


if __name__ == "__main__":
    unittest.main()
