// What the scale scenario's registry holds (pure, unit-tested in test/unit/bench/scaleContent.test.ts):
// `repos` repositories, `rootRepos` of them at the root and the rest spread evenly over
// `namespaces` namespaces, 2-4 segments deep (ns-07/svc-00123, ns-07/team-3/svc-00124,
// ns-07/team-3/group-1/svc-00125), plus one repository with many tags inside the first
// namespace. With the defaults (20,000 = 400 + 40 × 490) this is issue 15's registry.

export interface ScalePlan {
  repos: number;
  rootRepos: number;
  namespaces: number;
  /** Tags of the big repository. */
  tags: number;
}

export const SCALE_DEFAULTS: ScalePlan = { repos: 20_000, rootRepos: 400, namespaces: 40, tags: 100_000 };

/** The repository holding `plan.tags` tags (one more than `plan.repos`). */
export const BIG_REPO = 'ns-00/many-tags';

const pad = (i: number, w: number): string => String(i).padStart(w, '0');

/** The `repos` ordinary repository names (without BIG_REPO), every one distinct. */
export function scaleRepositoryNames(plan: Pick<ScalePlan, 'repos' | 'rootRepos' | 'namespaces'>): string[] {
  const names: string[] = [];
  const root = Math.min(plan.rootRepos, plan.repos);
  for (let i = 0; i < root; i++) names.push(`app-${pad(i, 5)}`);
  const rest = plan.repos - root;
  for (let j = 0; j < rest; j++) {
    const i = root + j;
    const ns = `ns-${pad(j % plan.namespaces, 2)}`;
    const k = Math.floor(j / plan.namespaces);
    const svc = `svc-${pad(i, 5)}`;
    switch (k % 3) {
      case 0:
        names.push(`${ns}/${svc}`);
        break;
      case 1:
        names.push(`${ns}/team-${k % 7}/${svc}`);
        break;
      default:
        names.push(`${ns}/team-${k % 7}/group-${k % 5}/${svc}`);
    }
  }
  return names;
}

/**
 * The tag the scenario reveals: near the end of the tree's order (versions newest first, so the
 * oldest versions come last), e.g. v1.0.7 of v1.0.0 … v100.9.99 (test/support's manyTagName).
 */
export function revealTarget(tags: number): string {
  const i = Math.min(7, tags - 1);
  return `v${1 + Math.floor(i / 1000)}.${Math.floor(i / 100) % 10}.${i % 100}`;
}

/** Size knob from the environment: BENCH_SCALE_REPOS=20000 BENCH_SCALE_TAGS=100000. */
export function scalePlanFromEnv(env: NodeJS.ProcessEnv, quick: boolean): ScalePlan {
  const num = (v: string | undefined, d: number): number => {
    const n = Number(v);
    return v !== undefined && Number.isInteger(n) && n > 0 ? n : d;
  };
  const repos = num(env.BENCH_SCALE_REPOS, quick ? 2_000 : SCALE_DEFAULTS.repos);
  return {
    repos,
    rootRepos: Math.min(repos, Math.round((repos * SCALE_DEFAULTS.rootRepos) / SCALE_DEFAULTS.repos)),
    namespaces: SCALE_DEFAULTS.namespaces,
    tags: num(env.BENCH_SCALE_TAGS, quick ? 10_000 : SCALE_DEFAULTS.tags),
  };
}
