"""Create the Zope instance of ``make run`` in ``instance/`` unless it exists.

WSGI (waitress) on 127.0.0.1:8080, FileStorage with a blob storage, Zope
admin ``admin``/``admin``. An existing instance is left as it is, so running
this again never touches the data.
"""

from pathlib import Path

import subprocess
import sys


ZOPE_CONF = """\
%define INSTANCE {instance}
instancehome $INSTANCE

<environment>
  CHAMELEON_CACHE $INSTANCE/var/cache
  zope_i18n_compile_mo_files true
  zope_i18n_allowed_languages es en
</environment>

<zodb_db main>
  cache-size 50000
  <blobstorage>
    blob-dir $INSTANCE/var/blobstorage
    <filestorage>
      path $INSTANCE/var/filestorage/Data.fs
    </filestorage>
  </blobstorage>
  mount-point /
</zodb_db>

<dos_protection>
  form-memory-limit 64MB
</dos_protection>
"""


def main(instance="instance"):
    instance = Path(instance).resolve()
    zope_conf = instance / "etc" / "zope.conf"
    if zope_conf.exists():
        print(f"Reusing the instance in {instance.name}/")
        return
    bindir = Path(sys.executable).parent
    subprocess.run(
        [str(bindir / "mkwsgiinstance"), "-d", str(instance), "-u", "admin:admin"],
        check=True,
    )
    (instance / "var" / "filestorage").mkdir(parents=True, exist_ok=True)
    (instance / "var" / "blobstorage").mkdir(parents=True, exist_ok=True)
    zope_conf.write_text(ZOPE_CONF.format(instance=instance), encoding="utf-8")
    print(f"Created the instance in {instance.name}/")


if __name__ == "__main__":
    main(*sys.argv[1:])
