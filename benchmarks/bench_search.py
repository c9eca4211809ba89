"""Benchmark of patient search as you type at scale: milliseconds per keystroke query.

Usage: python -m benchmarks.bench_search --db URL [--patients N]
Seeds N patients into an empty, migrated database (skipped if it already has patients),
then times `search_patients` for typed prefixes. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from sqlalchemy import func, select

from benchmarks.common import facility_with_user, open_app
from pos_app.adapters import tables as t
from pos_app.domain.actors import Actor, Role
from pos_app.services.demo import FAMILY, GIVEN
from pos_app.services.patients import insert_patients, search_patients

BATCH = 20_000


def seed(app, count: int) -> None:
    rng = random.Random(7)
    with app.uow() as uow:
        if uow.execute(select(func.count()).select_from(t.patients)).scalar_one():
            return
        facility_with_user(uow, Role.CASHIER)
        uow.commit()
    for start in range(0, count, BATCH):
        with app.uow() as uow:
            insert_patients(
                uow,
                [
                    {
                        "mrn": f"MRN{n:07d}",
                        "name": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)} {rng.choice(GIVEN)}",
                        "phone": f"07{rng.randint(10**7, 10**8 - 1)}",
                        "dob": None,
                    }
                    for n in range(start, min(start + BATCH, count))
                ],
            )
            uow.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--patients", type=int, default=1_000_000)
    args = parser.parse_args()
    app = open_app(args.db)
    started = time.perf_counter()
    seed(app, args.patients)
    print(f"seeded in {time.perf_counter() - started:.0f} s")
    with app.uow() as uow:
        user_id = uow.execute(
            select(t.users.c.id).where(t.users.c.username == "bench")
        ).scalar_one()
    actor = Actor(user_id, "bench", Role.CASHIER)
    typed = [
        "M",
        "MR",
        "MRN0",
        "MRN05",
        "MRN0512",
        "MRN0512345",
        "07",
        "0712",
        "071234",
        "N",
        "Na",
        "Nak",
        "Naka",
        "Nakato",
        "Nakato S",
        "Nakato Sse",
        "w",
        "wanj",
        "zoe",
        "zoe mu",
        "kamau",
    ]
    for _ in range(2):  # the first pass warms caches, as a cashier's first minute does
        timings = {}
        for text in typed:
            runs = []
            for _ in range(5):
                begun = time.perf_counter()
                found = search_patients(app.uow(write=False), actor=actor, text=text, limit=30)
                runs.append((time.perf_counter() - begun) * 1000)
            timings[text] = (statistics.median(runs), len(found))
    for text, (ms, hits) in timings.items():
        print(
            f"{app.engine.dialect.name} {args.patients} patients: {text!r:14} "
            f"{ms:6.2f} ms median, {hits} hits"
        )
    print(f"worst median: {max(ms for ms, _ in timings.values()):.2f} ms")
    app.close()


if __name__ == "__main__":
    main()
