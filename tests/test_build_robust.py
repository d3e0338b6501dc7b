"""`kg build` on bad input (#12): every file gets one line naming it and why, the build goes on,
the counts and the exit status say what happened, a stored report is never lost, and killing a
parallel build leaves no worker behind. Real files in tmp_path, the real CLI, an on-disk store."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import store
from kg.cli import main
from tests.conftest import CORPUS, ROOT

REPORTS = ROOT.parent / "shared" / "reports"
QUZHOU = CORPUS / "000_759fef2eaf5c0f7f.txt"  # 衢州市 2024
LISHUI = CORPUS / "002_733bae2f39fed286.txt"  # 丽水市 2024 (its title line is gone: inferred)
HUZHOU = CORPUS / "003_7c5903245687c230.txt"  # 湖州市 2024
SHORT = 4000  # characters kept of a real report: enough for city and years, fast to build


def short(path: Path, n: int = SHORT) -> str:
    return path.read_text(encoding="utf-8")[:n]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def made_up_reports(folder: Path, n: int, chars: int = 3000, first_year: int = 2001
                    ) -> list[tuple[Path, str, int]]:
    """``n`` report texts of ``n`` different cities (and years): the opening ``chars``
    characters of a real report (its title line names the city, province and year) with the
    city, province and years changed; (file, city, report year) each."""
    from kg import gazetteer

    gaz = gazetteer.default()
    cities = [c for c in gaz.cities() if c.name.endswith("市") and c.parent
              and not gaz.is_ambiguous(c.name[:-1])][:n]
    text = (CORPUS / "001_5e9ac6a1cf9e1153.txt").read_text(encoding="utf-8")[:chars]  # 衢州 2020
    out = []
    for k, city in enumerate(cities):
        year = first_year + k % 20
        body = text.replace("浙江省", gaz.by_code(city.parent).name).replace("衢州", city.name[:-1])
        body = re.sub(r"20(1\d|20)", lambda m, y=year: str(y - 2020 + int(m.group(0))), body)
        out.append((write(folder / f"{city.name}-{year}.txt", body), city.name, year))
    assert len(out) == n
    return out


def kg_build(*args: str | Path):
    result = CliRunner().invoke(main, ["build", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def lines_naming(output: str, path: Path) -> list[str]:
    """The lines about ``path``: its failure, its warning or its report."""
    return [line for line in output.splitlines()
            if line.startswith((f"failed: {path}:", f"skipped: {path}:", f"{path.name}  "))]


def graph_sizes(path: Path) -> dict[str, int]:
    st = store.open_store(path, read_only=True)
    rows = store.select(st, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {r["g"]: r["n"] for r in rows}


@pytest.fixture
def folder(tmp_path):
    """A good report, and beside it every kind of bad input."""
    d = tmp_path / "in"
    files = {
        "good": write(d / "a_good.txt", short(QUZHOU)),
        "copy": write(d / "b_copy.txt", short(QUZHOU)),
        "empty": write(d / "c_empty.txt", ""),
        "blank": write(d / "d_blank.txt", " \n\n \u3000\n"),
        "nocity": write(d / "f_nocity.txt", "今天天气很好，我们去公园散步。明天继续努力工作。\n" * 20),
    }
    files["binary"] = d / "e_binary.txt"
    files["binary"].write_bytes(bytes(range(256)) * 40)
    data = short(LISHUI).encode("utf-8")
    files["truncated"] = d / "g_truncated.txt"  # cut inside a character, as a broken download
    files["truncated"].write_bytes(data[: len(data) - 1])
    files["cut"] = write(d / "g_cut.txt", short(HUZHOU, 2500))  # cut between two characters
    files["other"] = write(d / "i_notes.doc", "not a format gov-kg reads")
    write(d / ".hidden" / "x.txt", "passed over")
    write(d / ".DS_Store", "passed over")
    files["huge"] = d / "h_huge.txt"  # 20 MB: a real report repeated
    body = QUZHOU.read_text(encoding="utf-8")
    files["huge"].write_text(body * (20 * 2**20 // len(body.encode("utf-8")) + 1), encoding="utf-8")
    return d, files


def test_each_bad_input_gets_one_line_and_the_build_goes_on(tmp_path, folder):
    d, files = folder
    started = time.monotonic()
    out = kg_build(d, "--store", tmp_path / "store")
    assert time.monotonic() - started < 30  # the 20 MB file is refused, not extracted
    for kind, path in files.items():
        assert len(lines_naming(out.output, path)) == 1, (kind, out.output)
    line = {kind: lines_naming(out.output, path)[0] for kind, path in files.items()}
    assert "衢州市 2024" in line["good"]
    assert line["copy"].startswith("skipped:") and f"same text as {files['good']}" in line["copy"]
    assert line["empty"].startswith("failed:") and "empty" in line["empty"]
    assert line["blank"].startswith("failed:")
    assert "empty" in line["blank"] or "no report text" in line["blank"]
    assert line["binary"].startswith("failed:")
    assert line["nocity"].startswith("skipped:") and "no recognisable city" in line["nocity"]
    assert "--city" in line["nocity"]
    assert line["huge"].startswith("failed:") and "over the limit of 250,000" in line["huge"]
    # a file cut inside its last character still reads (the reader drops the broken tail) or
    # fails with its reason; it never becomes an unknown city
    assert "丽水市 2024" in line["truncated"] or line["truncated"].startswith("failed:")
    assert line["other"].startswith("skipped:") and "not a report format" in line["other"]
    assert ".hidden" not in out.output and ".DS_Store" not in out.output
    assert "湖州市 2024" in line["cut"]  # a text cut short builds from what is there
    assert "未知城市" not in out.output
    built = 3 if "丽水市" in line["truncated"] else 2
    assert out.output.splitlines()[-1] == \
        f"{built} built, 0 unchanged, 3 skipped, {len(files) - built - 3} failed"
    assert out.exit_code == 1
    assert len(graph_sizes(tmp_path / "store")) == built + 1  # + the entities graph


def test_exit_status_strict_and_summary(tmp_path):
    d = tmp_path / "in"
    write(d / "a.txt", short(QUZHOU))
    out = kg_build(d, "--store", tmp_path / "store")
    assert out.exit_code == 0 and out.output.splitlines()[-1] == \
        "1 built, 0 unchanged, 0 skipped, 0 failed"
    write(d / "b.txt", short(QUZHOU))  # a duplicate: a warning
    out = kg_build(d, "--store", tmp_path / "store")
    assert out.exit_code == 0 and out.output.splitlines()[-1] == \
        "0 built, 1 unchanged, 1 skipped, 0 failed"
    strict = kg_build(d, "--store", tmp_path / "store", "--strict")
    assert strict.exit_code == 1 and "skipped: " in strict.output


def test_city_and_year_override_inference_for_one_file(tmp_path):
    nocity = write(tmp_path / "in" / "x.txt", "今天天气很好，我们去公园散步。明天继续努力工作。\n" * 20)
    st = tmp_path / "store"
    out = kg_build(nocity, "--store", st, "--city", "北京", "--year", "2024")
    assert out.exit_code == 0, out.output
    assert "x.txt  北京市 2024 (reviews 2023)" in out.output
    assert "https://w3id.org/gov-kg/id/report/110100-2024" in graph_sizes(st)
    again = kg_build(nocity, "--store", st, "--city", "北京市", "--year", "2024")
    assert again.output.splitlines()[-1].startswith("0 built, 1 unchanged")
    write(tmp_path / "in" / "y.txt", short(QUZHOU))
    folder = kg_build(tmp_path / "in", "--store", st, "--city", "北京")
    assert folder.exit_code == 1 and "give one file" in folder.output and "2 report files" in folder.output
    unknown = kg_build(nocity, "--store", st, "--city", "不存在市")
    assert unknown.exit_code == 1 and "--city 不存在市: no city" in unknown.output


def test_the_same_text_under_another_name_is_not_built_twice(tmp_path):
    st = tmp_path / "store"
    a = write(tmp_path / "one" / "a.txt", short(QUZHOU))
    kg_build(a, "--store", st)
    before = graph_sizes(st)
    b = write(tmp_path / "two" / "b.txt", short(QUZHOU))
    out = kg_build(b, "--store", st)
    assert out.exit_code == 0
    assert lines_naming(out.output, b) == [
        f"skipped: {b}: same text as a.txt, stored as "
        "<https://w3id.org/gov-kg/id/report/330800-2024>; not built twice"]
    assert graph_sizes(st) == before


def test_a_conflict_keeps_the_stored_report_unless_replace(tmp_path):
    st = tmp_path / "store"
    kg_build(write(tmp_path / "a.txt", short(QUZHOU)), "--store", st)
    before = graph_sizes(st)
    other = write(tmp_path / "b.txt", short(QUZHOU, 3000))  # another text, same city and year
    out = kg_build(other, "--store", st)
    assert out.exit_code == 1
    assert lines_naming(out.output, other) == [
        f"failed: {other}: conflict: claims 衢州市 2024, stored from a.txt (a different text), "
        "which is kept; --replace to replace it"]
    assert graph_sizes(st) == before
    out = kg_build(other, "--store", st, "--replace")
    assert out.exit_code == 0 and "replaced the stored 衢州市 2024 from a.txt" in out.output
    after = graph_sizes(st)
    report = "https://w3id.org/gov-kg/id/report/330800-2024"
    assert set(after) == set(before) and after[report] < before[report]
    # two texts of one city and year in one build: the first is built, the second fails
    third = write(tmp_path / "c.txt", short(QUZHOU, 3500))
    out = kg_build(tmp_path / "a.txt", third, "--store", st, "--replace")
    assert out.exit_code == 1 and f"as {tmp_path / 'a.txt'} (a different text) does in this build" \
        in out.output


def test_a_store_built_before_keeps_every_report(tmp_path, folder):
    st = tmp_path / "store"
    kg_build(write(tmp_path / "ok" / "q.txt", short(QUZHOU)),
             write(tmp_path / "ok" / "l.txt", short(LISHUI)), "--store", st)
    before = graph_sizes(st)
    assert len(before) == 3
    d, files = folder
    files["huge"].unlink()  # (tested above; keeps this test fast)
    write(d / "z_conflict.txt", short(QUZHOU, 3300))
    out = kg_build(d, "--store", st)
    assert out.exit_code == 1
    after = graph_sizes(st)
    assert all(after.get(g) == n for g, n in before.items() if not g.endswith("entities")), out.output


@pytest.mark.parametrize(("folder_name", "city", "year"), [
    ("北京市", "北京市", 2024), ("凉山彝族自治州", "凉山彝族自治州", 2025)])
def test_a_municipality_and_an_autonomous_prefecture_build(tmp_path, folder_name, city, year):
    source = REPORTS / folder_name / f"{year}.md"
    if not source.exists():
        pytest.skip(f"{source} not present")
    report = write(tmp_path / f"{folder_name}.md", short(source, 6000))  # front matter and all
    out = kg_build(report, "--store", tmp_path / "store")
    assert out.exit_code == 0, out.output
    assert f"{report.name}  {city} {year} (reviews {year - 1})" in out.output


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_killing_a_parallel_build_leaves_no_worker(tmp_path, sig):
    d = tmp_path / "in"
    for k in range(8):  # different texts: each is extracted (then all but one conflict)
        write(d / f"r{k}.txt", QUZHOU.read_text(encoding="utf-8") + f"\n附{k}。")
    kg = Path(sys.executable).parent / "kg"
    proc = subprocess.Popen([str(kg), "build", "-q", "-j", "2", str(d), "--store",
                             str(tmp_path / "store")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
            workers = _descendants(proc.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the build ended before its workers were seen"
        time.sleep(0.3)  # the workers are extracting
        workers = _descendants(proc.pid)
        os.kill(proc.pid, sig)
        proc.wait(timeout=20)
        deadline = time.monotonic() + 5
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)]
    finally:
        if proc.poll() is None:
            proc.kill()
