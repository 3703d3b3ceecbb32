"""Run factmine over a JSON-lines article dump on Spark, and check the facts
equal a local run's.

factmine reads JSON lines on stdin and writes facts as JSON lines on stdout
(`factmine extract - --out -`), so each Spark partition pipes its records
through one factmine process (RDD.pipe). Fact ids depend only on the
document, never on how the dump is split, so the union of the partitions'
facts is exactly what a single local run writes.

Local check (Spark in local[2] mode):

    pip install pyspark            # and a Java runtime
    cargo build --release
    python3 examples/spark/factmine_spark.py target/release/factmine rules corpus/dumps/news-2024.jsonl.gz

On a cluster, ship the binary and the rules with the job and call them by
their relative names (see the README's "Running on a cluster").
"""

import json
import os
import subprocess
import sys

from pyspark import SparkFiles
from pyspark.sql import SparkSession


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    binary, rules, dump = (os.path.abspath(a) for a in sys.argv[1:])
    spark = SparkSession.builder.master("local[2]").appName("factmine").getOrCreate()
    sc = spark.sparkContext
    sc.setLogLevel("ERROR")
    # Ship the binary and the rule folder to every executor, as a cluster job would.
    sc.addFile(binary)
    sc.addFile(rules, recursive=True)
    command = (
        f"{SparkFiles.get(os.path.basename(binary))} extract - --out - --quiet"
        f" --rules {SparkFiles.get(os.path.basename(rules))}"
    )
    # A .gz file is read whole by one task; spread its records over 4 partitions.
    records = sc.textFile(dump).repartition(4)
    facts = records.pipe(command).collect()
    spark.stop()

    local = subprocess.run(
        [binary, "extract", dump, "--out", "-", "--quiet", "--rules", rules],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    spark_facts = sorted(json.dumps(json.loads(f), sort_keys=True) for f in facts)
    local_facts = sorted(json.dumps(json.loads(f), sort_keys=True) for f in local)
    if spark_facts != local_facts:
        print(f"MISMATCH: spark {len(spark_facts)} facts, local {len(local_facts)} facts")
        return 1
    print(f"OK: {len(spark_facts)} facts from Spark (local[2], {records.getNumPartitions()} partitions) equal the local run's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
