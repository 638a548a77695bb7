"""Evaluation and calibration: test sets, metrics, baselines, reports, and the fitting of the
offline answerer's models.

    python -m bot eval TESTSET.jsonl [--report DIR] [--baselines]   # `evaluate` + `report`
    make eval        # `suite`: every shipped test set, into eval/results/
    make calibrate   # `calibrate`: fit bot/calibration.json
    make bench       # `benchmark`: speed and memory, into benchmarks/
"""
