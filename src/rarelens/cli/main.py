"""The `rarelens` command."""

from __future__ import annotations

import typer

from rarelens import __version__
from rarelens.cli import analyze, bench, benchmark, consult, diagnose, extract, freq, kb, lookup

app = typer.Typer(
    name="rarelens",
    help="RareLens: rare-disease diagnosis from phenotypes, with a traceable knowledge base.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(kb.app, name="kb")
app.add_typer(benchmark.app, name="benchmark")
app.add_typer(bench.app, name="bench")
app.add_typer(freq.app, name="freq")
app.command()(lookup.term)
app.command()(lookup.disease)
app.command()(lookup.explain)
app.command()(diagnose.diagnose)
app.command()(extract.extract)
app.command()(analyze.analyze)
app.command()(consult.consult)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rarelens {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """RareLens command-line interface."""


if __name__ == "__main__":
    app()
