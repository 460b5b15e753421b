"""What the word-list screen costs a comment: folding the text (accounts.folding.fold) and
matching it against compiled lists (moderation.words.rules_matching), in process, without the
one cache read that tells a process its lists are current. No database or Redis needed:

    .venv/bin/python bench/word_screen.py [--rules 300] [--runs 2000]

Lists of ``--rules`` banned and as many suspect phrases (half Japanese, half English, the kind
moderators add) plus a tenth as many allowed phrases; comments of 2,000 characters (the longest
allowed) in Japanese, in English and mixed. Prints CPU microseconds per screen (fold + match).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from accounts.folding import fold  # noqa: E402
from moderation.models import WordRule  # noqa: E402
from moderation.words import compile_rule, rules_matching  # noqa: E402

BATCH = 50
KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
JAPANESE = (
    "日本の政策について、海外の反応はさまざまだ。円安が続くなかで輸出企業は好調だが、家計の負担は"
    "重くなっている。ﾃｽﾄ的な半角カナも混ざる。昨日引っ越したばかりで、駅前のバーカウンターで一杯。"
)
ENGLISH = (
    "The policy drew mixed reactions abroad. Exporters are doing well while households feel the "
    "squeeze; the embassy passed the note along and analysts assessed the classic risks again. "
)


def phrases(count: int, rng: random.Random) -> list[str]:
    japanese = ["".join(rng.choice(KANA) for _ in range(rng.randint(2, 4))) for _ in range(count // 2)]
    syllables = [c + v for c in "bcdfghjklmnpqrstvwxz" for v in "aeiou"]
    english = ["".join(rng.choice(syllables) for _ in range(3)) for _ in range(count)]
    return japanese + english[: count - len(japanese)]


def comment(seed: str) -> str:
    return (seed * (2000 // len(seed) + 1))[:2000]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules", type=int, default=300, help="banned phrases, and as many suspect ones")
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(5)
    started = time.perf_counter()
    rules = [
        compile_rule(phrase=phrase, list=list_)
        for list_, count in (
            (WordRule.List.BANNED, args.rules),
            (WordRule.List.SUSPECT, args.rules),
            (WordRule.List.ALLOWED, args.rules // 10),
        )
        for phrase in phrases(count, rng)
    ]
    compile_ms = (time.perf_counter() - started) * 1000
    print(f"{len(rules)} rules compiled in {compile_ms:.1f} ms (once per change of the lists, per process)")
    fold("warm up")  # builds the translation table once per process
    for name, text in (
        ("Japanese", comment(JAPANESE)),
        ("English", comment(ENGLISH)),
        ("mixed", comment(JAPANESE + ENGLISH)),
    ):
        # CPU time of batches (time.process_time): other work on the machine does not count.
        fold_times, screen_times = [], []
        for _ in range(args.runs // BATCH):
            start = time.process_time()
            for _ in range(BATCH):
                fold(text)
            middle = time.process_time()
            for _ in range(BATCH):
                hits = rules_matching(fold(text), rules)
            end = time.process_time()
            fold_times.append((middle - start) / BATCH)
            screen_times.append((end - middle) / BATCH)
        median = statistics.median(screen_times) * 1e6
        print(
            f"{name:9} 2,000 characters: screen {median:5.0f} µs CPU (median of {len(screen_times)} batches, worst "
            f"{max(screen_times) * 1e6:5.0f}), of which fold {statistics.median(fold_times) * 1e6:4.0f} µs; "
            f"{len(hits)} hits"
        )


if __name__ == "__main__":
    main()
