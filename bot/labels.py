"""What the reader is told an answer is: four labels, each with the rate it was measured to earn.

An answer's label grades the calibrated probability that its first citation is the answer
(`bot.confidence`): "answer", "likely", "closest", or "not_addressed" (no citations). Each label's
`stated_rate` is the share of answers given that label that were right on transcripts the
calibration was not fitted on (leave one transcript out, `make calibrate`): for an answer label,
that its first citation is the answer; for "not_addressed", that the transcripts really do not
address the question. A label with no measured rate states none.

    >>> in_words(0.76), in_words(0.34), in_words(0.92), in_words(0.0)
    ('about 3 in 4', 'about 1 in 3', 'about 9 in 10', 'none')
    >>> explain("likely", 0.76)
    'About 3 in 4 answers labelled like this were right on interviews the bot was not fitted on.'
"""

from __future__ import annotations

ANSWER, LIKELY, CLOSEST, NOT_ADDRESSED = "answer", "likely", "closest", "not_addressed"
LABELS = (ANSWER, LIKELY, CLOSEST, NOT_ADDRESSED)
TITLES = {ANSWER: "Answer", LIKELY: "Likely answer", CLOSEST: "Closest passages, not a confirmed answer",
          NOT_ADDRESSED: "Not addressed"}
_DENOMINATORS = (2, 3, 4, 5, 10)


def for_outcome(outcome: str) -> str:
    """The label of an answer saved before labels existed: its outcome said as a label."""
    return {"answer": ANSWER, "candidates": CLOSEST}.get(outcome, NOT_ADDRESSED)


def in_words(rate: float) -> str:
    """A share as a reader says it: the simplest "k in n" (n of 2, 3, 4, 5 or 10) nearest to it."""
    if rate <= 0.05:
        return "none" if rate == 0 else "almost none"
    if rate >= 0.97:
        return "almost all"
    best = min(((round(rate * n), n) for n in _DENOMINATORS if round(rate * n) > 0),
               key=lambda kn: (round(abs(kn[0] / kn[1] - rate), 2), kn[1]))
    return f"about {best[0]} in {best[1]}"


def explain(label: str, rate: float | None) -> str | None:
    """One sentence saying what the label was measured to mean, or None when nothing was measured."""
    if rate is None:
        return None
    share = in_words(rate)
    share = share[:1].upper() + share[1:]
    if label == NOT_ADDRESSED:
        return f"{share} questions labelled like this were really not addressed, on interviews the bot was not fitted on."
    if label == CLOSEST:
        return (f"{share} answers labelled like this had the answer in their first passage, on interviews the bot "
                f"was not fitted on.")
    return f"{share} answers labelled like this were right on interviews the bot was not fitted on."
