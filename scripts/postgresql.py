"""A PostgreSQL server of the distribution's ``postgresql`` package, started
by ``make run-cluster STORAGE=postgresql``, the cluster tests and
``make bench STORAGE=postgresql``: data in ``BASE/pg/``, TCP on 127.0.0.1
only (no Unix socket), one role ``zope`` whose password is kept in
``BASE/pg.password``, one database ``zodb`` for RelStorage.

The Makefile installs the package (``make postgresql``); nothing here needs
a server that the system runs. PostgreSQL refuses to run as root: as root the
server runs as the package's ``postgres`` user, which must be able to reach
``BASE`` (every folder above it readable and searchable by others).
"""

from pathlib import Path

import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time


USER = "zope"
DATABASE = "zodb"


def binaries():
    """The folder of the newest ``postgres``/``initdb`` pair installed, or
    None. Debian keeps them out of PATH, in /usr/lib/postgresql/<major>/bin."""

    def major(path):
        return int(re.sub(r"\D", "", path.parent.parent.name) or 0)

    installed = [
        path.parent
        for path in sorted(
            Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=major
        )
        if (path.parent / "initdb").exists()
    ]
    if installed:
        return installed[-1]
    found = shutil.which("postgres")
    if found and shutil.which("initdb"):
        return Path(found).parent
    return None


def missing_reason():
    """Why a server cannot be started here, or None when it can."""
    if binaries() is None:
        return (
            "PostgreSQL's server is not installed (Debian's postgresql package: "
            "make postgresql installs it)"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and there is no 'postgres' user to run the server"
    return None


class PostgreSQL:
    def __init__(self, base, port):
        self.base = Path(base).resolve()
        self.port = port
        self.data = self.base / "pg"
        self.password_file = self.base / "pg.password"
        self.log = self.base / "pg.log"
        self.process = None
        self.bin = binaries()
        # As root, the server and initdb run as the package's user.
        self.as_user = {}
        if os.geteuid() == 0:
            self.as_user = {"user": "postgres", "group": "postgres"}

    def password(self):
        if not self.password_file.exists():
            self.base.mkdir(parents=True, exist_ok=True)
            self.password_file.write_text(secrets.token_urlsafe(24), encoding="ascii")
            self.password_file.chmod(0o600)
        return self.password_file.read_text(encoding="ascii").strip()

    def dsn(self):
        """RelStorage's ``dsn``: libpq's keyword form."""
        return (
            f"dbname='{DATABASE}' user='{USER}' host='127.0.0.1' "
            f"port={self.port} password='{self.password()}'"
        )

    def check_reachable(self):
        if not self.as_user:
            return
        for folder in [self.base, *self.base.parents]:
            if folder.stat().st_mode & 0o005 != 0o005:
                raise RuntimeError(
                    f"PostgreSQL runs as the 'postgres' user, which cannot reach "
                    f"{folder}: make it readable and searchable by others "
                    f"(chmod o+rx) or choose a folder that is"
                )

    def init(self):
        """initdb, once: the ``zope`` role is the server's superuser, with
        the password; password authentication (SCRAM) on 127.0.0.1."""
        if (self.data / "PG_VERSION").exists():
            return
        if self.bin is None:
            raise RuntimeError(missing_reason())
        self.data.mkdir(parents=True, exist_ok=True)
        self.check_reachable()
        with tempfile.NamedTemporaryFile("w", suffix=".pw", delete=False) as pw:
            pw.write(self.password() + "\n")
        try:
            if self.as_user:
                owner = pwd.getpwnam("postgres")
                for path in (self.data, Path(pw.name)):
                    os.chown(path, owner.pw_uid, owner.pw_gid)
            self.data.chmod(0o700)
            subprocess.run(
                [
                    str(self.bin / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    USER,
                    f"--pwfile={pw.name}",
                    "--auth=scram-sha-256",
                    "--encoding=UTF8",
                    "--no-locale",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                **self.as_user,
            )
        finally:
            os.unlink(pw.name)

    def start(self):
        self.init()
        log = open(self.log, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(self.bin / "postgres"),
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=",
                # Each instance keeps a few connections per thread (RelStorage
                # loads and stores on connections of their own).
                "-c",
                "max_connections=200",
            ],
            stdout=log,
            stderr=log,
            **self.as_user,
        )
        self.wait()
        self.create_database()

    def connect(self, dbname):
        import psycopg2

        return psycopg2.connect(
            dbname=dbname,
            user=USER,
            host="127.0.0.1",
            port=self.port,
            password=self.password(),
        )

    def wait(self, timeout=60):
        import psycopg2

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"PostgreSQL ended early; its log:\n{self.log.read_text()[-2000:]}"
                )
            try:
                self.connect("postgres").close()
                return
            except psycopg2.OperationalError:
                # Not listening yet, or still starting up.
                time.sleep(0.3)
        raise TimeoutError(f"PostgreSQL did not answer on port {self.port}")

    def create_database(self):
        connection = self.connect("postgres")
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
                )
                if cursor.fetchone() is None:
                    cursor.execute(f"CREATE DATABASE {DATABASE}")
        finally:
            connection.close()

    def stop(self):
        """A fast shutdown: open transactions are rolled back, the data is
        consistent on disk."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
