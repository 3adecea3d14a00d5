# Run with the project's venv: cd evaluate/upper_bound && ../../.venv/bin/python export_data.py
from sensational.config import load_config
from sensational.paths import CONFIG_PATH
from sensational.data.loader import load_corpora
config = load_config(CONFIG_PATH)
table, _ = load_corpora(config['sources'])
t = table[table.corpus.isin(['chakraborty2016', 'webis-clickbait-17'])][['text', 'label', 'score', 'corpus', 'split', 'source_row']].copy()
t['label'] = t['label'].astype(int)
t = t.reset_index(drop=True)
t.to_parquet('clickbait_rows.parquet', index=False)
print(t.groupby(['corpus', 'split']).agg(n=('label', 'size'), pos=('label', 'mean'), empty=('text', lambda s: (s.str.strip() == '').sum())))
