"""Metrics for a saved logit vector (one logit per row of clickbait_rows.parquet), thresholds and isotonic on dev.
Run: cd evaluate/upper_bound && venv/bin/python eval_logits.py NAME logits.npy [NAME2 logits2.npy ...]"""
import sys, json
import numpy as np, pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import roc_auc_score, f1_score, accuracy_score
sys.argv, argv = sys.argv[:1], sys.argv[1:]
from experiments import best_threshold, df, y, score, sp_, ck, wb

def metrics(name, lg):
    dev, test = sp_['dev'], sp_['test']
    thr_pool, _ = best_threshold(lg[dev], y[dev], 'f1')
    thr_ck, acc_ck_dev = best_threshold(lg[dev & ck], y[dev & ck], 'acc')
    thr_wb, f1_wb_dev = best_threshold(lg[dev & wb], y[dev & wb], 'f1')
    tck, twb = test & ck, test & wb
    iso = IsotonicRegression(out_of_bounds='clip', y_min=0, y_max=1).fit(lg[dev & wb], score[dev & wb])
    r = dict(exp=name, thr_pooled=thr_pool, thr_ck=thr_ck, thr_wb=thr_wb,
             dev_auc_ck=roc_auc_score(y[dev & ck], lg[dev & ck]), dev_auc_wb=roc_auc_score(y[dev & wb], lg[dev & wb]),
             test_acc_ck_pooledthr=accuracy_score(y[tck], lg[tck] > thr_pool), test_acc_ck_ownthr=accuracy_score(y[tck], lg[tck] > thr_ck),
             dev_acc_ck_ownthr=acc_ck_dev, test_auc_ck=roc_auc_score(y[tck], lg[tck]),
             test_f1_wb_pooledthr=f1_score(y[twb], lg[twb] > thr_pool), test_f1_wb_ownthr=f1_score(y[twb], lg[twb] > thr_wb),
             dev_f1_wb_ownthr=f1_wb_dev, test_auc_wb=roc_auc_score(y[twb], lg[twb]),
             test_mse_wb=float(np.mean((iso.predict(lg[twb]) - score[twb]) ** 2)),
             dev_mse_wb_insample=float(np.mean((iso.predict(lg[dev & wb]) - score[dev & wb]) ** 2)))
    r = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}
    print(json.dumps(r)); return r

if __name__ == '__main__':
    out = [metrics(n, np.load(f)) for n, f in zip(argv[::2], argv[1::2])]
    json.dump(out, open('results_eval_logits_' + '_'.join(argv[::2]) + '.json', 'w'), indent=1)
