"""Extraction throughput on synthetic abstracts (``python -m bench.extract``).

Generates N abstracts in the style of arXiv AI papers (some with results, some without),
runs the full pipeline in one process, and prints abstracts/second rules-only, with the
embedding model resolving candidate mentions, and with it also scoring automation signals;
plus peak RSS. Target: >= 300 abstracts/s with embeddings used only to resolve candidate
mentions.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time

from ingest.nlp.pipeline import Extractor, load_pipeline

MODELS = ["GPT-4o", "o3", "Claude 3.7 Sonnet", "Gemini 2.5 Pro", "DeepSeek-R1", "Qwen3-235B-A22B", "Llama 3.1 405B",
          "Nimbus-3 Pro", "Foo-2.5-Coder-32B-Instruct", "Kestrel-7B"]  # fmt: skip
BENCHES = ["SWE-bench Verified", "GPQA Diamond", "AIME 2024", "MLE-bench", "Terminal-Bench 2.0", "HumanEval",
           "LiveCodeBench", "OSWorld", "MMLU-Pro", "KernelBench"]  # fmt: skip
OPENERS = [
    "Large language models are increasingly used as autonomous agents for {topic}.",
    "We study how reasoning models allocate test-time compute across {topic} problems.",
    "Evaluating agents on long-horizon {topic} tasks remains difficult because tasks are expensive to build.",
    "Automating machine learning research on {topic} requires agents that can plan, code and debug {n} steps.",
]
TOPICS = ["software engineering", "kernel optimisation", "data cleaning", "theorem proving", "web navigation",
          "protein design", "compiler testing", "fine-tuning", "robotics", "spreadsheet analysis", "chip design",
          "security auditing", "scientific replication", "tabular prediction", "GPU scheduling"]  # fmt: skip
RESULTS = [
    "{m} achieves {v}% on {b}, outperforming {m2} ({v2}%).",
    "On {b}, our method improves {m} from {v2}% to {v}%.",
    "{m} scores {v}% on {b} and {v2}% on {b2} with pass@1.",
    "Experiments show a {d}% relative improvement over strong baselines on {b}.",
    "We release a benchmark of {n} tasks and evaluate {k} frontier models on it.",
]
CLOSERS = [
    "Our analysis of {n} trajectories reveals failure modes in tool use and {topic}.",
    "Code and data for the {topic} study are available to support future research.",
    "These results suggest that agents can already automate {n} parts of {topic} in ML engineering.",
]


def synthetic_abstracts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = [rng.choice(OPENERS).format(topic=rng.choice(TOPICS), n=rng.randint(2, 99_999))]
        for _ in range(rng.randint(1, 3)):
            m, m2 = rng.sample(MODELS, 2)
            b, b2 = rng.sample(BENCHES, 2)
            parts.append(rng.choice(RESULTS).format(
                m=m, m2=m2, b=b, b2=b2, v=round(rng.uniform(20, 95), 1), v2=round(rng.uniform(5, 60), 1),
                d=rng.randint(3, 40), n=rng.randint(50, 2000), k=rng.randint(3, 12),
            ))  # fmt: skip
        parts.append(rng.choice(CLOSERS).format(topic=rng.choice(TOPICS), n=rng.randint(100, 99_999)))
        out.append(" ".join(parts))
    return out


def run(extractor: Extractor, texts: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    claims = 0
    for result in extractor.pipe(((t, {}) for t in texts), batch_size=128):
        claims += len(result.claims)
    return time.perf_counter() - started, claims


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--abstracts", type=int, default=3000, help="how many synthetic abstracts")
    args = parser.parse_args(argv)
    texts = synthetic_abstracts(args.abstracts)
    print(f"{len(texts)} synthetic abstracts, {sum(len(t) for t in texts) / len(texts):.0f} characters on average")
    configs = (("rules only", False, False), ("embeddings: resolution", True, False), ("embeddings: all", True, True))
    for label, embeddings, signals in configs:
        extractor = Extractor(load_pipeline(use_embeddings=embeddings, signal_embeddings=signals))
        run(extractor, texts[:50])  # warm up: registry, model load, caches
        seconds, claims = run(extractor, texts)
        rate = len(texts) / seconds
        verdict = "PASS" if rate >= 300 else "MISS"
        print(f"{label:<24} {rate:8.1f} abstracts/s  ({seconds:.2f}s, {claims} claims)  target >= 300: {verdict}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
