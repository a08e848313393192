"""Write versions.cfg, buildout's [versions], from constraints.txt.

constraints.txt stays the one place where versions are chosen, so pip users
(`make run`) and buildout users run the same releases. Buildout needs a few
more pins for its own tools; they live in BUILDOUT_ONLY below because pip
users never install them.

    python scripts/make_versions.py          # (re)write versions.cfg
    python scripts/make_versions.py --check  # exit 1 if versions.cfg is stale
"""

from pathlib import Path

import argparse
import difflib
import re
import sys


ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints.txt"
VERSIONS = ROOT / "versions.cfg"

# Buildout itself, the recipe and what only they pull in (platformdirs comes with
# zc.buildout). With allow-picked-versions = false a missing pin stops buildout.
BUILDOUT_ONLY = {
    "platformdirs": "4.14.7",
    "plone.recipe.zope2instance": "9.1.0",
    "python-dotenv": "1.2.4",
    "zc.buildout": "6.0.1",
    "zc.recipe.egg": "6.0.0",
}

HEADER = """\
# Generated from constraints.txt by `make versions` (scripts/make_versions.py).
# Do not edit: change constraints.txt, or BUILDOUT_ONLY in the script, then run
# `make versions`.
"""

# Enough to see what changed without burying the message.
DIFF_LINES = 40

PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*(?P<version>[^\s;#]+)$")


def normalize(name):
    """PEP 503 name, so `Zope` and `zope` or `zc_buildout` and `zc.buildout` clash."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_constraints(path):
    pins = {}
    errors = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        match = PIN.match(line)
        if match is None:
            # Markers, ranges and -r/-c lines have no [versions] equivalent;
            # dropping them silently would leave buildout unpinned.
            errors.append(
                f"{path.name}:{number}: {raw.strip()!r} is not a plain "
                "'name==version' pin, which is all versions.cfg can express"
            )
            continue
        name, version = match["name"], match["version"]
        key = normalize(name)
        if key in pins:
            errors.append(
                f"{path.name}:{number}: {name} is pinned twice "
                f"({pins[key][0]}=={pins[key][1]} and {name}=={version})"
            )
            continue
        pins[key] = (name, version)
    return pins, errors


def buildout_only_pins(constrained):
    pins = {}
    errors = []
    for name, version in BUILDOUT_ONLY.items():
        key = normalize(name)
        if key in constrained:
            pinned_name, pinned_version = constrained[key]
            if pinned_version != version:
                errors.append(
                    f"{name} is {pinned_version} in constraints.txt but {version} in "
                    "BUILDOUT_ONLY; constraints.txt wins for pip users, so drop it "
                    "from BUILDOUT_ONLY in scripts/make_versions.py"
                )
            continue
        pins[key] = (name, version)
    return pins, errors


def section(pins):
    return "".join(
        f"{name} = {version}\n"
        for name, version in sorted(pins.values(), key=lambda pin: pin[0].lower())
    )


def render(constrained, extra):
    text = HEADER + "\n[versions]\n" + section(constrained)
    if extra:
        text += (
            "\n# Buildout and its recipes only (BUILDOUT_ONLY in scripts/make_versions.py).\n"
            + section(extra)
        )
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if versions.cfg differs from what constraints.txt gives",
    )
    args = parser.parse_args(argv)

    constrained, errors = read_constraints(CONSTRAINTS)
    extra, extra_errors = buildout_only_pins(constrained)
    errors += extra_errors
    if errors:
        for error in errors:
            print(f"make_versions: {error}", file=sys.stderr)
        return 2

    wanted = render(constrained, extra)

    if args.check:
        if not VERSIONS.exists():
            print("versions.cfg is missing: run `make versions`.", file=sys.stderr)
            return 1
        current = VERSIONS.read_text(encoding="utf-8")
        if current == wanted:
            print("versions.cfg is up to date with constraints.txt")
            return 0
        print(
            "versions.cfg is out of date with constraints.txt: run `make versions` "
            "and commit the result. Differences:",
            file=sys.stderr,
        )
        diff = list(
            difflib.unified_diff(
                current.splitlines(keepends=True),
                wanted.splitlines(keepends=True),
                "versions.cfg",
                "versions.cfg from constraints.txt",
                n=0,
            )
        )
        sys.stderr.writelines(diff[:DIFF_LINES])
        if len(diff) > DIFF_LINES:
            print(f"... and {len(diff) - DIFF_LINES} more lines", file=sys.stderr)
        return 1

    VERSIONS.write_text(wanted, encoding="utf-8")
    print(
        f"wrote versions.cfg: {len(constrained)} pins from constraints.txt, {len(extra)} for buildout"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
