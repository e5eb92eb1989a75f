"""`make bench`: how fast gi-trace appends and audits, measured in one run.

`python -m bench.run [--quick] [--only NAME] [--out docs/benchmarks.md]` prints a
table and writes docs/benchmarks.md. See bench/run.py for what is measured.
"""
