"""``make profile``: where the time of a ticket page goes, beside a Document.

Builds the scratch site of ``make bench`` (its first 100 tickets only) in a
temporary directory, then requests each page ``--repeat`` times through
Zope's WSGI publisher under ``cProfile`` and prints, per page, the median
time and the functions with the most time of their own and in total.

    python scripts/bench_profile.py [--repeat 50] [--top 25]

The figures under the profiler are slower than without it; what counts is
the share each function takes of its page.
"""

from pathlib import Path

import argparse
import cProfile
import io
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from cluster import free_port  # noqa: E402
from cluster import start_mail_sink  # noqa: E402
from make_instance import make_instance  # noqa: E402


def profile_pages(conf, smtp_port, repeat, top, only, dump):
    import bench_measure
    import bench_site

    bench = bench_measure.Bench(conf, smtp_port, repeat)
    bench.build()
    customer = bench_measure.Client(bench.wsgi, bench_measure.SMALL_CUSTOMER)
    staff = bench_measure.Client(bench.wsgi, bench_site.STAFF)
    pages = {
        "document (customer)": (customer, bench.plain_path),
        "ticket 5 replies (customer)": (customer, bench.ticket5_path),
        "ticket 50 replies (customer)": (customer, bench.ticket50_path),
        "document (staff)": (staff, bench.plain_path),
        "ticket 5 replies (staff)": (staff, bench.ticket5_path),
        "ticket 50 replies (staff)": (staff, bench.ticket50_path),
    }
    for name, (client, path) in pages.items():
        if only and not any(word in name for word in only):
            continue
        url = bench.url(path)
        for _ in range(3):
            client.get(url)
        plain = [client.timed_get(url) for _ in range(repeat)]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeat):
            client.get(url)
        profiler.disable()
        if dump:
            profiler.dump_stats(Path(dump) / (name.replace(" ", "_") + ".prof"))
        print(f"\n=== {name}: median {statistics.median(plain) * 1000:.1f} ms")
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats(order).print_stats(top)
            lines = out.getvalue().splitlines()
            start = next(i for i, line in enumerate(lines) if "ncalls" in line)
            print(f"--- by {order} (per request: divide by {repeat})")
            for line in lines[start : start + top + 1]:
                print(line.replace(str(ROOT) + "/", "").replace(sys.prefix, "<venv>"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--dump", help="a folder for the profiles (pstats files)")
    parser.add_argument("pages", nargs="*", help="words of the page names to keep")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="tickets-profile-"))
    sink = None
    started = time.perf_counter()
    try:
        instance = make_instance(scratch / "instance")
        smtp_port = free_port()
        sink = start_mail_sink(smtp_port, scratch / "mail")
        os.environ.setdefault("PYTHONWARNINGS", "ignore")
        profile_pages(
            str(instance / "etc" / "zope.conf"),
            smtp_port,
            args.repeat,
            args.top,
            args.pages,
            args.dump,
        )
    finally:
        if sink is not None:
            sink.terminate()
            sink.wait()
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"\nTotal {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
