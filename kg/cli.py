"""The ``kg`` command: build, query, export, validate, stats, eval, analyze, serve.

Every command prints gov-kg's own errors (``KGError``) as one line naming the file, query or
store, and exits with status 1; nothing already stored is lost.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from kg.errors import KGError
from kg.store import DEFAULT_STORE

STORE_OPTION = click.option(
    "--store", "store_path", type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_STORE, show_default=True, help="Oxigraph store directory.",
)


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KGError as e:
            click.secho(f"error: {e}", fg="red", err=True)
            ctx.exit(1)
        except BrokenPipeError:  # the reader stopped (`kg export | head`): end quietly
            _quiet_stdout()
            ctx.exit(0)


def _quiet_stdout() -> None:
    """Point standard output at /dev/null, so that flushing it at exit cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


@click.group(cls=_Group)
@click.version_option(package_name="gov-kg")
def main() -> None:
    """gov-kg: a knowledge graph of Chinese city government work reports."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@STORE_OPTION
@click.option("--force", is_flag=True, help="Rebuild reports whose content is unchanged.")
@click.option("--replace", is_flag=True,
              help="A different text claiming a stored report's city and year replaces it "
                   "(otherwise a conflict: the stored report is kept and the file fails).")
@click.option("--city", metavar="NAME",
              help="The report's city, overriding inference (one file only).")
@click.option("--year", type=click.IntRange(1949, 2100), metavar="N",
              help="The report year, overriding inference; it reviews N-1 (one file only).")
@click.option("--strict", is_flag=True, help="Exit 1 on any warning (a skipped file) too.")
@click.option("--max-chars", type=click.IntRange(1), default=None, metavar="N",
              help="Refuse texts longer than N characters  [default: 250,000].")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes for extraction (the store is written by one process).")
@click.option("--quiet", "-q", is_flag=True,
              help="No progress bar and no line per report (failures and the counts still).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Extract on a Dask cluster: its scheduler (tcp://HOST:8786), or `local` for "
                   "a LocalCluster of --jobs workers (default: one per core). The store is "
                   "still written by this process.")
@click.option("--target", metavar="URL",
              help="Send every graph to this SPARQL 1.1 Graph Store endpoint (PUT "
                   "URL?graph=<IRI>) instead of a local store; built in memory first, or in "
                   "--store DIR when that is given.")
@click.option("--token", envvar="KG_TARGET_TOKEN", metavar="T",
              help="Bearer token for --target's writes (or KG_TARGET_TOKEN).")
@click.pass_context
def build(ctx: click.Context, paths: tuple[Path, ...], store_path: Path, force: bool,
          replace: bool, city: str | None, year: int | None, strict: bool,
          max_chars: int | None, jobs: int, quiet: bool, dask_address: str | None,
          target: str | None, token: str | None) -> None:
    """Build the graph from report files or folders (default: corpus/).

    Every file ends built, unchanged, skipped (the same text as another file, no recognisable
    city or year) or failed (empty, unreadable, too long, a conflict), with one line naming it
    and why, then the counts. Exit status 1 when a file failed (with --strict, also
    when one was skipped); a failing file never changes the store.
    """
    from contextlib import AbstractContextManager, nullcontext

    from click.core import ParameterSource

    from kg.api import Graph
    from kg.outcomes import MAX_CHARS, summary_lines

    if token and not target:
        raise click.UsageError("--token is for --target's endpoint; give --target URL too")
    given = {name for name in ("store_path", "jobs")
             if ctx.get_parameter_source(name) != ParameterSource.DEFAULT}
    staging = store_path if target is None or "store_path" in given else None
    if target is not None:
        from kg import remote

        remote.check(target, token)  # before any extraction: a bad URL or token fails now
    cluster: AbstractContextManager[Any] = nullcontext()
    if dask_address is not None:
        from kg import distributed  # imports Dask: only for --dask

        cluster = distributed.cluster(dask_address,
                                      workers=jobs if "jobs" in given else None)
    graph = Graph(staging)  # in memory for a --target without --store
    options: dict[str, Any] = dict(force=force, replace=replace,
                                   progress=not quiet and sys.stderr.isatty(),
                                   jobs=jobs, city=city, year=year,
                                   max_chars=max_chars or MAX_CHARS)
    with cluster as mapper:
        if mapper is None:
            results = graph.build(*paths, **options)
        else:  # Graph.build with extraction on the cluster
            from kg import pipeline

            results = pipeline.build(list(paths) or [Path("corpus")], graph.path or graph.store,
                                     mapper=mapper, **options)
    lines = summary_lines(results)
    for r, line in zip(results, lines, strict=False):
        if r.status == "error":
            click.secho(line, fg="red", err=True)
        elif r.status == "skipped":
            click.secho(line, fg="yellow", err=True)
        elif not quiet:
            click.echo(line)
    click.echo(lines[-1], err=quiet)
    if target is not None:
        sent = graph.read(lambda store: remote.send(store, target, token))
        click.echo(f"sent {sent.graphs} graphs ({sent.triples:,} triples, "
                   f"{sent.bytes / 2**20:,.1f} MB) to {target} in {sent.seconds:.1f} s",
                   err=quiet)
    if any(r.status == "error" for r in results) or \
            strict and any(r.status == "skipped" for r in results):
        sys.exit(1)


def _emit_table(columns: list[str], rows: list[dict], fmt: str) -> str:
    def cell(v) -> str:
        return "" if v is None else str(v)

    if fmt == "json":
        return json.dumps([{c: (cell(r[c]) if not isinstance(r[c], int | float | bool) or r[c] is None
                                else r[c]) for c in columns} for r in rows],
                          ensure_ascii=False, indent=2, default=str)
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        w = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([cell(r[c]) for c in columns])
        return buf.getvalue().rstrip("\n")
    from tabulate import tabulate  # aligns CJK text by display width (through wcwidth)

    return tabulate([[cell(r[c]) for c in columns] for r in rows], headers=columns,
                    tablefmt="simple", disable_numparse=True)


@main.command()
@click.argument("sparql", required=False)
@click.option("--file", "-f", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the query from a .rq file.")
@click.option("--name", "-n", help="Run a named query from queries/ (see `kg query --list`).")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="A named query's parameter (repeatable).")
@click.option("--list", "list_", is_flag=True, help="List the named queries.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]),
              default="table", show_default=True)
@STORE_OPTION
def query(sparql, file, name, params, list_, fmt, store_path) -> None:
    """Run a SPARQL query (text, --file or --name) over the graph."""
    from kg.api import Graph, named_queries

    if list_:
        for q in named_queries().values():
            ps = ", ".join(f"{p.name}{'' if p.required else '?'}" for p in q.params)
            click.echo(f"{q.name}({ps}): {q.description}")
        return
    if sum(x is not None for x in (sparql, file, name)) != 1:
        raise click.UsageError("give exactly one of QUERY, --file or --name")
    values = {}
    for p in params:
        if "=" not in p:
            raise click.UsageError(f"--param {p!r}: expected KEY=VALUE")
        k, v = p.split("=", 1)
        values[k.strip()] = v
    if values and not name:
        raise click.UsageError("--param goes with --name")
    graph = Graph(store_path)
    if name:
        table = graph.run(name, **values)
    elif file:
        table = graph.query(file.read_text(encoding="utf-8"), name=str(file))
    else:
        table = graph.query(sparql)
    click.echo(_emit_table(list(table.columns), list(table.rows), fmt))


@main.command()
@click.option("--format", "fmt", default="turtle", show_default=True,
              help="turtle, trig, nquads, ntriples, jsonld or rdfxml.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write to this file (with --split: this folder) instead of standard output.")
@click.option("--split", type=click.Choice(["report"]),  # kg.export.SPLITS (a heavy import)
              help="One file per report, the entities file and void.ttl, in the -o folder.")
@click.option("--graphs/--union", default=None,
              help="Keep one named graph per report, or write their union  [default: graphs "
                   "for trig and nquads, the union for the others].")
@STORE_OPTION
def export(fmt: str, output: Path | None, split: str | None, graphs: bool | None,
           store_path: Path) -> None:
    """Export the graph (Turtle, TriG, N-Quads, …) with readable prefixes.

    With --split report -o DIR: one Turtle file per report (衢州市-2024.ttl), one per derived
    graph (entities.ttl, targets.ttl) and void.ttl describing them, each loading on its own.
    """
    from kg.api import Graph
    from kg.export import export_format, keeps_graphs

    f = export_format(fmt)
    if split:
        if output is None:
            raise click.UsageError("--split writes files: give the folder with -o DIR")
        if graphs is not None:
            raise click.UsageError("--split writes each graph's triples: no --graphs/--union")
        if output.exists() and not output.is_dir():
            raise click.UsageError(f"-o {output}: not a folder (--split writes one file per "
                                   "report into a folder)")
        parts = Graph(store_path).export_split(output, fmt)
        click.echo(f"wrote {len(parts)} files ({sum(p.triples for p in parts)} triples) and "
                   f"void.ttl to {output}", err=True)
        return
    if output is not None and output.is_dir():
        raise click.UsageError(f"-o {output} is a folder: give a file, or --split report")
    unit = "quads" if keeps_graphs(f, graphs) else "triples"
    graph = Graph(store_path)
    if output:
        n = graph.export(output, fmt, graphs=graphs)
        click.echo(f"wrote {n} {unit} to {output}", err=True)
    else:
        graph.export(sys.stdout.buffer, fmt, graphs=graphs)


@main.command()
@STORE_OPTION
@click.option("--shapes", type=click.Path(exists=True, path_type=Path), default=None,
              help="SHACL shapes file (default: ontology/shapes.ttl).")
def validate(store_path: Path, shapes: Path | None) -> None:
    """Check the graph against the SHACL shapes; exit 1 on violations."""
    from kg import store
    from kg import validate as validator

    st = store.open_store(store_path, read_only=True)
    report = validator.validate(st, shapes)
    click.echo(report.text)
    sys.exit(0 if report.conforms else 1)


@main.command()
@STORE_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def stats(store_path: Path, fmt: str) -> None:
    """Counts: reports, quads, distinct triples, instances and quads per class."""
    from kg.api import Graph

    counts = Graph(store_path).stats()
    if fmt == "json":
        click.echo(json.dumps(counts, ensure_ascii=False, indent=2))
    else:
        rows = [{"what": k, "count": v} for k, v in counts.items()]
        click.echo(_emit_table(["what", "count"], rows, "table"))


@main.command("eval")
@click.option("--gold", "gold_dir", required=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of gold annotation files (*.json).")
@STORE_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="json: every score, attribute and error.")
@click.option("--by", type=click.Choice(["report", "province"]), default="report",
              show_default=True, help="One block of scores per report or per province.")
@click.option("--errors", "show_errors", is_flag=True,
              help="List misses (with the gold quote) and false finds (with their sentence).")
@click.option("--class", "classes", multiple=True,
              type=click.Choice(["city_year", "indicators", "projects", "policies",
                                 "industry_chains", "counties"]),
              help="Only these classes (repeatable).")
@click.option("--cv", is_flag=True,
              help="Leave one report out: score each gold report by a tagger trained on the "
                   "others (ignores --store).")
@click.option("--texts", "texts_dir", type=click.Path(exists=True, file_okay=False,
                                                      path_type=Path),
              help="With --cv: the reports' texts, named by each gold file's seed "
                   "[default: GOLD/texts].")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(min=1),
              help="With --cv: folds run in this many processes (same results).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def eval_(gold_dir: Path, store_path: Path, fmt: str, by: str, show_errors: bool,
          classes: tuple[str, ...], cv: bool, texts_dir: Path | None, jobs: int,
          quiet: bool) -> None:
    """Precision, recall and F1 of the built graph against hand annotations.

    Per report and class, micro and macro averages, accuracy of attributes on matched items
    (indicator kind and measure, project type, policy level); --cv scores the learned tagger
    on reports it was not trained on.
    """
    from kg import evaluate, store

    if not cv and (texts_dir is not None or jobs > 1):
        raise click.UsageError("--texts and --jobs go with --cv")
    if cv:
        result = evaluate.cross_validate(gold_dir, texts_dir, jobs=jobs, progress=not quiet)
    else:
        result = evaluate.evaluate(gold_dir, store.open_store(store_path, read_only=True))
    if classes:
        result = evaluate.only_classes(result, classes)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    elif show_errors:
        click.echo(evaluate.format_errors(result))
    else:
        click.echo(evaluate.format_table(result, by=by))


@main.command()
@click.option("--gold", "gold_dir", required=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of annotated reports (*.json).")
@click.option("--texts", "texts_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Their texts, named by each file's seed (default: GOLD/texts).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the model (default: the packaged model).")
def train(gold_dir: Path, texts_dir: Path | None, out: Path | None) -> None:
    """Train the tagger and its project typer on annotated reports (deterministic: same data,
    same model bytes); the typer is written beside the model (``*.types.json``)."""
    import hashlib

    from kg import train as training
    from kg.extract.project_typer import beside
    from kg.extract.tagger import MODEL_PATH

    path = training.train(gold_dir, texts_dir, out or MODEL_PATH)
    for written in (path, beside(path)):
        if written.is_file():
            data = written.read_bytes()
            click.echo(f"{written}  {len(data):,} bytes  "
                       f"sha256 {hashlib.sha256(data).hexdigest()[:16]}")


@main.command()
@STORE_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output/analysis"), show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def analyze(store_path: Path, out_dir: Path, quiet: bool) -> None:
    """Recurrence across cities, city similarity, centrality, Gephi files and charts."""
    from kg import analyses, store

    st = store.open_store(store_path, read_only=True)
    written = analyses.analyze(st, out_dir, progress=not quiet)
    for what, path in written.items():
        click.echo(f"{what:>20}  {path}")


@main.command()
@STORE_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int,
              help="WSGI worker processes.")
@click.option("--server", type=click.Choice(["granian", "gunicorn"]), default="granian",
              show_default=True, help="Production WSGI server to run the app in.")
@click.option("--timeout", default=10.0, show_default=True, type=float,
              help="Seconds a SPARQL query may run before it is stopped (503).")
@click.option("--max-rows", default=10000, show_default=True, type=int,
              help="Most result rows returned; the response says when it is reached.")
@click.option("--update-token", envvar="KG_UPDATE_TOKEN", default=None,
              help="Allow SPARQL Update / Graph Store writes bearing this token "
                   "(env KG_UPDATE_TOKEN). Without it the endpoint is read-only.")
@click.option("--allow-service", "allow_service", multiple=True, envvar="KG_ALLOW_SERVICE",
              metavar="HOST", help="Let SPARQL SERVICE and LOAD call this host (repeatable; env "
                                   "KG_ALLOW_SERVICE, comma-separated). Without it the server "
                                   "makes no outbound requests.")
@click.option("--worker-memory", default=1024, show_default=True, type=click.IntRange(min=0),
              metavar="MB", help="Resident memory a query process may use; a query past it is "
                                 "stopped (503) and the process replaced (0: no cap).")
@click.option("--access-log", default="-", show_default=True, metavar="FILE",
              help="Append one line per request to FILE ('-': standard error, 'off': none).")
@click.option("--error-log", default="-", show_default=True, metavar="FILE",
              help="Append one line per failed request, with its query, to FILE ('-': "
                   "standard error, 'off': none).")
def serve(store_path: Path, host: str, port: int, workers: int, server: str, timeout: float,
          max_rows: int, update_token: str | None, allow_service: tuple[str, ...],
          worker_memory: int, access_log: str, error_log: str) -> None:
    """Serve the SPARQL endpoint and the named queries over HTTP."""
    from kg import web
    from kg.web.outbound import allowed_hosts

    try:
        hosts = allowed_hosts(allow_service)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--allow-service") from None
    web.serve(store_path, host=host, port=port, workers=workers, timeout=timeout,
              max_rows=max_rows, update_token=update_token, allow_service=hosts,
              server=server, worker_memory_mb=worker_memory,
              access_log=None if access_log == "off" else access_log,
              error_log=None if error_log == "off" else error_log)


if __name__ == "__main__":  # pragma: no cover
    main()
