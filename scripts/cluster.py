"""A ZEO server and two Zope instances on 127.0.0.1: ``make run-cluster``.

The supported way to run collective.tickets on more than one process. The
data lives in ``cluster/`` (the ZEO server's FileStorage and blobs); the
instances ``cluster/instance1`` and ``cluster/instance2`` are its clients.
With ``--storage postgresql`` the instances are RelStorage clients of a
PostgreSQL server started here instead (scripts/postgresql.py, data in
``cluster/pg/``, on the ZEO port). Running it again reuses everything. The
tests start the same cluster in a temporary folder on free ports.

    python scripts/cluster.py [DIR] [--storage zeo|postgresql]
                              [--zeo-port 8100] [--ports 8081 8082]
"""

from pathlib import Path

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request


ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "scripts"))

from make_instance import make_instance  # noqa: E402
from make_instance import storage_section  # noqa: E402
from postgresql import PostgreSQL  # noqa: E402


STORAGES = ("zeo", "postgresql")


ZEO_CONF = """\
<zeo>
  address 127.0.0.1:{port}
</zeo>
<filestorage 1>
  path {data}/Data.fs
  blob-dir {data}/blobs
</filestorage>
<eventlog>
  <logfile>
    path {data}/zeo.log
  </logfile>
</eventlog>
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout=60, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process for port {port} ended early")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing answers on 127.0.0.1:{port} after {timeout} s")


def start_mail_sink(port, folder):
    """An SMTP server on 127.0.0.1:``port`` that files every mail it receives
    in ``folder``/new/; returns the process once it listens. The folder's
    parent is made first: aiosmtpd makes the maildir itself but not the
    folders above it (``cluster/`` on a fresh clone)."""
    Path(folder).parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(folder),
        ]
    )
    wait_for_port(port, process=process)
    return process


def wait_for_http(url, timeout=120, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server for {url} ended early")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer after {timeout} s")


class Cluster:
    """Start, restart and stop the storage server (ZEO or PostgreSQL) and
    its Zope instances. ``zeo_port`` is the storage server's port."""

    def __init__(self, base, zeo_port, ports, mail_port=1025, storage="zeo"):
        if storage not in STORAGES:
            raise ValueError(f"storage {storage!r}: one of {', '.join(STORAGES)}")
        self.base = Path(base).resolve()
        self.zeo_port = zeo_port
        self.ports = list(ports)
        self.mail_port = mail_port
        self.storage = storage
        self.zeo = None
        self.postgresql = None
        self.mail_sink = None
        self.instances = {}

    def start_mail_sink(self):
        self.mail_sink = start_mail_sink(self.mail_port, self.base / "mail")

    def instance_dir(self, number):
        return self.base / f"instance{number}"

    def client_options(self):
        """make_instance()'s storage arguments for the instances."""
        if self.storage == "postgresql":
            return {"relstorage": PostgreSQL(self.base, self.zeo_port).dsn()}
        return {"zeo": f"127.0.0.1:{self.zeo_port}"}

    def open_db(self, database=None):
        """A read-only ZODB.DB on the cluster's storage, as the instances
        see it (for tests and tools that look at the data directly), with a
        blob cache of its own; ``database``: another PostgreSQL database of
        the cluster's server (a restored backup)."""
        import tempfile
        import ZODB.config

        options = self.client_options()
        if database:
            options["relstorage"] = options["relstorage"].replace(
                "dbname='zodb'", f"dbname='{database}'"
            )
        imports, section = storage_section(**options)
        blobs = tempfile.mkdtemp(prefix="reader-", dir=self.base)
        section = section.replace("$INSTANCE/var/blobcache", blobs)
        section = section.replace("mount-point /\n", "")
        section = section.replace("<zodb_db main>", "<zodb>").replace(
            "</zodb_db>", "</zodb>"
        )
        if self.storage == "postgresql":
            section = section.replace(
                "<relstorage>", "<relstorage>\n    read-only true"
            )
        else:
            section = section.replace("<zeoclient>", "<zeoclient>\n    read-only true")
            section = section.replace("    var $INSTANCE/var\n", "")
        return ZODB.config.databaseFromString(imports + section)

    def start_storage(self):
        if self.storage == "postgresql":
            self.postgresql = PostgreSQL(self.base, self.zeo_port)
            self.postgresql.start()
            self.write_pack_conf()
        else:
            self.start_zeo()

    def write_pack_conf(self):
        """``zodbpack.conf``: RelStorage's packing tool reads the storage
        from a file of its own (docs/operators.rst); pack-gc removes the
        objects nothing refers to any more, their blobs included."""
        _, section = storage_section(**self.client_options())
        storage = section[
            section.index("  <relstorage>") : section.index("  mount-point")
        ]
        storage = storage.replace(
            "$INSTANCE/var/blobcache", str(self.base / "pack-blobs")
        )
        storage = storage.replace("<relstorage>", "<relstorage>\n    pack-gc true")
        path = self.base / "zodbpack.conf"
        path.write_text("%import relstorage\n" + storage, encoding="utf-8")
        path.chmod(0o600)
        return path

    def start_zeo(self):
        data = self.base / "zeo"
        data.mkdir(parents=True, exist_ok=True)
        conf = data / "zeo.conf"
        conf.write_text(
            ZEO_CONF.format(port=self.zeo_port, data=data), encoding="utf-8"
        )
        self.zeo = subprocess.Popen([str(BIN / "runzeo"), "-C", str(conf)])
        wait_for_port(self.zeo_port, process=self.zeo)

    def prepare_instances(self):
        for number, port in enumerate(self.ports, start=1):
            make_instance(self.instance_dir(number), port=port, **self.client_options())

    def create_site(self):
        """The demo site, through the first instance's configuration."""
        conf = self.instance_dir(1) / "etc" / "zope.conf"
        subprocess.run(
            [
                str(BIN / "zconsole"),
                "run",
                str(conf),
                str(ROOT / "scripts" / "create_site.py"),
            ],
            check=True,
            env={**os.environ, "DEMO_SMTP_PORT": str(self.mail_port)},
        )

    def start_instance(self, number):
        ini = self.instance_dir(number) / "etc" / "zope.ini"
        log = open(self.instance_dir(number) / "var" / "log" / "console.log", "ab")  # noqa: SIM115
        process = subprocess.Popen(
            [str(BIN / "runwsgi"), str(ini)], stdout=log, stderr=log
        )
        self.instances[number] = process
        return process

    def wait_for_instance(self, number):
        port = self.ports[number - 1]
        wait_for_http(f"http://127.0.0.1:{port}/", process=self.instances[number])

    def kill_instance(self, number):
        """Stop an instance at once, as a crash or a power cut would."""
        process = self.instances.pop(number)
        process.kill()
        process.wait()

    def start(self):
        self.start_mail_sink()
        self.start_storage()
        self.prepare_instances()
        self.create_site()
        for number in range(1, len(self.ports) + 1):
            self.start_instance(number)
        for number in range(1, len(self.ports) + 1):
            self.wait_for_instance(number)

    def stop(self):
        processes = [*self.instances.values(), self.zeo, self.mail_sink]
        for process in processes:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            if process is not None:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        if self.postgresql is not None:
            self.postgresql.stop()
        self.instances = {}
        self.zeo = None
        self.postgresql = None
        self.mail_sink = None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", nargs="?", default="cluster")
    parser.add_argument("--storage", choices=STORAGES, default="zeo")
    parser.add_argument("--zeo-port", type=int, default=8100)
    parser.add_argument("--ports", type=int, nargs="+", default=[8081, 8082])
    args = parser.parse_args(argv)
    cluster = Cluster(args.base, args.zeo_port, args.ports, storage=args.storage)
    # A plain kill stops the instances and the ZEO server too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        cluster.start()
        print()
        if args.storage == "postgresql":
            print(
                f"  PostgreSQL:  127.0.0.1:{args.zeo_port}, database zodb, user zope "
                f"(data in {args.base}/pg/, password in {args.base}/pg.password)"
            )
            print(f"  Packing:     zodbpack {args.base}/zodbpack.conf")
        else:
            print(
                f"  ZEO server:  127.0.0.1:{args.zeo_port} (data in {args.base}/zeo/)"
            )
        print(f"  E-mail:      every message is a file in {args.base}/mail/new/")
        for port in args.ports:
            print(f"  Instance:    http://127.0.0.1:{port}/Plone")
        print("  Logins as for make run. Ctrl-C stops everything.")
        print()
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
