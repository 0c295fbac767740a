#!/usr/bin/env python3
"""Turns the lab benchmark's CSV into docs-ready Markdown and gnuplot PNGs.

    bench/lab_report.py --csv RESULTS.csv --out DIR [--page FILE.md] [--native-summary FILE.md]
                        [--notes FILE.md] [--meta FILE] [--title TITLE]

writes DIR/performance.md (or --page) and, for each figure the CSV has data for, DIR/fig4-latency.png,
DIR/fig5-throughput-size.png, DIR/fig6-throughput-ring.png, DIR/fig7-pairs.png and
DIR/connect.png (drawn by gnuplot; without gnuplot the page is written without them).

The lab runs in QEMU TCG, so absolute numbers mean nothing: what the page reports is, for
each yasmin line, its ratio to netfront and AF_UNIX computed per repeat (the series of one
repeat were measured back to back) and then summarised as the median and the range over the
repeats.  Exit status: 0 done, 1 bad input (missing file, wrong header, malformed line,
empty CSV) or gnuplot failure, 2 bad usage.
"""

import argparse
import csv
import datetime
import math
import os
import re
import statistics
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

HEADER = ["figure", "tool", "series", "ring_bytes", "msg_bytes", "pairs", "repeat",
          "metric", "value"]
SERIES = ("yasmin", "netfront", "af_unix")
SERIES_LABEL = {"yasmin": "yasmin", "netfront": "netfront", "af_unix": "AF_UNIX"}
# The one metric each figure is measured in: a row that disagrees is a bug in whatever wrote
# the CSV, and mixing units in one table or plot would hide it.
FIGURE_METRIC = {"latency": "rtt_us", "throughput-size": "mbit_s",
                 "throughput-ring": "mbit_s", "pairs": "mbit_s", "connect": "conn_s"}
FIGURE_ORDER = ["latency", "throughput-size", "throughput-ring", "pairs", "connect"]
FIGURE_FILE = {"latency": "fig4-latency.png", "throughput-size": "fig5-throughput-size.png",
               "throughput-ring": "fig6-throughput-ring.png", "pairs": "fig7-pairs.png",
               "connect": "connect.png"}
FIGURE_SHORT = {"latency": "Fig. 4 (round trip)", "throughput-size": "Fig. 5 (throughput by size)",
                "throughput-ring": "Fig. 6 (throughput by ring)",
                "pairs": "Fig. 7 (aggregate over pairs)", "connect": "connections/s"}
FIGURE_TITLE = {"latency": "Fig. 4: round-trip time vs message size",
                "throughput-size": "Fig. 5: throughput vs message size",
                "throughput-ring": "Fig. 6: throughput vs yasmin ring size",
                "pairs": "Fig. 7: aggregate throughput vs guest pairs",
                "connect": "Connections per second (connect + accept + close)"}
METRIC_UNIT = {"rtt_us": "µs", "mbit_s": "Mbit/s", "conn_s": "connections/s"}
METRIC_AXIS = {"rtt_us": "round-trip time (µs)", "mbit_s": "throughput (Mbit/s)",
               "conn_s": "connections per second"}
REFERENCE_RING = 512 * 1024  # the module's default ring, the one the headlines quote
TOOL_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
META_KEYS = ("date", "machine", "command", "commit", "lab")
NATIVE_HEADING = "Natively on the host (no emulation)"

Row = namedtuple("Row", "figure tool series ring msg pairs repeat metric value line")
# A summary of values (or of per-repeat ratios) over the repeats.
Stats = namedtuple("Stats", "median low high count")


class ReportError(Exception):
    """Bad input: main() prints it and exits 1."""


# ---------------------------------------------------------------------------------------
# Reading and validating the input


def parse_int(text, name, minimum):
    """A non-negative decimal integer field; anything else names the field in the error."""
    if not re.fullmatch(r"[0-9]+", text):
        raise ValueError(f"{name} '{text}' is not an integer >= {minimum}")
    number = int(text)
    if number < minimum:
        raise ValueError(f"{name} {number} is below {minimum}")
    return number


def parse_row(fields, line):
    """One CSV record as a Row, or ValueError saying which field is wrong and why."""
    if len(fields) != len(HEADER):
        raise ValueError(f"{len(fields)} fields, expected {len(HEADER)}")
    figure, tool, series, ring, msg, pairs, repeat, metric, value = (f.strip() for f in fields)
    if figure not in FIGURE_METRIC:
        raise ValueError(f"figure '{figure}' is not one of {', '.join(FIGURE_ORDER)}")
    if not TOOL_PATTERN.match(tool):
        raise ValueError(f"tool '{tool}' is empty or has characters other than A-Z a-z 0-9 _ . + -")
    if series not in SERIES:
        raise ValueError(f"series '{series}' is not one of {', '.join(SERIES)}")
    ring = parse_int(ring, "ring_bytes", 0)
    if series == "yasmin" and ring == 0:
        raise ValueError("ring_bytes is 0 for a yasmin line (its ring size is what names it)")
    if series != "yasmin" and ring != 0:
        raise ValueError(f"ring_bytes is {ring} for {series}, which has no ring (expected 0)")
    msg = parse_int(msg, "msg_bytes", 0)
    pairs = parse_int(pairs, "pairs", 1)
    repeat = parse_int(repeat, "repeat", 1)
    if metric not in METRIC_UNIT:
        raise ValueError(f"metric '{metric}' is not one of {', '.join(METRIC_UNIT)}")
    if metric != FIGURE_METRIC[figure]:
        raise ValueError(f"metric {metric} for figure {figure}, which is measured in "
                         f"{FIGURE_METRIC[figure]}")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"value '{value}' is not a number") from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"value '{value}' is not a finite number > 0")
    return Row(figure, tool, series, ring, msg, pairs, repeat, metric, number, line)


def read_csv(path):
    """All rows of the benchmark's CSV, checked; ReportError (file:line: why) on the first bad one.

    A point measured twice in one repeat is refused too: the per-repeat ratios would have to
    pick one of them silently."""
    try:
        handle = open(path, newline="", encoding="utf-8")
    except OSError as error:
        raise ReportError(f"{path}: cannot read: {error.strerror}") from None
    rows, seen = [], {}
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise ReportError(f"{path}: empty CSV (not even a header)")
            if [h.strip() for h in header] != HEADER:
                raise ReportError(f"{path}:1: wrong header '{','.join(header)}', expected "
                                  f"'{','.join(HEADER)}'")
            for fields in reader:
                line = reader.line_num
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue  # a blank line
                try:
                    row = parse_row(fields, line)
                except ValueError as error:
                    raise ReportError(f"{path}:{line}: {error}") from None
                key = row[:7]
                if key in seen:
                    raise ReportError(f"{path}:{line}: the same point and repeat as line "
                                      f"{seen[key]}")
                seen[key] = line
                rows.append(row)
        except csv.Error as error:
            raise ReportError(f"{path}:{reader.line_num}: {error}") from None
        except UnicodeDecodeError:
            raise ReportError(f"{path}: not UTF-8 text") from None
    if not rows:
        raise ReportError(f"{path}: empty CSV (a header and no measurements)")
    return rows


def read_meta(path):
    """The caller's key=value file (date, machine, command, commit, lab) as a dict.

    Unknown keys are refused rather than dropped, so that a typo does not lose a line the
    caller meant to publish."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ReportError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ReportError(f"{path}: not UTF-8 text") from None
    meta = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, equals, value = line.partition("=")
        key = key.strip()
        if not equals:
            raise ReportError(f"{path}:{number}: expected key=value")
        if key not in META_KEYS:
            raise ReportError(f"{path}:{number}: unknown key '{key}' (known: "
                              f"{', '.join(META_KEYS)})")
        meta[key] = value.strip()
    return meta


def read_native_summary(path):
    """bench/native.sh's summary.md with every heading one level deeper, code left alone."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ReportError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ReportError(f"{path}: not UTF-8 text") from None
    lines, in_fence = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
        elif not in_fence and re.match(r"#{1,5} ", line):
            line = "#" + line
        lines.append(line)
    return "\n".join(lines).strip() + "\n"


def read_notes(path):
    """The hand-written analysis (bench/performance-notes.md): why yasmin loses where it does,
    which no CSV can say.  Included as it is, after the measured sections."""
    try:
        return Path(path).read_text(encoding="utf-8").strip() + "\n"
    except OSError as error:
        raise ReportError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ReportError(f"{path}: not UTF-8 text") from None


# ---------------------------------------------------------------------------------------
# Shaping the data: groups (one table each), lines (one column or plot line each), x values


def x_of(row):
    """The x value a row is plotted at; None where the figure has no x for it (Fig. 6's
    netfront and AF_UNIX, which have no ring; the connect figure)."""
    if row.figure in ("latency", "throughput-size"):
        return row.msg
    if row.figure == "throughput-ring":
        return row.ring if row.series == "yasmin" else None
    if row.figure == "pairs":
        return row.pairs
    return None


def line_of(row):
    """(series, ring): what one column and one plot line shows.  Fig. 6 has the ring on its
    x axis, so there the yasmin rings form one line."""
    if row.figure == "throughput-ring":
        return (row.series, 0)
    return (row.series, row.ring)


def group_of(row):
    """(tool, msg, pairs): the rows one table compares.  msg and pairs are kept only where
    they are not the x axis, so that, say, Fig. 6 at two message sizes gets two tables."""
    msg = None if row.figure in ("latency", "throughput-size") else row.msg
    pairs = None if row.figure == "pairs" else row.pairs
    return (row.tool, msg, pairs)


def line_sort_key(line):
    return (SERIES.index(line[0]), line[1])


def x_sort_key(x):
    return (-1 if x is None else x)


class Figure:
    """One figure's rows, indexed as group -> line -> x -> {repeat: value}."""

    def __init__(self, name, rows):
        self.name = name
        self.metric = FIGURE_METRIC[name]
        self.data = {}
        for row in rows:
            points = self.data.setdefault(group_of(row), {}).setdefault(line_of(row), {})
            points.setdefault(x_of(row), {})[row.repeat] = row.value

    def groups(self):
        return sorted(self.data, key=lambda g: (g[0], g[1] or 0, g[2] or 0))

    def lines(self, group):
        return sorted(self.data[group], key=line_sort_key)

    def xs(self, group):
        return sorted({x for points in self.data[group].values() for x in points},
                      key=x_sort_key)

    def values(self, group, line, x):
        """{repeat: value} at x; a line without an x of its own (Fig. 6's netfront) has
        the same values at every x."""
        points = self.data[group].get(line, {})
        if x in points:
            return points[x]
        return points.get(None, {})

    def tools(self):
        return sorted({g[0] for g in self.data})


def summarize(numbers):
    """Median and range of a non-empty list, or None for an empty one."""
    if not numbers:
        return None
    return Stats(statistics.median(numbers), min(numbers), max(numbers), len(numbers))


def ratio_stats(figure, group, yasmin_line, other_line, x):
    """The yasmin line's advantage over another at x, per repeat, then summarised.

    Only repeats where both were measured count: values of one repeat were measured back to
    back, which is what makes their ratio mean something on an emulated machine.  The ratio
    is oriented so that above 1 means yasmin is better: other/yasmin for a time,
    yasmin/other for a rate."""
    mine = figure.values(group, yasmin_line, x)
    other = figure.values(group, other_line, x)
    ratios = []
    for repeat in sorted(set(mine) & set(other)):
        if figure.metric == "rtt_us":
            ratios.append(other[repeat] / mine[repeat])
        else:
            ratios.append(mine[repeat] / other[repeat])
    return summarize(ratios)


# ---------------------------------------------------------------------------------------
# Formatting


def human_bytes(size):
    """1 B, 64 KiB, 2 MiB: exact, as the sizes the lab uses are powers of two."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} B"


def fmt_value(value):
    """Three significant digits, without the exponent notation tables read badly in."""
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def fmt_bound(value):
    """A range bound: two significant digits are what repeats on an emulated lab support."""
    if value >= 10:
        return f"{value:.0f}"
    if value >= 1:
        return f"{value:.1f}"
    if value >= 0.1:
        return f"{value:.2f}"
    return f"{value:.2g}"


def fmt_cell(stats):
    if stats is None:
        return ""
    return f"{fmt_value(stats.median)} [{fmt_value(stats.low)}–{fmt_value(stats.high)}]"


def fmt_ratio(stats):
    """7.61× [6.9–8.0]: median of the per-repeat ratios, then their min–max."""
    if stats is None:
        return ""
    median = stats.median
    if median >= 100:
        text = f"{median:.0f}"
    else:
        text = f"{median:.2f}" if median >= 0.1 else f"{median:.2g}"
    return f"{text}× [{fmt_bound(stats.low)}–{fmt_bound(stats.high)}]"


def line_label(line, with_ring=True):
    series, ring = line
    if series == "yasmin" and ring and with_ring:
        return f"yasmin {human_bytes(ring)}"
    return SERIES_LABEL[series]


def x_label(figure, x):
    if figure in ("latency", "throughput-size"):
        return human_bytes(x)
    if figure == "throughput-ring":
        return "no ring" if x is None else human_bytes(x)
    if figure == "pairs":
        return str(x)
    return "—"


def group_caption(group):
    """'iperf3, 64 KiB messages': the tool, and whatever else the table holds fixed."""
    tool, msg, pairs = group
    parts = [tool]
    if msg:
        parts.append(f"{human_bytes(msg)} messages")
    if pairs is not None and pairs != 1:
        parts.append(f"{pairs} pairs")
    return ", ".join(parts)


def ratio_label(metric, yasmin_name, other_line):
    other = line_label(other_line)
    slash = " / " if " " in yasmin_name else "/"  # "yasmin 2 MiB/netfront" misreads
    if metric == "rtt_us":
        return f"{other}{slash}{yasmin_name} RTT"
    return f"{yasmin_name}{slash}{other}"


def markdown_table(head, rows, align):
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join(a for a in align) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------
# Comparisons: every (yasmin line, other line, x) of a group with its ratio


Comparison = namedtuple("Comparison", "group x yasmin other label stats")


def comparisons(figure, group):
    """Every yasmin line against netfront and AF_UNIX at every x where both were measured."""
    lines = figure.lines(group)
    mine = [l for l in lines if l[0] == "yasmin"]
    others = [l for l in lines if l[0] != "yasmin"]
    # Name the ring in the column only when the group has several.
    several = len(mine) > 1
    result = []
    for y in mine:
        name = line_label(y, with_ring=several)
        for o in others:
            label = ratio_label(figure.metric, name, o)
            for x in figure.xs(group):
                if x is None and figure.name == "throughput-ring":
                    continue  # the ring-less row has no yasmin value
                stats = ratio_stats(figure, group, y, o, x)
                if stats is not None:
                    result.append(Comparison(group, x, y, o, label, stats))
    return result


def figure_table(figure, group):
    """One row per x: each line's median [min–max], then each yasmin-vs-other ratio."""
    lines = figure.lines(group)
    comps = comparisons(figure, group)
    labels = []
    for c in comps:
        if c.label not in labels:
            labels.append(c.label)
    by_cell = {(c.label, c.x): c.stats for c in comps}
    head = [{"latency": "message", "throughput-size": "message", "throughput-ring": "ring",
             "pairs": "pairs", "connect": ""}[figure.name]]
    head += [line_label(l) for l in lines] + labels
    rows = []
    for x in figure.xs(group):
        row = [x_label(figure.name, x)]
        row += [fmt_cell(summarize(list(figure.data[group][l].get(x, {}).values())))
                for l in lines]
        row += [fmt_ratio(by_cell.get((label, x))) for label in labels]
        rows.append(row)
    return markdown_table(head, rows, ["---:"] * len(head))


# ---------------------------------------------------------------------------------------
# Headline ratios


def pick_tool(candidates, preferred):
    """The preferred tool among those that measured both lines, else the first that did."""
    for tool in preferred:
        if tool in candidates:
            return tool
    return sorted(candidates)[0] if candidates else None


def headline(figures, name, other_series, x_rule, preferred_tools, any_ring=False):
    """One headline ratio: (stats, 'measured with' text), or None when not measured.

    x_rule picks the x from those where both lines exist (a fixed size, or the most pairs).
    With any_ring, a run without a 512 KiB ring falls back to its largest ring."""
    figure = figures.get(name)
    if figure is None:
        return None
    found = {}  # tool -> (comparison)
    for group in figure.groups():
        if group[2] not in (None, 1) and name != "pairs":
            continue
        comps = [c for c in comparisons(figure, group) if c.other[0] == other_series]
        rings = {c.yasmin[1] for c in comps}
        if figure.name == "throughput-ring" or not rings:
            continue
        ring = REFERENCE_RING if REFERENCE_RING in rings else (max(rings) if any_ring else None)
        comps = [c for c in comps if c.yasmin[1] == ring]
        x = x_rule([c.x for c in comps])
        comps = [c for c in comps if c.x == x]
        if comps and group[0] not in found:
            found[group[0]] = comps[0]
    tool = pick_tool(found, preferred_tools)
    if tool is None:
        return None
    c = found[tool]
    where = f"{tool}, {line_label(c.yasmin)}"
    if name == "pairs":
        where += f", {c.x} pair{'s' if c.x != 1 else ''}"
    return c.stats, where


def fixed_x(value):
    return lambda xs: value if value in xs else None


def most(xs):
    return max(xs) if xs else None


def headline_section(figures, have_native):
    specs = [
        ("1-byte round trip, netfront/yasmin", "latency", "netfront", fixed_x(1),
         ["nptcp"], False),
        ("64 KiB throughput, yasmin/netfront", "throughput-size", "netfront",
         fixed_x(65536), ["iperf3", "nptcp"], False),
        ("64 KiB throughput, yasmin/AF_UNIX", "throughput-size", "af_unix",
         fixed_x(65536), ["msgbench"], False),
        ("connections/s, yasmin/netfront", "connect", "netfront", lambda xs: None,
         [], True),
        ("aggregate throughput with the most pairs, yasmin/netfront", "pairs", "netfront",
         most, ["iperf3"], True),
    ]
    rows = []
    for what, name, other, rule, tools, any_ring in specs:
        found = headline(figures, name, other, rule, tools, any_ring)
        if found is None:
            rows.append([what, "not measured", ""])
        else:
            rows.append([what, fmt_ratio(found[0]), found[1]])
    out = ["## Headline ratios", "",
           "Above 1 means yasmin is better. Each is the median over the repeats of the "
           "ratio within one repeat, with the range (min–max) of those ratios.", "",
           markdown_table(["ratio", "median [min–max]", "measured with"], rows,
                          ["---", "---:", "---"])]
    if have_native:
        out += ["", f"The ring engine measured natively on the host, without Xen or "
                f"emulation, is in [{NATIVE_HEADING}](#natively-on-the-host-no-emulation)."]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------
# Plots


def gnuplot_terminal():
    """pngcairo when this gnuplot has it (anti-aliased, UTF-8), else libgd's png; None when
    gnuplot is not installed."""
    try:
        probe = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True,
                               text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    listing = probe.stdout + probe.stderr
    return "pngcairo" if re.search(r"^\s*pngcairo\s", listing, re.M) else "png"


def gp_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def datablock(name, rows):
    body = "\n".join(" ".join(str(v) for v in r) for r in rows)
    return f"${name} << EOD\n{body}\nEOD\n"


def series_points(figure, group, line):
    """x, median, min, max for each x of one line (None x left out)."""
    points = []
    for x, by_repeat in sorted(figure.data[group][line].items(), key=lambda p: x_sort_key(p[0])):
        if x is None:
            continue
        s = summarize(list(by_repeat.values()))
        points.append((x, s.median, s.low, s.high))
    return points


def plot_label(figure, group, line):
    """The legend entry: the line, prefixed by the group when the figure has several."""
    label = line_label(line)
    if len(figure.groups()) > 1:
        label = f"{group_caption(group)}: {label}"
    return label


def size_tics(xs):
    """Explicit tic labels in B/KiB/MiB for a log-2 axis, thinned to at most about 12, and
    slanted when there are enough of them to run into each other."""
    xs = sorted(set(xs))
    step = max(1, math.ceil(len(xs) / 12))
    shown = xs[::step]
    slant = " rotate by -30" if len(shown) > 8 else ""
    return f"set xtics{slant} (" + ", ".join(f"{gp_string(human_bytes(x))} {x}"
                                            for x in shown) + ")\n"


def plot_script(figure, terminal, png):
    """The whole gnuplot program for one figure, its data inline as datablocks."""
    font = ' font "sans,10"' if terminal == "pngcairo" else ""
    out = [f"set terminal {terminal} size 900,560 noenhanced{font}\n",
           "set encoding utf8\n", f"set output {gp_string(str(png))}\n",
           f"set title {gp_string(FIGURE_TITLE[figure.name])}\n",
           f"set ylabel {gp_string(METRIC_AXIS[figure.metric])}\n",
           "set key below\nset grid\nset bars small\n"]
    plots, blocks = [], []
    all_x = []
    for group in figure.groups():
        for line in figure.lines(group):
            points = series_points(figure, group, line)
            if points:
                name = f"d{len(blocks)}"
                blocks.append(datablock(name, points))
                all_x += [p[0] for p in points]
                plots.append((name, plot_label(figure, group, line), points))
    if figure.name == "connect":
        return connect_script(figure, out)
    if figure.name == "pairs":
        out.append("set xlabel \"guest pairs\"\nset xtics 1\nset yrange [0:*]\n")
        out.append(f"set xrange [{min(all_x) - 0.5}:{max(all_x) + 0.5}]\n" if all_x else "")
    else:
        out.append("set logscale x 2\n")
        out.append("set xlabel " + gp_string("message size" if figure.name != "throughput-ring"
                                              else "yasmin ring size") + "\n")
        if all_x:
            out.append(size_tics(all_x))
            out.append(f"set xrange [{min(all_x) / 1.5}:{max(all_x) * 1.5}]\n")
        out.append("set logscale y\n" if figure.metric == "rtt_us" else "set yrange [0:*]\n")
    commands = [f"${name} using 1:2:3:4 with yerrorlines pointtype 7 title {gp_string(label)}"
                for name, label, _ in plots]
    if figure.name == "throughput-ring":
        # netfront and AF_UNIX have no ring: a horizontal line at their median.
        low, high = (min(all_x) / 1.5, max(all_x) * 1.5) if all_x else (4096, 4 << 20)
        for group in figure.groups():
            for line in figure.lines(group):
                by_repeat = figure.data[group][line].get(None)
                if not by_repeat:
                    continue
                name = f"d{len(blocks)}"
                median = statistics.median(by_repeat.values())
                blocks.append(datablock(name, [(low, median), (high, median)]))
                label = plot_label(figure, group, line) + " (no ring, median)"
                commands.append(f"${name} using 1:2 with lines dashtype 2 linewidth 2 "
                                f"title {gp_string(label)}")
    return "".join(out + blocks) + "plot " + ", \\\n     ".join(commands) + "\n"


def connect_script(figure, out):
    """Connections/s: one box per (tool,) series at its median, min–max as error bars."""
    rows = []
    for group in figure.groups():
        for line in figure.lines(group):
            s = summarize(list(figure.data[group][line].get(None, {}).values()))
            if s is not None:
                rows.append((plot_label(figure, group, line), s))
    block = "$d0 << EOD\n" + "\n".join(
        f"{i} {gp_string(label)} {s.median} {s.low} {s.high}"
        for i, (label, s) in enumerate(rows)) + "\nEOD\n"
    out.append("set style fill solid 0.5 border -1\nset boxwidth 0.6\nset key off\n"
               "set yrange [0:*]\nunset xlabel\n"
               f"set xrange [-0.6:{len(rows) - 0.4}]\n")
    return ("".join(out) + block +
            "plot $d0 using 1:3:xtic(2) with boxes, \\\n"
            "     $d0 using 1:3:4:5 with yerrorbars pointtype 7 linecolor rgb \"black\"\n")


def draw(figure, terminal, png):
    """Runs gnuplot on the figure's program; ReportError with gnuplot's words if it fails."""
    script = plot_script(figure, terminal, png)
    result = subprocess.run(["gnuplot"], input=script, capture_output=True, text=True,
                            timeout=120)
    if result.returncode != 0 or not png.exists():
        raise ReportError(f"gnuplot failed on {png.name}: {result.stderr.strip()}")


# ---------------------------------------------------------------------------------------
# The page


def meta_section(meta):
    """The caller's description of the run: lab text, then date, machine, command, commit."""
    if not meta:
        return "No description of the run was given (`--meta`)."
    out = []
    if meta.get("lab"):
        out += [meta["lab"], ""]
    for key in ("date", "machine"):
        if meta.get(key):
            out.append(f"- {key}: {meta[key]}")
    if meta.get("command"):
        fence = "```"
        while fence in meta["command"]:
            fence += "`"
        out += ["- command:", "", f"  {fence}", f"  {meta['command']}", f"  {fence}", ""]
    if meta.get("commit"):
        out.append(f"- commit: {meta['commit']}")
    return "\n".join(out).rstrip()


def method_paragraph(rows):
    repeats = sorted({r.repeat for r in rows})
    return ("The lab runs its Xen host inside QEMU without hardware virtualisation (TCG), "
            "so absolute numbers mean nothing and only ratios between series measured in "
            "the same repeat count: within one repeat the runs of all series were "
            "interleaved, back to back. "
            f"This run has {len(repeats)} repeat{'s' if len(repeats) != 1 else ''}. "
            "Each cell is the median over the repeats and the range (min–max); each ratio "
            "is the median of the per-repeat ratios (same repeat, tool and x), with their "
            "range.")


def figure_section(figure, png_name):
    out = [f"## {FIGURE_TITLE[figure.name]}", ""]
    if png_name:
        out += [f"![{FIGURE_TITLE[figure.name]}]({png_name})", ""]
    else:
        out += ["(no plot: gnuplot is not installed)", ""]
    out.append(f"Values in {METRIC_UNIT[figure.metric]}, median [min–max] over the repeats.")
    for group in figure.groups():
        out += ["", f"### {group_caption(group)}" if len(figure.groups()) > 1
                else f"Measured with {group_caption(group)}.", "", figure_table(figure, group)]
    return "\n".join(out)


def losses_section(figures):
    """Every point where yasmin's median ratio is below 1, stated without explanation."""
    out = ["## Where yasmin loses", ""]
    found, compared = [], 0
    for name in FIGURE_ORDER:
        figure = figures.get(name)
        if figure is None:
            continue
        for group in figure.groups():
            for c in comparisons(figure, group):
                compared += 1
                if c.stats.median < 1:
                    where = x_label(name, c.x)
                    at = "" if name == "connect" else f", {where}"
                    if name == "pairs":
                        at = f", {where} pair{'s' if c.x != 1 else ''}"
                    found.append(f"- {FIGURE_SHORT[name]}, "
                                 f"{group_caption(group)}{at}, {line_label(c.yasmin)}: "
                                 f"{c.label} {fmt_ratio(c.stats)}")
    if found:
        out += found
    elif compared:
        out.append("Nowhere in this run: every median ratio is 1 or above.")
    else:
        out.append("Nothing to compare: no yasmin line was measured beside netfront or AF_UNIX "
                   "in the same repeat.")
    return "\n".join(out)


def build_page(title, rows, figures, pngs, meta, native, notes=None):
    parts = [f"# {title}", "", meta_section(meta), "", method_paragraph(rows), "",
             headline_section(figures, native is not None)]
    for name in FIGURE_ORDER:
        if name in figures:
            parts += ["", figure_section(figures[name], pngs.get(name))]
    parts += ["", losses_section(figures)]
    if notes is not None:
        parts += ["", notes.rstrip()]
    if native is not None:
        parts += ["", f"## {NATIVE_HEADING}", "", native.rstrip()]
    generated = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts += ["", f"<sub>Generated {generated} by bench/lab_report.py.</sub>"]
    return "\n".join(parts) + "\n"


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="lab_report.py",
        description="Plots and a Markdown page from the lab benchmark's CSV.")
    parser.add_argument("--csv", required=True, help="the lab benchmark's results CSV")
    parser.add_argument("--out", required=True, help="directory for performance.md and PNGs")
    parser.add_argument("--page", help="write the page here instead of OUT/performance.md "
                        "(bench/lab.sh --publish: docs/performance.md, plots in docs/performance/); "
                        "its links to the plots are relative to it")
    parser.add_argument("--native-summary", help="bench/native.sh's summary.md to include")
    parser.add_argument("--meta", help="key=value file: date, machine, command, commit, lab")
    parser.add_argument("--notes", help="Markdown to include after the measured sections "
                        "(bench/performance-notes.md: the analysis)")
    parser.add_argument("--title", default="yasmin between Xen guests: performance in the lab")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    try:
        rows = read_csv(args.csv)
        meta = read_meta(args.meta) if args.meta else {}
        native = read_native_summary(args.native_summary) if args.native_summary else None
        notes = read_notes(args.notes) if args.notes else None
        out = Path(args.out)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ReportError(f"{out}: cannot create: {error.strerror}") from None
        page_path = Path(args.page) if args.page else out / "performance.md"
        figures = {name: Figure(name, [r for r in rows if r.figure == name])
                   for name in FIGURE_ORDER if any(r.figure == name for r in rows)}
        terminal = gnuplot_terminal()
        pngs = {}
        for name in FIGURE_ORDER:
            # A plot left from an earlier run must not pass for this run's.
            (out / FIGURE_FILE[name]).unlink(missing_ok=True)
        if terminal is None:
            print("lab_report: gnuplot is not installed: writing the page without plots",
                  file=sys.stderr)
        else:
            for name, figure in figures.items():
                draw(figure, terminal, out / FIGURE_FILE[name])
                pngs[name] = os.path.relpath(out / FIGURE_FILE[name], page_path.parent)
        page = build_page(args.title, rows, figures, pngs, meta, native, notes)
        page_path.write_text(page, encoding="utf-8")
    except ReportError as error:
        print(f"lab_report: {error}", file=sys.stderr)
        return 1
    print(f"lab_report: wrote {page_path}"
          + (f" and {len(pngs)} plots" if pngs else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
