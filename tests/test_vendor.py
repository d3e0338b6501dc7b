"""The vendored assets: each pinned package is listed in VENDORED.md with its files and
licence, and a tarball that does not match the registry's integrity is refused."""

from __future__ import annotations

import base64
import hashlib

import pytest

from kg.web.vendor import PACKAGES, VENDOR, licence_name, verified


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_each_package_is_vendored_with_its_licence(package):
    listed = (VENDOR / "VENDORED.md").read_text(encoding="utf-8")
    assert f"| `{package.name}` | {package.version} |" in listed
    for name in package.files.values():
        assert (VENDOR / name).stat().st_size > 10_000 and f"`{name}`" in listed
    assert "Permission is hereby granted" in (VENDOR / "licenses" /
                                               licence_name(package.name)).read_text()


def test_a_tarball_must_match_the_registry_integrity():
    data = b"package tarball"
    good = {"integrity": "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()}
    assert verified(data, good, PACKAGES[0]) == data
    assert verified(data, {"shasum": hashlib.sha1(data).hexdigest()}, PACKAGES[0]) == data
    with pytest.raises(ValueError, match="does not match"):
        verified(data + b"!", good, PACKAGES[0])
