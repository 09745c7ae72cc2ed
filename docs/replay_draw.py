#!/usr/bin/env python3
"""Replays a Pingyi panel draw from its public record alone (docs/SORTITION.md §4).

usage: python3 replay_draw.py record.json

`record.json` is what `/public/draws/{id}/record.json` serves. The program knows
nothing of Pingyi's code: it recomputes the input hash (format 2) and the seed from
the record, checks the published lottery (every shape meets the quotas, the
probabilities sum to 1), samples the panel and the alternates from the seed exactly
as §4 specifies, and prints what it found. Exit status 0 when the record's hash,
seed, panel and alternates are reproduced, 1 otherwise. Python 3.8+, standard
library only.
"""
import hashlib
import json
import struct
import sys

STREAM_DOMAIN = b"pingyi-sortition-stream/1"
SEED_DOMAIN = "pingyi-sortition-seed/1"
U64_MAX = 2**64 - 1


def canonical_json(inp):
    """The exact bytes the input hash covers, format 2 (§1)."""
    pool = sorted(
        ({"id": m["id"], "categories": sorted(set(m["categories"]))} for m in inp["pool"]),
        key=lambda m: m["id"].encode(),
    )
    quotas = sorted(
        ({"tag": q["tag"], "min": q["min"], "max": q["max"]} for q in inp["quotas"]),
        key=lambda q: (q["tag"].encode(), q["min"], q["max"]),
    )
    excluded = sorted(
        {(e["member_id"], e["kind"]) for e in inp["excluded"]},
        key=lambda e: (e[0].encode(), e[1].encode()),
    )
    body = {
        "format": "pingyi-sortition-input/%d" % inp["input_format"],
        "algorithm_version": inp["algorithm_version"],
        "panel_size": inp["panel_size"],
        "alternates": inp["alternates"],
        "quotas": quotas,
        "excluded": [{"member_id": m, "kind": k} for m, k in excluded],
        "pool": pool,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def seed_from(input_hash, values):
    h = hashlib.sha256()
    for field in [SEED_DOMAIN, input_hash, *values]:
        b = field.encode()
        h.update(struct.pack(">Q", len(b)))
        h.update(b)
    return h.digest()


class Stream:
    """Block i = SHA-256(domain ‖ seed ‖ i as u64 big-endian); four words per block."""

    def __init__(self, seed):
        self.seed, self.counter, self.words = seed, 0, []

    def next_u64(self):
        if not self.words:
            block = hashlib.sha256(STREAM_DOMAIN + self.seed + struct.pack(">Q", self.counter)).digest()
            self.counter += 1
            self.words = [struct.unpack(">Q", block[i : i + 8])[0] for i in range(0, 32, 8)]
        return self.words.pop(0)

    def below(self, n):
        """Uniform in 0..n: words at or above the last whole multiple of n are rejected."""
        n = max(n, 1)
        zone = U64_MAX - U64_MAX % n
        while True:
            r = self.next_u64()
            if r < zone:
                return r % n

    def unit(self):
        return (self.next_u64() >> 11) / float(1 << 53)


def choose(stream, items, count):
    """Partial Fisher–Yates: the first `count` after swapping i with i + below(len - i)."""
    items = list(items)
    count = min(count, len(items))
    for i in range(count):
        j = i + stream.below(len(items) - i)
        items[i], items[j] = items[j], items[i]
    return items[:count]


def check_lottery(inp, lottery):
    members = {m["id"]: set(m["categories"]) for m in inp["pool"]}
    total = 0.0
    for shape in lottery["shapes"]:
        total += shape["probability"]
        panel = [t for t, seats in zip(lottery["types"], shape["seats"]) for _ in range(seats)]
        if len(panel) != inp["panel_size"]:
            return "a shape does not seat the whole panel"
        for q in inp["quotas"]:
            n = sum(1 for t in panel if q["tag"] in members[t["members"][0]])
            if not q["min"] <= n <= q["max"]:
                return "a shape breaks the quota on %s" % q["tag"]
    if abs(total - 1.0) > 1e-9:
        return "the probabilities do not sum to 1"
    return None


def replay(record):
    inp, lottery, result = record["input"], record["lottery"], record["result"]
    input_hash = hashlib.sha256(canonical_json(inp).encode()).hexdigest()
    seed = seed_from(input_hash, record["public_values"])
    problem = check_lottery(inp, lottery)
    stream = Stream(seed)
    u = stream.unit()
    cumulative, picked = 0.0, lottery["shapes"][-1]
    for shape in lottery["shapes"]:
        cumulative += shape["probability"]
        if u < cumulative:
            picked = shape
            break
    seated = []
    for member_type, seats in zip(lottery["types"], picked["seats"]):
        seated += choose(stream, sorted(member_type["members"], key=str.encode), seats)
    seated.sort(key=str.encode)
    excluded = {e["member_id"] for e in inp["excluded"]}
    eligible = sorted((m["id"] for m in inp["pool"] if m["id"] not in excluded), key=str.encode)
    rest = [m for m in eligible if m not in set(seated)]
    alternates = choose(stream, rest, inp["alternates"])
    return {
        "input_hash": input_hash,
        "seed": seed.hex(),
        "u": u,
        "shape": lottery["shapes"].index(picked),
        "seated": seated,
        "alternates": alternates,
        "lottery_problem": problem,
        "matches": problem is None
        and input_hash == record["input_hash"] == result["input_hash"]
        and seed.hex() == result["seed"]
        and seated == result["seated"]
        and alternates == result["alternates"],
    }


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        outcome = replay(json.load(f))
    print(json.dumps(outcome, ensure_ascii=False, indent=1))
    sys.exit(0 if outcome["matches"] else 1)
