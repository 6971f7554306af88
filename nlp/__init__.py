"""Thai understanding: normalization, tokenization, features, classifier, entities.

No Flask, no LINE here. PyThaiNLP must not reach the network: `offline()` sets its switches
before the first import (facts/THAI-NLP.md).
"""

import os


def offline() -> None:
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
    os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


offline()
