"""Re-fetch the pages' vendored JavaScript and CSS from the npm registry at pinned versions.

``python -m kg.web.vendor`` downloads each package's tarball for the pinned version with ``npm
pack`` (npm's configured registry), checks it against the registry metadata's ``integrity``
(SHA-512, else the SHA-1 ``shasum``; from ``npm view``), and rewrites ``kg/web/static/vendor/``: the prebuilt UMD files, each package's
licence text under ``licenses/`` and the list ``VENDORED.md``. Nothing runs it at build or
serve time: the files are committed, so the pages work offline. To move a version, change
``PACKAGES`` and run it again.

>>> [p.name for p in PACKAGES][:2]
['cytoscape', 'layout-base']
>>> licence_name("@zazuko/yasgui")
'zazuko-yasgui.txt'
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "static" / "vendor"


@dataclass(frozen=True)
class Package:
    """One npm package: ``files`` maps a path in its tarball to the vendored file name."""

    name: str
    version: str
    files: dict[str, str]
    licence: str | None  # path of the licence text in the tarball; None: kept as committed
    note: str = ""


PACKAGES = (
    Package("cytoscape", "3.35.0", {"dist/cytoscape.min.js": "cytoscape.min.js"}, "LICENSE"),
    Package("layout-base", "2.0.1", {"layout-base.js": "layout-base.js"}, "LICENSE",
            "needed by cose-base"),
    Package("cose-base", "2.2.0", {"cose-base.js": "cose-base.js"}, "LICENSE",
            "needed by cytoscape-fcose"),
    Package("cytoscape-fcose", "2.2.0", {"cytoscape-fcose.js": "cytoscape-fcose.js"},
            "LICENSE", "load after layout-base.js and cose-base.js"),
    Package("@zazuko/yasgui", "4.6.2", {"build/yasgui.min.js": "yasgui.min.js",
                                        "build/yasgui.min.css": "yasgui.min.css"}, None,
            "bundles @zazuko/yasqe, @zazuko/yasr, CodeMirror 5 and their dependencies; the "
            "tarball has no licence file: the text is the MIT licence of its repository, "
            "github.com/rdfjs/Yasgui"),
    Package("chart.js", "4.6.1", {"dist/chart.umd.min.js": "chart.umd.min.js"}, "LICENSE.md",
            "bundles @kurkle/color (MIT)"),
)


def licence_name(package: str) -> str:
    return package.lstrip("@").replace("/", "-") + ".txt"


def _npm(*args: str, cwd: str | None = None) -> object:
    out = subprocess.run(["npm", *args, "--json"], check=True, capture_output=True,
                         text=True, cwd=cwd).stdout
    return json.loads(out)


def metadata(package: Package) -> dict:
    """The registry's ``dist`` and ``license`` of the pinned version."""
    meta = _npm("view", f"{package.name}@{package.version}", "dist", "license")
    assert isinstance(meta, dict), meta
    return meta


def verified(data: bytes, dist: dict, package: Package) -> bytes:
    """``data`` if it matches the registry's integrity (or shasum); else a ValueError."""
    if dist.get("integrity", "").startswith("sha512-"):
        expected = base64.b64decode(dist["integrity"].removeprefix("sha512-"))
        ok = hashlib.sha512(data).digest() == expected
    else:
        ok = hashlib.sha1(data).hexdigest() == dist["shasum"]
    if not ok:
        raise ValueError(f"{package.name}@{package.version}: the tarball does not match the "
                         "registry's integrity: not written")
    return data


def fetch(package: Package) -> tuple[dict, dict[str, bytes]]:
    """The version's metadata and the wanted members of its verified tarball (``package/…``)."""
    meta = metadata(package)
    with tempfile.TemporaryDirectory() as tmp:
        packed = _npm("pack", f"{package.name}@{package.version}", cwd=tmp)
        assert isinstance(packed, list), packed
        data = verified((Path(tmp) / packed[0]["filename"]).read_bytes(), meta["dist"], package)
    wanted = [*package.files, *([package.licence] if package.licence else [])]
    members: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for path in wanted:
            member = tar.extractfile(f"package/{path}")
            if member is None:
                raise ValueError(f"{package.name}@{package.version} has no {path}")
            members[path] = member.read()
    return meta, members


def vendor(dest: Path = VENDOR) -> None:
    """Rewrite ``dest`` with every package of ``PACKAGES`` and its ``VENDORED.md``."""
    (dest / "licenses").mkdir(parents=True, exist_ok=True)
    rows = []
    for package in PACKAGES:
        meta, members = fetch(package)
        for path, name in package.files.items():
            (dest / name).write_bytes(members[path])
        licence = dest / "licenses" / licence_name(package.name)
        if package.licence:
            licence.write_bytes(members[package.licence])
        elif not licence.exists():
            raise ValueError(f"{package.name}: no licence in the tarball and none in {licence}")
        files = ", ".join(f"`{n}` ({(dest / n).stat().st_size:,} B)"
                          for n in package.files.values())
        rows.append(f"| `{package.name}` | {package.version} | {files} | "
                    f"{meta.get('license', '?')} (`licenses/{licence.name}`) | "
                    f"`{meta['dist'].get('integrity') or meta['dist']['shasum']}` | "
                    f"{package.note} |")
        print(f"{package.name}@{package.version}: {', '.join(package.files.values())}")
    (dest / "VENDORED.md").write_text(
        "# Vendored browser assets\n\n"
        "Prebuilt files from the npm registry, byte for byte, at pinned versions; the pages load "
        "them from `/static/vendor/`, so nothing is fetched from another host. Rewritten by "
        "`python -m kg.web.vendor` (kg/web/vendor.py), which checks each tarball against the "
        "registry's integrity hash; never run at build or serve time.\n\n"
        "| package | version | files | licence | tarball integrity | note |\n"
        "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kg.web.vendor", description=__doc__
                                     .split("\n\n")[0])
    parser.add_argument("--dest", type=Path, default=VENDOR, help=f"default: {VENDOR}")
    vendor(parser.parse_args(argv).dest)


if __name__ == "__main__":
    main()
