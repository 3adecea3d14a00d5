"""Diagnostic only: Webis test F1 spread. Oracle = best threshold chosen ON TEST (not a valid estimate; shows the ceiling
of the ranking). Bootstrap 95% interval of test F1 at the dev-chosen Webis threshold (1000 resamples of test rows).
Run: cd evaluate/upper_bound && venv/bin/python f1_check.py"""
import sys, json; sys.argv = sys.argv[:1]
import numpy as np
from sklearn.metrics import f1_score
from experiments import best_threshold, y, sp_, wb
rng = np.random.default_rng(13)
for name in ['1_tfidf', '4_webis_only_tfidf+minilm', '5_finetuned', '6_blend']:
    lg = np.load(f'logits_{name}.npy'); d, t = sp_['dev'] & wb, sp_['test'] & wb
    thr, _ = best_threshold(lg[d], y[d], 'f1'); _, oracle = best_threshold(lg[t], y[t], 'f1')
    yt, pt = y[t], lg[t] > thr
    bs = [f1_score(yt[i], pt[i]) for i in (rng.integers(0, len(yt), len(yt)) for _ in range(1000))]
    print(name, json.dumps(dict(test_f1_devthr=round(f1_score(yt, pt), 4), ci95=[round(float(np.percentile(bs, q)), 3) for q in (2.5, 97.5)], test_oracle_f1=round(oracle, 4))))
