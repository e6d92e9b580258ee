import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };

interface GraphFile {
  graph: {
    nodes: Record<string, { data: { root: string; tags?: string[] } }>;
    dependencies: Record<string, { target: string }[]>;
  };
}

function projectGraph(): GraphFile['graph'] {
  const dir = mkdtempSync(join(tmpdir(), 'baql-graph-'));
  try {
    const file = join(dir, 'graph.json');
    execFileSync('npx', ['nx', 'graph', `--file=${file}`], { cwd: root, env, stdio: 'pipe' });
    return (JSON.parse(readFileSync(file, 'utf8')) as GraphFile).graph;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the Nx project graph', () => {
  const graph = projectGraph();
  const tagsOf = (name: string) => graph.nodes[name]?.data.tags ?? [];

  it('tags every project with a type and a scope', () => {
    for (const [name, node] of Object.entries(graph.nodes)) {
      if (name.startsWith('npm:')) continue;
      expect(
        node.data.tags?.some((t) => t.startsWith('type:')),
        name,
      ).toBe(true);
      expect(
        node.data.tags?.some((t) => t.startsWith('scope:')),
        name,
      ).toBe(true);
    }
  });

  it('has no forbidden edges: libs never depend on apps or tools; query on nothing of ours; core not on sandbox', () => {
    const ours = new Set(Object.keys(graph.nodes).filter((n) => !n.startsWith('npm:')));
    for (const [source, deps] of Object.entries(graph.dependencies)) {
      if (!ours.has(source)) continue;
      for (const { target } of deps) {
        if (!ours.has(target)) continue;
        if (tagsOf(source).includes('type:lib')) {
          expect(tagsOf(target), `${source} -> ${target}`).toContain('type:lib');
        }
        if (source === '@baql/query') expect.fail(`@baql/query depends on ${target}`);
        if (source === '@baql/core' && target === '@baql/sandbox') {
          // Only a test-time devDependency is tolerated; production code must not import it.
          const pkg = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8'));
          expect(pkg.dependencies?.['@baql/sandbox'], 'core depends on sandbox').toBeUndefined();
        }
      }
    }
  });
});
