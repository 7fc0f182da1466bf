"""http_download's http_version and multiplex through concur run: against
the builtin server (one port, both protocols), against a real nginx with
http2 on as a peer (started and stopped here, serving files from a temporary
directory; its access log says which protocol and which connection served
each request), and bad values (exit 2 with the reason)."""
import os
import shutil
import signal
import socket
import subprocess
import time
import unittest

from common import TempDir, read_dicts, run, write

NGINX = shutil.which("nginx") or (
    "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
BODY = 10240


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, within=10.0):
    end = time.monotonic() + within
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


NGINX_CONF = """daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 4096; }}
http {{
    log_format peer '$server_port $connection $server_protocol $status '
                    '$body_bytes_sent $request_uri';
    access_log {d}/access.log peer;
    client_body_temp_path {d}/tmp;
    proxy_temp_path {d}/tmp;
    fastcgi_temp_path {d}/tmp;
    uwsgi_temp_path {d}/tmp;
    scgi_temp_path {d}/tmp;
    server {{ listen 127.0.0.1:{h2} http2; root {d}/www; }}
    server {{ listen 127.0.0.1:{h1}; root {d}/www; }}
}}
"""


class Nginx:
    """nginx on two loopback ports: cleartext HTTP/2 (prior knowledge) and
    HTTP/1.1, serving www/f of BODY bytes; stopped on exit."""

    def __enter__(self):
        if not NGINX:
            raise AssertionError(
                "nginx is not installed: apt-get install nginx "
                "(scripts/test.sh lists it in CONCUR_EXTRA_PACKAGES)")
        self._tmp = TempDir()
        d = self.dir = self._tmp.__enter__()
        os.chmod(d, 0o755)  # a root nginx's worker runs as another user
        os.mkdir(os.path.join(d, "www"))
        os.mkdir(os.path.join(d, "tmp"))
        with open(os.path.join(d, "www", "f"), "wb") as f:
            f.write(os.urandom(BODY))
        self.h2, self.h1 = free_port(), free_port()
        conf = write(os.path.join(d, "nginx.conf"),
                     NGINX_CONF.format(d=d, h2=self.h2, h1=self.h1))
        self.proc = subprocess.Popen(
            [NGINX, "-c", conf, "-p", d, "-e", os.path.join(d, "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if not (wait_listening(self.h2, self.proc) and
                wait_listening(self.h1, self.proc)):
            err = self.proc.stderr.read().decode() if self.proc.poll() \
                is not None else "not listening within 10 s"
            self.__exit__(None, None, None)
            raise AssertionError("nginx did not start: " + err)
        return self

    def log(self):
        """The access log: (port, connection, protocol, status, bytes, uri)."""
        with open(os.path.join(self.dir, "access.log")) as f:
            return [tuple(line.split()) for line in f if line.strip()]

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stderr.close()
        self._tmp.__exit__(None, None, None)


EXPERIMENT = """[experiment]
name = h2
repetitions = 1
warmup = 0
timeout = 60s

[strategy epoll]
max_inflight = 0
"""


def workload(label, url, version, multiplex, count=160, extra=""):
    return (f"\n[workload {label}]\nplugin = http_download\nurl = {url}\n"
            f"count = {count}\nhttp_version = {version}\n"
            f"multiplex = {multiplex}\nexpect_bytes = {BODY}\n{extra}")


class TestHttp2(unittest.TestCase):
    def run_ok(self, d, text):
        ini = write(os.path.join(d, "e.ini"), text)
        out = os.path.join(d, "e.csv")
        rc, _, err = run("run", ini, "-o", out, "-q")
        rows = read_dicts(out) if os.path.exists(out) else []
        self.assertEqual(rc, 0, err + "".join(r["error"] for r in rows))
        for r in rows:
            self.assertEqual((r["status"], r["tasks_failed"]), ("ok", "0"), r)
        return rows

    def test_nginx_peer(self):
        """160 downloads from nginx: over HTTP/2 multiplexed (one
        connection in nginx's log, though nginx allows 128 streams at once:
        the rest wait for a stream), over HTTP/2 a connection each, and
        over HTTP/1.1; nginx's log confirms the protocol of every
        request."""
        with Nginx() as ng, TempDir() as d:
            h2 = f"http://127.0.0.1:{ng.h2}/f"
            h1 = f"http://127.0.0.1:{ng.h1}/f"
            rows = self.run_ok(d, EXPERIMENT +
                               workload("mux", h2 + "?mux", 2, "true") +
                               workload("each", h2 + "?each", 2, "false") +
                               workload("one", h1 + "?one", "1.1", "false"))
            self.assertEqual(len(rows), 3)
            log = ng.log()
            for cell, proto, conns in (("mux", "HTTP/2.0", {1}),
                                       ("each", "HTTP/2.0", {160}),
                                       ("one", "HTTP/1.1", {160})):
                lines = [x for x in log if x[5] == "/f?" + cell]
                self.assertEqual(len(lines), 160, cell)
                self.assertEqual({x[2] for x in lines}, {proto}, cell)
                self.assertEqual({x[3] for x in lines}, {"200"}, cell)
                self.assertEqual({x[4] for x in lines}, {str(BODY)}, cell)
                self.assertIn(len({x[1] for x in lines}), conns, cell)

    def test_builtin_crossing(self):
        """url = builtin serves both versions on one port; the crossing
        http_version x multiplex runs as four cells, all fine."""
        with TempDir() as d:
            rows = self.run_ok(d, EXPERIMENT + workload(
                "dl", "builtin", "1.1, 2", "false, true", count=40,
                extra="latency = 20ms\nbody = 10k\n"))
            self.assertEqual(
                sorted((r["workload.http_version"], r["workload.multiplex"])
                       for r in rows),
                [("1.1", "false"), ("1.1", "true"), ("2", "false"),
                 ("2", "true")])

    def test_bad_values_exit_2(self):
        cases = (
            ("http_version = 3\n",
             "http_version '3' is not supported: use 1.1 or 2"),
            ("http_version = 2\nmultiplex = maybe\n", "multiplex"),
            ("http_version = 2\nmultiplex = true\nreuse_connections = false\n",
             "reuse_connections = false forbids"),
        )
        for text, why in cases:
            with TempDir() as d:
                ini = write(os.path.join(d, "e.ini"), EXPERIMENT +
                            "\n[workload w]\nplugin = http_download\n" + text)
                rc, _, err = run("run", ini, "-o", os.path.join(d, "e.csv"),
                                 "-q")
                self.assertEqual(rc, 2, text + err)
                self.assertIn(why, err, text)
                self.assertFalse(os.path.exists(os.path.join(d, "e.csv")))


if __name__ == "__main__":
    unittest.main()
