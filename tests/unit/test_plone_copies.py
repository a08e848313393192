"""The add-on's copies of Plone files follow the installed Plone.

Where Plone offers no extension point the add-on carries a copy of Plone's
file with its change in it. Each copy is recorded here with the sha256 of the
original it follows; when an upgrade of Plone changes the original, the test
names the copy to review.
"""

from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

import hashlib
import pytest


ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "collective" / "tickets"

# (the copy, the distribution and package of the original, the original's
# file name, the sha256 of the original the copy follows)
COPIES = [
    (
        "browser/templates/usermanagement/account-configlet.pt",
        "plone.app.users",
        "plone.app.users.browser",
        "account-configlet.pt",
        "1f5a14ca24965b180c08ccb61d4058c18e6237419195ab1cc39c72daf2c81ada",
    ),
    (
        "browser/templates/usermanagement/usergroups_usermembership.pt",
        "Products.CMFPlone",
        "Products.CMFPlone.controlpanel.browser",
        "usergroups_usermembership.pt",
        "4b12a72278ac23718b7a4af14830ad0c77b3552842848f9c1567444651377162",
    ),
]


def original_path(package, name):
    return f"{package.replace('.', '/')}/{name}"


@pytest.mark.parametrize(
    "copy, distribution, package, name, sha256",
    COPIES,
    ids=[copy for copy, *_ in COPIES],
)
def test_copy_follows_the_installed_original(copy, distribution, package, name, sha256):
    installed = hashlib.sha256(files(package).joinpath(name).read_bytes())
    assert installed.hexdigest() == sha256, (
        f"{original_path(package, name)} changed in the installed "
        f"{distribution} {version(distribution)}: review the copy "
        f"src/collective/tickets/{copy} against it, carry the change over, "
        f"then record the new sha256 {installed.hexdigest()} in "
        f"{Path(__file__).resolve().relative_to(ROOT)}."
    )


@pytest.mark.parametrize(
    "copy, distribution, package, name, sha256",
    COPIES,
    ids=[copy for copy, *_ in COPIES],
)
def test_copy_names_its_original_at_its_top(copy, distribution, package, name, sha256):
    top = (PACKAGE / copy).read_text().split("-->", 1)[0]
    assert top.startswith("<!--!"), (
        f"{copy} must start with a <!--! comment naming the Plone file it copies."
    )
    assert original_path(package, name) in " ".join(top.split()), (
        f"The comment at the top of {copy} does not name the file it copies, "
        f"{original_path(package, name)}."
    )
