/**
 * `explain(plan)`: the plan in words — the window, each request, what was pushed down, what
 * runs client-side and why, the pipeline and the planner's notes.
 *
 * @since 0.1.0
 * @module
 */
import type { SearchCriteria, ServiceFilter } from './contract.js';
import type { Stage } from './pipeline.js';
import type { Plan } from './planner.js';

function filterText(f: ServiceFilter): string {
  if (f.criteria === 'isPresent' || f.criteria === 'isNotPresent')
    return `${f.attributeId} ${f.criteria}`;
  return `${f.attributeId} ${f.criteria} ${JSON.stringify(f.value)}`;
}

function requestLines(r: SearchCriteria): string[] {
  const parts: string[] = [];
  if (r.userId !== undefined)
    parts.push(`userId ${JSON.stringify(r.userId)} (${r.userIdType ?? 'loginId'})`);
  if (r.companyId !== undefined) parts.push(`companyId ${JSON.stringify(r.companyId)}`);
  if (r.eventIds) parts.push(`eventIds [${r.eventIds.join(', ')}]`);
  parts.push(`eventType ${r.eventType ?? 'user'}`);
  if (r.userType) parts.push(`userType ${r.userType}`);
  if (r.userProduct !== undefined) parts.push(`userProduct ${JSON.stringify(r.userProduct)}`);
  const lines = [parts.join(' · ')];
  const af = r.additionalFilters;
  if (af) {
    const joiner = ` ${af.condition.toUpperCase()} `;
    const items = [
      ...(af.filters ?? []).map(filterText),
      ...(af.subFilters ?? []).map(
        (s) => `(${s.filters.map(filterText).join(` ${s.condition.toUpperCase()} `)})`,
      ),
    ];
    lines.push(`additionalFilters: ${items.join(joiner)}`);
  }
  if (r.requestedAttributes) lines.push(`requestedAttributes: ${r.requestedAttributes.join(', ')}`);
  return lines;
}

/** A stage as BAQL text. @since 0.1.0 */
export function stageText(s: Stage): string {
  switch (s.op) {
    case 'fields':
      return `fields ${s.fields.map((f) => f.name).join(', ')}`;
    case 'sort':
      return `sort ${s.keys.map((k) => `${k.field.name} ${k.direction}`).join(', ')}`;
    case 'limit':
      return `limit ${s.count}`;
    case 'count':
      return s.by.length > 0 ? `count by ${s.by.map((f) => f.name).join(', ')}` : 'count';
    case 'top':
      return `top ${s.count} ${s.field.name}`;
    case 'dedup':
      return `dedup ${s.fields.map((f) => f.name).join(', ')}`;
    case 'timechart':
      return `timechart ${s.interval}${s.by.length > 0 ? ` count by ${s.by.map((f) => f.name).join(', ')}` : ''}`;
  }
}

/**
 * Explains a plan for humans (the CLI's `baql explain`, the REPL's `.explain`, the kernel's
 * `%explain`). Never prints secrets: a plan holds none.
 * @since 0.1.0
 */
export function explain(plan: Plan): string {
  const out: string[] = [];
  out.push(
    `window: ${plan.window.start} → ${plan.window.end}${plan.window.defaulted ? ' (default: no time clause)' : ''}`,
  );
  if (plan.requests.length === 0) out.push('requests: none (the condition can never hold)');
  else {
    out.push(`requests: ${plan.requests.length} × POST /v1/banking-activities`);
    plan.requests.forEach((r, i) => {
      const [first, ...rest] = requestLines(r);
      out.push(`  ${i + 1}. ${first ?? ''}`);
      for (const l of rest) out.push(`     ${l}`);
    });
    if (plan.requests.length > 1)
      out.push('  results are merged and deduplicated by guid, newest first');
  }
  if (plan.residual) {
    out.push(`client-side filter: ${plan.residual.text}`);
    for (const r of plan.residual.reasons) out.push(`  because ${r}`);
  } else if (plan.requests.length > 0)
    out.push('client-side filter: none (everything is pushed down to the API)');
  if (plan.pipeline.length > 0)
    out.push(`pipeline (client-side): ${plan.pipeline.map(stageText).join(' | ')}`);
  if (plan.earlyStop !== undefined) out.push(`early stop: after ${plan.earlyStop} rows`);
  const notes = plan.notes.filter((n) => !n.startsWith('client-side:'));
  if (notes.length > 0) {
    out.push('notes:');
    for (const n of notes) out.push(`  - ${n}`);
  }
  return out.join('\n');
}
