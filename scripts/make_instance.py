"""Create a Zope instance unless it exists.

By default the instance of ``make run``: ``instance/``, WSGI (waitress) on
127.0.0.1:8080, FileStorage with a blob storage, Zope admin ``admin``/``admin``.
With ``--zeo HOST:PORT`` the instance is a client of that ZEO server instead
(``make run-cluster``), with ``--relstorage DSN`` a RelStorage client of that
PostgreSQL database (``make run-cluster STORAGE=postgresql``); ``--port`` sets
its HTTP port. An existing instance is left as it is, so running this again
never touches the data.

    python scripts/make_instance.py [DIR] [--port 8080] [--zeo 127.0.0.1:8100]

buildout users get the same instance from instance.cfg: change both together.

Why a script and not cookiecutter-zope-instance with an ``instance.yaml``, as
Plone's documentation does it: that template could describe this instance
(WSGI on 127.0.0.1, FileStorage with blobs, ZEO client, the environment and
``form-memory-limit`` below), but

- it is not a package on PyPI: cookiecutter downloads it from GitHub
  (``gh:plone/cookiecutter-zope-instance``) whenever an instance is made, and
  the project's machines and CI reach only the package registries, so
  ``make run`` from a clean clone would fail there. Copying the template into
  this repository instead would mean keeping someone else's template in step
  by hand;
- cookiecutter would bring eight more packages (arrow, binaryornot, PyYAML,
  python-slugify, rich, ...) to pin in constraints.txt and versions.cfg, to
  write two files;
- scripts/cluster.py and scripts/bench.py call make_instance() for ZEO
  clients on other ports and for scratch instances; with the template each
  would write a YAML file and run cookiecutter in a subprocess.

This script needs only Zope's own ``mkwsgiinstance``, which the add-on's
dependencies install anyway.
"""

from pathlib import Path

import argparse
import re
import subprocess
import sys


HEAD = """\
%define INSTANCE {instance}
instancehome $INSTANCE
{imports}
<environment>
  CHAMELEON_CACHE $INSTANCE/var/cache
  zope_i18n_compile_mo_files true
  zope_i18n_allowed_languages es en
</environment>

<dos_protection>
  form-memory-limit 64MB
</dos_protection>

# A request whose commit conflicts with another instance's is run again: 10
# times rather than Zope's 3, so that a busy cluster answers instead of
# showing an error page (docs/operators.rst).
max-conflict-retries 10
"""

FILESTORAGE = """
<zodb_db main>
  cache-size {cache_size}
  <blobstorage>
    blob-dir $INSTANCE/var/blobstorage
    <filestorage>
      path $INSTANCE/var/filestorage/Data.fs
    </filestorage>
  </blobstorage>
  mount-point /
</zodb_db>
"""

ZEOCLIENT = """
<zodb_db main>
  cache-size {cache_size}
  <zeoclient>
    server {server}
    storage 1
    name zeostorage
    var $INSTANCE/var
    blob-dir $INSTANCE/var/blobcache
    shared-blob-dir off
    cache-size 128MB
  </zeoclient>
  mount-point /
</zodb_db>
"""


# History-free (packing keeps no old revisions to remove); blobs in the
# database with a cache per instance, as RelStorage recommends when the
# instances share no file system; "name" shows in the logs.
RELSTORAGE = """
<zodb_db main>
  cache-size {cache_size}
  <relstorage>
    name relstorage
    keep-history false
    blob-dir $INSTANCE/var/blobcache
    shared-blob-dir false
    blob-cache-size 512mb
    <postgresql>
      dsn {dsn}
    </postgresql>
  </relstorage>
  mount-point /
</zodb_db>
"""


# Objects each ZODB connection (one per thread) keeps in memory: the
# listings of the bench's site at 100,000 tickets fit in it
# (docs/operators.rst, "Memory").
CACHE_SIZE = 50000


def storage_section(zeo=None, relstorage=None, cache_size=CACHE_SIZE):
    """The ``%import`` lines and the ``<zodb_db>`` section of a zope.conf."""
    if relstorage:
        section = RELSTORAGE.format(dsn=relstorage, cache_size=cache_size)
        return "%import relstorage\n", section
    if zeo:
        return "%import ZEO\n", ZEOCLIENT.format(server=zeo, cache_size=cache_size)
    return "", FILESTORAGE.format(cache_size=cache_size)


def make_instance(
    instance="instance", port=8080, zeo=None, relstorage=None, cache_size=CACHE_SIZE
):
    instance = Path(instance).resolve()
    zope_conf = instance / "etc" / "zope.conf"
    if zope_conf.exists():
        print(f"Reusing the instance in {instance.name}/")
        return instance
    bindir = Path(sys.executable).parent
    subprocess.run(
        [str(bindir / "mkwsgiinstance"), "-d", str(instance), "-u", "admin:admin"],
        check=True,
    )
    for folder in ("filestorage", "blobstorage", "blobcache"):
        (instance / "var" / folder).mkdir(parents=True, exist_ok=True)
    imports, storage = storage_section(zeo, relstorage, cache_size)
    head = HEAD.format(instance=instance, imports=imports)
    zope_conf.write_text(head + storage, encoding="utf-8")
    zope_ini = instance / "etc" / "zope.ini"
    text = zope_ini.read_text(encoding="utf-8")
    zope_ini.write_text(
        re.sub(r"(?m)^port = \d+$", f"port = {port}", text), encoding="utf-8"
    )
    print(f"Created the instance in {instance.name}/ (port {port})")
    return instance


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance", nargs="?", default="instance")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--zeo", help="HOST:PORT of the ZEO server")
    parser.add_argument("--relstorage", help="libpq DSN of a PostgreSQL database")
    args = parser.parse_args(argv)
    make_instance(
        args.instance, port=args.port, zeo=args.zeo, relstorage=args.relstorage
    )


if __name__ == "__main__":
    main()
