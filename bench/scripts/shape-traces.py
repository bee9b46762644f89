#!/usr/bin/env python3
"""Writes three seeded request traces of shapes other than the Azure conversation trace, one per
input format the job reads, for `bench.jar policies` (docs/policies.md, "Other shapes"):

  long-prompts.jsonl  Mooncake JSON lines: prompts 2,000-8,000 tokens, outputs 8-64, 3 req/s
  long-outputs.csv    BurstGPT CSV: prompts 64-512, outputs 300-1,000, 1.5 req/s; one row in 50
                      has 0 response tokens (a failure the reader skips and counts)
  bursts.csv          generic CSV (ms): Azure-like sizes, 15 s bursts at 20 req/s every 60 s,
                      1 req/s between them

Usage: shape-traces.py OUT_DIR [MINUTES]   (default 10 minutes; the same files every time)
"""
import json
import math
import os
import random
import sys


def poisson_times(rnd, rate_at, seconds):
    """Arrival times (s) of a Poisson process with a piecewise rate, by thinning."""
    top = max(rate_at(t / 10) for t in range(int(seconds * 10)))
    t, out = 0.0, []
    while True:
        t += rnd.expovariate(top)
        if t >= seconds:
            return out
        if rnd.random() * top <= rate_at(t):
            out.append(t)


def lognormal_int(rnd, median, sigma, lo, hi):
    return max(lo, min(hi, int(round(median * math.exp(rnd.gauss(0, sigma))))))


def main():
    out = sys.argv[1]
    minutes = float(sys.argv[2]) if len(sys.argv) > 2 else 10
    seconds = minutes * 60
    os.makedirs(out, exist_ok=True)

    rnd = random.Random(1)
    with open(os.path.join(out, "long-prompts.jsonl"), "w") as f:
        for t in poisson_times(rnd, lambda t: 3.0, seconds):
            f.write(json.dumps({
                "timestamp": int(t * 1000),
                "input_length": rnd.randint(2000, 8000),
                "output_length": rnd.randint(8, 64),
                "hash_ids": [],
            }) + "\n")

    rnd = random.Random(2)
    with open(os.path.join(out, "long-outputs.csv"), "w") as f:
        f.write("Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n")
        for i, t in enumerate(poisson_times(rnd, lambda t: 1.5, seconds)):
            p = rnd.randint(64, 512)
            r = 0 if i % 50 == 49 else rnd.randint(300, 1000)
            f.write(f"{t:.3f},ChatGPT,{p},{r},{p + r},Conversation log\n")

    rnd = random.Random(3)
    with open(os.path.join(out, "bursts.csv"), "w") as f:
        f.write("timestamp,prompt_tokens,output_tokens\n")
        for t in poisson_times(rnd, lambda t: 20.0 if (t % 60) < 15 else 1.0, seconds):
            p = lognormal_int(rnd, 1020, 0.9, 16, 14000)
            o = lognormal_int(rnd, 129, 0.9, 4, 1000)
            f.write(f"{int(t * 1000)},{p},{o}\n")


if __name__ == "__main__":
    main()
