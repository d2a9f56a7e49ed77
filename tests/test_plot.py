"""Pictures: each function returns a Figure; the CLI writes real PNG and SVG
files of a sensible size; without matplotlib the command says how to get it."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_cli import make_log

import unledger
from unledger import Ledger, UnknownEntity
from unledger import plot as uplot
from unledger.cli import cli


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return make_log(tmp_path / "demo.jsonl")


def test_growth_png(log: Path, tmp_path: Path) -> None:
    out = tmp_path / "growth.png"
    result = CliRunner().invoke(cli, ["--log", str(log), "plot", "growth", "UN", "--to", "2000", "-o", str(out)])
    assert result.exit_code == 0, result.output
    width, height = png_size(out)
    assert 800 <= width <= 3000 and 400 <= height <= 2000
    assert out.stat().st_size > 10_000


def test_growth_figure_steps_follow_the_counts(log: Path) -> None:
    ledger = Ledger.open(log)
    fig = uplot.growth(ledger, "UN", "1945", "2000")
    ax = fig.axes[0]
    ys = list(ax.lines[0].get_ydata())
    # The step line passes through every count the ledger gives.
    assert ys[-1] == ledger.state("2000").count("UN") == 8
    assert 5 in ys and 7 in ys
    assert ax.get_title(loc="left") == "Members of UN (United Nations)"


def test_waves_are_runs_of_big_years() -> None:
    import datetime as dt

    day = lambda text: dt.date.fromisoformat(text).toordinal()  # noqa: E731
    steps = [day("1945-10-24"), day("1955-12-14"), day("1960-09-20"), day("1961-05-01"), day("1980-01-01")]
    counts = [50, 66, 80, 84, 85]
    waves = uplot._waves(steps, counts, 5)
    assert [(w[0], w[1], w[2]) for w in waves] == [(1955, 1955, 16), (1960, 1961, 18)]


def test_timeline_svg_and_png(log: Path, tmp_path: Path) -> None:
    svg = tmp_path / "aze.svg"
    result = CliRunner().invoke(cli, ["--log", str(log), "plot", "timeline", "AZE", "--as-of", "2015", "-o", str(svg)])
    assert result.exit_code == 0, result.output
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text and 20_000 < len(text) < 2_000_000
    fig = uplot.timeline(Ledger.open(log), "AZE", as_of="2015")
    labels = [t.get_text() for t in reversed(fig.axes[0].get_yticklabels())]  # top to bottom
    assert labels == ["member of UN", "seat on UNSC", "TREATY"]
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"1992-03-02", "2012\u20132013", "signature 2000-02-01, ratification 2001-03-01"} <= texts
    png = tmp_path / "aze.png"
    uplot.save(fig, png)
    assert png_size(png)[0] >= 800


def test_body_grid(log: Path, tmp_path: Path) -> None:
    out = tmp_path / "unsc.png"
    result = CliRunner().invoke(cli, ["--log", str(log), "plot", "body", "UNSC", "--from", "2010", "--to", "2014", "-o", str(out)])
    assert result.exit_code == 0, result.output
    width, height = png_size(out)
    assert width >= 600 and height >= 400
    fig = uplot.body(Ledger.open(log), "UNSC", 2010, 2014)
    rows = [t.get_text().split()[0] for t in fig.axes[0].get_yticklabels()]
    assert rows == ["CHN", "FRA", "GBR", "RUS", "USA", "AZE"]
    # Azerbaijan sat in 2012 and 2013 only: two cells.
    aze_row = rows.index("AZE")
    cells = [p for p in fig.axes[0].patches if abs(p.get_y() - (aze_row - 0.4)) < 1e-9]
    assert sorted(round(p.get_x() + 0.45) for p in cells) == [2012, 2013]


def test_bad_plot_requests(log: Path, tmp_path: Path) -> None:
    before = log.read_bytes()
    gif = CliRunner().invoke(cli, ["--log", str(log), "plot", "growth", "UN", "-o", str(tmp_path / "x.gif")])
    assert gif.exit_code == 2 and ".png or .svg" in gif.stderr
    unknown = CliRunner().invoke(cli, ["--log", str(log), "plot", "growth", "XYZ", "-o", str(tmp_path / "x.png")])
    assert unknown.exit_code == 1 and "unknown organization 'XYZ'" in unknown.stderr
    with pytest.raises(UnknownEntity):
        uplot.timeline(Ledger.open(log), "NOWHERE")
    assert not (tmp_path / "x.png").exists() and log.read_bytes() == before


def test_without_matplotlib_the_command_says_how_to_install(log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.") or m == "unledger.plot"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delattr(unledger, "plot", raising=False)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    result = CliRunner().invoke(cli, ["--log", str(log), "plot", "growth", "UN", "-o", str(tmp_path / "g.png")])
    assert result.exit_code == 1
    assert result.stderr.strip() == "unledger: error: plotting needs matplotlib: pip install matplotlib (or pip install '.[plot]' in a checkout of unledger)"
