"""`rarelens benchmark …`: the commands whose figures go into docs/benchmarks.md."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import typer

from rarelens import __version__
from rarelens.cli.common import KbOption, console, fail, print_json
from rarelens.config import resolve_kb_path
from rarelens.kb.build import build_knowledge_base
from rarelens.sources.bundle import load_source_bundle
from rarelens.sources.errors import MissingSourceError, SourceFormatError
from rarelens.sources.registry import resolve_data_dir
from rarelens.store import write_knowledge_base

app = typer.Typer(help="Measure speed and accuracy; figures for docs/benchmarks.md.", no_args_is_help=True)

_LOAD = (
    "import time, sys; t = time.perf_counter(); "
    "from pathlib import Path; from rarelens.store import load_knowledge_base; "
    "kb = load_knowledge_base(Path(sys.argv[1])); "
    "print(time.perf_counter() - t)"
)


@app.command("kb")
def kb_bench(
    kb: Path | None = KbOption,
    repeat: int = typer.Option(7, "--repeat", help="Cold loads to run, each in a new process."),
    build: bool = typer.Option(False, "--build", help="Also time `kb build` from the data folder (into a temporary file)."),
    data_dir: Path | None = typer.Option(None, "--data-dir"),
    as_json: bool = typer.Option(False, "--json", help="Last stdout line is one JSON object."),
) -> None:
    """Cold-load time of the knowledge base in new processes (median), optionally build time."""
    kb_path = resolve_kb_path(kb)
    if not kb_path.exists():
        fail(f"no knowledge base at {kb_path}. Fix: run `rarelens kb build`")
    walls, inner = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", _LOAD, str(kb_path)], capture_output=True, text=True, check=False)
        walls.append(time.perf_counter() - start)
        if out.returncode != 0:
            fail(f"load failed: {out.stderr.strip().splitlines()[-1] if out.stderr else out.returncode}")
        inner.append(float(out.stdout.strip()))
    result: dict[str, object] = {
        "kb": str(kb_path),
        "software_version": __version__,
        "repeat": repeat,
        "cold_load_process_wall_median_s": round(statistics.median(walls), 3),
        "cold_load_in_process_median_s": round(statistics.median(inner), 3),
        "cold_load_process_wall_all_s": [round(x, 3) for x in walls],
    }
    if build:
        folder, _ = resolve_data_dir(data_dir)
        start = time.perf_counter()
        try:
            bundle = load_source_bundle(folder)
            kbase = build_knowledge_base(bundle, software_version=__version__)
        except (MissingSourceError, SourceFormatError) as exc:
            fail(str(exc))
        with tempfile.TemporaryDirectory() as tmp:
            write_knowledge_base(kbase, Path(tmp) / "kb.sqlite")
        result["build_s"] = round(time.perf_counter() - start, 2)
        result["kb_version"] = kbase.version
    if not as_json:
        console.print(
            f"cold load (new process, wall) median {result['cold_load_process_wall_median_s']} s; "
            f"load call alone median {result['cold_load_in_process_median_s']} s over {repeat} runs"
            + (f"; build {result['build_s']} s" if build else "")
        )
    print_json(result)
