"""Draw the lowered graph of a small pipeline for docs/architecture.md (needs Graphviz's `dot` or graphviz-pure).

Run: PYTHONPATH=. python docs/pictures/lowered_graph.py  ->  docs/pictures/lowered_graph.png
"""
import pathlib
import subprocess
import sys

import numpy as np

from dagflow import B, Batch, Dataset, R, V, action
from dagflow.engine.lower import batch_tasks, fuse_groups
from dagflow.models import BaseModel
from dagflow.viz.render import find_dot


class Images(Batch):
    components = 'images', 'labels'

    @action
    def load(self):
        return self

    @action
    def blur(self, sigma):
        return self

    @action
    def mix(self):
        return self


class Model(BaseModel):
    def train(self, images, labels):
        return 0.0


dataset = Dataset(16, batch_class=Images, preloaded={'images': np.zeros((16, 2)), 'labels': np.zeros(16)})
pipeline = (dataset.p.init_model('cnn', Model).init_variable('loss', []).init_variable('n', 0)
            .load().blur(R('uniform', 0, 1)).mix()
            .train_model('cnn', B.images, B.labels, save_to=V('loss'), mode='a')
            .update(V('n'), V('n') + 1))
groups = fuse_groups(pipeline.compile())
lines = ['digraph lowered {', 'rankdir=LR; node [shape=box, style="rounded,filled", fontname="Helvetica"];',
         'edge [fontname="Helvetica", fontsize=10];']
for k in range(4):
    lines.append(f'subgraph cluster_{k} {{ label="batch {k}"; color=gray80;')
    lines.append(f'"batch-{k}" [label="batch {k}", fillcolor=gray90];')
    for key, group, _deps in batch_tasks(groups, k, 'tok', prefetch=1):
        color = '#cfe8ff' if group.pure else '#ffd9a8'
        lines.append(f'"{key[0]}-{k}" [label="{group.name}\\n({"pure, fused" if group.pure else "state"})", '
                     f'fillcolor="{color}"];')
    lines.append('}')
for k in range(4):
    for key, group, deps in batch_tasks(groups, k, 'tok', prefetch=1):
        target = f'"{key[0]}-{k}"'
        for number, dep in enumerate(deps):
            source = f'"batch-{k}"' if dep[0].startswith('batch-') else f'"{dep[0]}-{dep[1]}"'
            if number == 0:
                lines.append(f'{source} -> {target};')
            elif group.index == 0 and dep[1] == k - 2:
                lines.append(f'{source} -> {target} [style=dotted, color=gray50, label="window"];')
            elif group.settles and dep == (f'{groups[-1].name}-tok', k - 1) and groups[-1].index not in group.after:
                lines.append(f'{source} -> {target} [style=dashed, color=firebrick, label="previous batch"];')
            else:
                lines.append(f'{source} -> {target} [style=dashed, color=firebrick, label="state"];')
lines.append('}')
out = pathlib.Path(__file__).with_suffix('.png')
program = find_dot()
if program is None:
    sys.exit("lowered_graph.py needs Graphviz's dot or graphviz-pure (pip install 'dagflow[graphviz]')")
subprocess.run([program, '-Tpng', '-Gdpi=90', '-o', str(out)], input='\n'.join(lines), text=True, check=True)
print(out)
