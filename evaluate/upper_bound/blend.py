"""Dev-chosen blend of the fine-tuned logits with the TF-IDF+MiniLM logits (experiment 3 for Chakraborty rows,
experiment 4 Webis-only for Webis rows): lg = a*z(ft) + (1-a)*z(lin), z by dev mean/sd, a in {0,.25,.5,.75,1} by dev AUC per corpus.
Run: cd evaluate/upper_bound && venv/bin/python blend.py"""
import sys; sys.argv = sys.argv[:1]
import numpy as np
from sklearn.metrics import roc_auc_score
from experiments import y, sp_, ck, wb
from eval_logits import metrics
ft = np.load('logits_5_finetuned.npy')
lin = np.where(wb, np.load('logits_4_webis_only_tfidf+minilm.npy'), np.load('logits_3_tfidf+minilm.npy'))
dev = sp_['dev']; out = np.zeros_like(ft, dtype=float)
for m in (ck, wb):
    z = lambda v: (v - v[dev & m].mean()) / v[dev & m].std()
    cand = {a: a * z(ft) + (1 - a) * z(lin) for a in (0, .25, .5, .75, 1)}
    a = max(cand, key=lambda a: roc_auc_score(y[dev & m], cand[a][dev & m]))
    print('corpus', 'webis' if m is wb else 'chak', 'chosen a =', a); out[m] = cand[a][m]
np.save('logits_6_blend.npy', out)
metrics('6_blend', out)
