/**
 * `%fields`, `%events` and `%values`: the catalog as result tables, and look-ups of one field.
 *
 * @since 0.1.0
 * @module
 */
import type { AttributeLike, CatalogLike, EventLike, FieldLike } from './ports.js';
import type { ResultView } from './render/table.js';

const view = (columns: string[], rows: Record<string, string>[]): ResultView => ({
  columns,
  rows,
  summary: { rows: rows.length },
});

/** The fields table: name, aliases, attribute, description, values. @since 0.1.0 */
export function fieldsView(catalog: CatalogLike): ResultView {
  return view(
    ['field', 'aliases', 'attribute', 'description', 'values'],
    catalog.fields.map((f) => ({
      field: f.name,
      aliases: (f.aliases ?? []).join(', '),
      attribute: f.attribute ?? '',
      description: f.description,
      values: (f.values ?? []).join(', '),
    })),
  );
}

/** The events table: id, kind, description, typical attributes. @since 0.1.0 */
export function eventsView(catalog: CatalogLike): ResultView {
  return view(
    ['event', 'kind', 'description', 'attributes'],
    catalog.events.map((e) => ({
      event: e.id,
      kind: e.kind,
      description: e.description,
      attributes: (e.attributes ?? []).join(', '),
    })),
  );
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The field named `name` (or one of its aliases), case-insensitively. @since 0.1.0 */
export function findField(catalog: CatalogLike, name: string): FieldLike | undefined {
  return catalog.fields.find(
    (f) => same(f.name, name) || (f.aliases ?? []).some((a) => same(a, name)),
  );
}

/** The attribute named `name`, case-insensitively. @since 0.1.0 */
export function findAttribute(catalog: CatalogLike, name: string): AttributeLike | undefined {
  return catalog.attributes.find((a) => same(a.name, name));
}

/** The event id `id`, case-insensitively. @since 0.1.0 */
export function findEvent(catalog: CatalogLike, id: string): EventLike | undefined {
  return catalog.events.find((e) => same(e.id, id));
}

/**
 * The values a field (or a raw attribute) takes: its closed set, the event ids for `type`, or
 * example values of its attribute. `undefined` when the name is unknown.
 *
 * @since 0.1.0
 */
export function valuesOf(
  catalog: CatalogLike,
  name: string,
): { name: string; values: string[]; closed: boolean } | undefined {
  const field = findField(catalog, name);
  if (field !== undefined) {
    if (field.values !== undefined)
      return { name: field.name, values: [...field.values], closed: true };
    if (field.target === 'event')
      return { name: field.name, values: catalog.events.map((e) => e.id), closed: true };
    const attribute =
      field.attribute === undefined ? undefined : findAttribute(catalog, field.attribute);
    return { name: field.name, values: [...(attribute?.examples ?? [])], closed: false };
  }
  const attribute = findAttribute(catalog, name);
  return attribute === undefined
    ? undefined
    : { name: attribute.name, values: [...(attribute.examples ?? [])], closed: false };
}

/** Every name a query can use: fields, aliases and attributes. @since 0.1.0 */
export function knownNames(catalog: CatalogLike): string[] {
  return [
    ...catalog.fields.flatMap((f) => [f.name, ...(f.aliases ?? [])]),
    ...catalog.attributes.map((a) => a.name),
  ];
}

/** Markdown documentation of a field. @since 0.1.0 */
export function fieldDoc(catalog: CatalogLike, field: FieldLike): string {
  const values = valuesOf(catalog, field.name);
  const lines = [`**${field.name}** — ${field.description}`];
  if (field.aliases !== undefined && field.aliases.length > 0)
    lines.push(`aliases: ${field.aliases.join(', ')}`);
  if (field.attribute !== undefined) lines.push(`record attribute: \`${field.attribute}\``);
  if (values !== undefined && values.values.length > 0) {
    const shown = values.values.slice(0, 30);
    lines.push(
      `${values.closed ? 'values' : 'examples'}: ${shown.join(', ')}${values.values.length > shown.length ? ', …' : ''}`,
    );
  }
  return lines.join('\n\n');
}

/** Markdown documentation of an event id. @since 0.1.0 */
export function eventDoc(event: EventLike): string {
  const lines = [`**${event.id}** (${event.kind} event) — ${event.description}`];
  if (event.attributes !== undefined && event.attributes.length > 0) {
    lines.push(`attributes: ${event.attributes.join(', ')}`);
  }
  return lines.join('\n\n');
}

/** Markdown documentation of a record attribute. @since 0.1.0 */
export function attributeDoc(attribute: AttributeLike): string {
  const lines = [
    `**${attribute.name}** (attribute${attribute.type === undefined ? '' : `, ${attribute.type}`})${attribute.description === undefined ? '' : ` — ${attribute.description}`}`,
  ];
  if (attribute.examples !== undefined && attribute.examples.length > 0)
    lines.push(`examples: ${attribute.examples.join(', ')}`);
  return lines.join('\n\n');
}
