/**
 * The BAQL grammar: a chevrotain embedded-actions parser that builds the {@link QueryNode} tree
 * directly, with error recovery on so one pass reports every syntax error. Built once.
 *
 * Precedence: NOT > AND (explicit or by juxtaposition) > OR.
 *
 * @since 0.1.0
 * @module
 */
import {
  EmbeddedActionsParser,
  EOF,
  tokenMatcher,
  type IOrAlt,
  type IToken,
  type TokenType,
} from 'chevrotain';
import type {
  CompareOp,
  ExprNode,
  FieldNode,
  QueryNode,
  SortKeyNode,
  StageNode,
  TermNode,
  TextRange,
  TimeNode,
  ValueExpr,
  ValueNode,
} from './ast.js';
import * as T from './tokens.js';

/** A syntax remark found while parsing (foreign syntax that still parsed). */
export interface ParseNote {
  readonly code: string;
  readonly message: string;
  readonly start: number;
  readonly end: number;
  readonly hints: readonly string[];
}

const startOf = (t: IToken): number => (Number.isFinite(t.startOffset) ? t.startOffset : 0);
const endOf = (t: IToken): number =>
  startOf(t) + (Number.isFinite(t.startOffset) ? t.image.length : 0);
const span = (a: number, b: number): TextRange => ({ start: a, end: Math.max(a, b) });
const ERROR: ExprNode = { type: 'error', range: { start: 0, end: 0 } };

/** Reads the text of a quoted string token (escapes resolved). */
export function unquote(image: string): string {
  const q = image[0];
  const closed = image.length >= 2 && image.endsWith(q ?? '') && !image.endsWith(`\\${q ?? ''}`);
  const body = image.slice(1, closed ? -1 : undefined);
  return body.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

const OPS: ReadonlyMap<TokenType, CompareOp> = new Map([
  [T.Gt, '>'],
  [T.Ge, '>='],
  [T.Lt, '<'],
  [T.Le, '<='],
  [T.Ne, '!='],
] as [TokenType, CompareOp][]);

/** The in-repetition recovery of a parser without recovery: nothing. */
const noRepetitionRecovery = (): void => undefined;

class BaqlParser extends EmbeddedActionsParser {
  notes: ParseNote[] = [];

  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, skipValidations: false });
    this.recoveringRepetitions = (
      this as unknown as { attemptInRepetitionRecovery: unknown }
    ).attemptInRepetitionRecovery;
    this.performSelfAnalysis();
  }

  /**
   * Turns chevrotain's error recovery on (report every error) or off (fast path for valid input).
   * Chevrotain picks its in-repetition recovery routine once, at construction: with recovery off
   * it is the prototype's no-op, so it is swapped too — otherwise every `MANY` still walks the
   * grammar for a resynchronisation point on its way out.
   */
  setRecovery(on: boolean): void {
    const self = this as unknown as {
      recoveryEnabled: boolean;
      attemptInRepetitionRecovery: unknown;
    };
    self.recoveryEnabled = on;
    self.attemptInRepetitionRecovery = on ? this.recoveringRepetitions : noRepetitionRecovery;
  }

  /** Chevrotain's in-repetition recovery routine, as installed at construction (recovery on). */
  private recoveringRepetitions: unknown;

  // Alternatives of the hot `OR`s that capture no local: built once, not on every call (the
  // chevrotain performance guide's "caching arrays of alternatives").
  private orAlts: IOrAlt<IToken>[] | undefined;
  private andAlts: IOrAlt<IToken>[] | undefined;
  private unaryAlts: IOrAlt<ExprNode>[] | undefined;
  private notAlts: IOrAlt<IToken>[] | undefined;
  private primaryAlts: IOrAlt<ExprNode>[] | undefined;
  private fieldAlts: IOrAlt<IToken>[] | undefined;
  private listOpenAlts: IOrAlt<IToken>[] | undefined;
  private listCloseAlts: IOrAlt<IToken>[] | undefined;
  private valueAlts: IOrAlt<IToken>[] | undefined;
  private timeValueAlts: IOrAlt<IToken>[] | undefined;
  private innerValueAlts: IOrAlt<IToken>[] | undefined;
  private timeWordAlts: IOrAlt<IToken>[] | undefined;
  private dayAlts: IOrAlt<IToken>[] | undefined;
  private numberValueAlts: IOrAlt<IToken>[] | undefined;

  private note(
    code: string,
    message: string,
    start: number,
    end: number,
    hints: string[] = [],
  ): void {
    this.notes.push({ code, message, start, end, hints });
  }

  public query = this.RULE(
    'query',
    (): QueryNode => {
      let filter: ExprNode | undefined;
      const time: TimeNode[] = [];
      const stages: StageNode[] = [];
      this.MANY(() => {
        time.push(this.SUBRULE(this.timeClause));
      });
      this.OPTION(() => {
        filter = this.SUBRULE(this.orExpr);
      });
      this.MANY2(() => {
        time.push(this.SUBRULE2(this.timeClause));
      });
      this.MANY3(() => {
        this.CONSUME(T.Pipe);
        stages.push(this.SUBRULE(this.stage));
      });
      return this.ACTION(() => ({
        type: 'query' as const,
        ...(filter ? { filter } : {}),
        time,
        stages,
        comments: [],
        range: span(0, 0),
      }));
    },
    {
      recoveryValueFunc: (): QueryNode => ({
        type: 'query',
        time: [],
        stages: [],
        comments: [],
        range: span(0, 0),
      }),
    },
  );

  /** A foreign boolean operator (`||`, `&&`): read as the BAQL one, with a note of its spelling. */
  private foreignOperator(type: TokenType, word: 'AND' | 'OR'): IToken {
    const t = this.CONSUME(type);
    this.ACTION(() =>
      this.note(
        'BAQL_FOREIGN_SYNTAX',
        `BAQL writes \`${word}\`, not \`${t.image}\``,
        startOf(t),
        endOf(t),
        [`write \`${word}\``],
      ),
    );
    return t;
  }

  private orExpr = this.RULE(
    'orExpr',
    (): ExprNode => {
      const items: ExprNode[] = [this.SUBRULE(this.andExpr)];
      this.MANY(() => {
        this.OR(
          (this.orAlts ??= [
            { ALT: () => this.CONSUME(T.Or) },
            { ALT: () => this.foreignOperator(T.PipePipe, 'OR') },
          ]),
        );
        items.push(this.SUBRULE2(this.andExpr));
      });
      return this.ACTION(() => join('or', items));
    },
    { recoveryValueFunc: () => ERROR },
  );

  private andExpr = this.RULE(
    'andExpr',
    (): ExprNode => {
      const items: ExprNode[] = [this.SUBRULE(this.unary)];
      this.MANY(() => {
        this.OPTION(() => {
          this.OR(
            (this.andAlts ??= [
              { ALT: () => this.CONSUME(T.And) },
              { ALT: () => this.foreignOperator(T.AmpAmp, 'AND') },
            ]),
          );
        });
        items.push(this.SUBRULE2(this.unary));
      });
      return this.ACTION(() => join('and', items));
    },
    { recoveryValueFunc: () => ERROR },
  );

  private unary = this.RULE(
    'unary',
    (): ExprNode =>
      this.OR(
        (this.unaryAlts ??= [
          {
            ALT: () => {
              const t = this.OR2(
                (this.notAlts ??= [
                  { ALT: () => this.CONSUME(T.Not) },
                  { ALT: () => this.CONSUME(T.Minus) },
                  { ALT: () => this.CONSUME(T.Bang) },
                ]),
              );
              const item = this.SUBRULE(this.unary);
              return this.ACTION(() => ({
                type: 'not' as const,
                item,
                range: span(startOf(t), item.range.end),
              }));
            },
          },
          { ALT: () => this.SUBRULE(this.primary) },
        ]),
      ),
    { recoveryValueFunc: () => ERROR },
  );

  private primary = this.RULE(
    'primary',
    (): ExprNode =>
      this.OR(
        (this.primaryAlts ??= [
          {
            ALT: () => {
              this.CONSUME(T.LParen);
              const e = this.SUBRULE(this.orExpr);
              this.CONSUME(T.RParen);
              return e;
            },
          },
          { ALT: () => this.SUBRULE(this.term) },
        ]),
      ),
    { recoveryValueFunc: () => ERROR },
  );

  private fieldRef = this.RULE(
    'fieldRef',
    (): FieldNode => {
      const t = this.OR(
        (this.fieldAlts ??= [
          { ALT: () => this.CONSUME(T.Word) },
          { ALT: () => this.CONSUME(T.StageWord) },
        ]),
      );
      let escaped: IToken | undefined;
      let close: IToken | undefined;
      this.OPTION(() => {
        this.CONSUME(T.LBracket);
        escaped = this.CONSUME(T.StringLit);
        close = this.CONSUME(T.RBracket);
      });
      return this.ACTION(() => {
        if (escaped) {
          if (t.image.toLowerCase() !== 'attr')
            this.note(
              'BAQL_SYNTAX',
              `write \`attr["…"]\` to name an attribute, not \`${t.image}["…"]\``,
              startOf(t),
              endOf(t),
              [`write \`attr[${escaped.image}]\``],
            );
          return {
            type: 'field' as const,
            name: unquote(escaped.image),
            escaped: true,
            range: span(startOf(t), endOf(close ?? escaped)),
          };
        }
        return {
          type: 'field' as const,
          name: t.image,
          escaped: false,
          range: span(startOf(t), endOf(t)),
        };
      });
    },
    {
      recoveryValueFunc: (): FieldNode => ({
        type: 'field',
        name: '',
        escaped: false,
        range: span(0, 0),
      }),
    },
  );

  private term = this.RULE(
    'term',
    (): ExprNode => {
      const field = this.SUBRULE(this.fieldRef);
      return this.OR([
        {
          ALT: () => {
            const colon = this.CONSUME(T.Colon);
            return this.OR2([
              {
                ALT: () => {
                  const op = this.CONSUME(T.CompOp);
                  const value = this.SUBRULE(this.value);
                  return this.ACTION((): TermNode => {
                    const o = OPS.get(op.tokenType) ?? '>';
                    this.note(
                      'BAQL_FOREIGN_SYNTAX',
                      `BAQL writes comparisons without \`:\`: \`${field.name} ${o} ${value.text}\``,
                      startOf(colon),
                      endOf(op),
                      [`write \`${field.name} ${o} ${value.text}\``],
                    );
                    return {
                      type: 'compare',
                      field,
                      op: o,
                      value,
                      range: span(field.range.start, value.range.end),
                    };
                  });
                },
              },
              {
                ALT: () => {
                  const value = this.SUBRULE(this.valueSpec);
                  return this.ACTION((): TermNode => ({
                    type: 'match',
                    field,
                    value,
                    range: span(field.range.start, value.range.end),
                  }));
                },
              },
            ]);
          },
        },
        {
          ALT: () => {
            const op = this.CONSUME2(T.CompOp);
            const value = this.SUBRULE2(this.value);
            return this.ACTION((): TermNode => ({
              type: 'compare',
              field,
              op: OPS.get(op.tokenType) ?? '>',
              value,
              range: span(field.range.start, value.range.end),
            }));
          },
        },
        {
          ALT: () => {
            const eq = this.CONSUME(T.Eq);
            const value = this.SUBRULE3(this.value);
            return this.ACTION((): TermNode => {
              this.foreignEquals(field, eq, value);
              return {
                type: 'match',
                field,
                value,
                range: span(field.range.start, value.range.end),
              };
            });
          },
        },
        {
          ALT: () => {
            let negated: IToken | undefined;
            this.OPTION(() => {
              negated = this.CONSUME(T.Not);
            });
            this.CONSUME(T.In);
            const list = this.SUBRULE(this.valueList);
            return this.ACTION((): ExprNode => {
              const m: TermNode = {
                type: 'match',
                field,
                value: list,
                range: span(field.range.start, list.range.end),
              };
              return negated ? { type: 'not', item: m, range: m.range } : m;
            });
          },
        },
      ]);
    },
    { recoveryValueFunc: () => ERROR },
  );

  private foreignEquals(field: FieldNode, eq: IToken, value: ValueNode): void {
    const name = field.name.toLowerCase();
    if (name === 'earliest' || name === 'latest') {
      const v = value.text.replace(/^-/, '');
      const fix =
        name === 'earliest'
          ? value.text === 'now'
            ? 'since now'
            : `since ${v}`
          : `until ${value.text}`;
      this.note(
        'BAQL_FOREIGN_SYNTAX',
        `\`${field.name}=\` is Splunk syntax; in BAQL time is a clause: \`${fix}\``,
        field.range.start,
        value.range.end,
        [`write \`${fix}\``],
      );
      return;
    }
    this.note('BAQL_FOREIGN_SYNTAX', 'BAQL writes equality with `:`', startOf(eq), endOf(eq), [
      `write \`${field.name}:${value.kind === 'string' ? JSON.stringify(value.text) : value.text}\``,
    ]);
  }

  private valueList = this.RULE(
    'valueList',
    (): ValueExpr => {
      const items: ValueNode[] = [];
      const open = this.OR(
        (this.listOpenAlts ??= [
          { ALT: () => this.CONSUME(T.LParen) },
          { ALT: () => this.CONSUME(T.LBracket) },
        ]),
      );
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => items.push(this.SUBRULE(this.innerValue)) });
      const close = this.OR2(
        (this.listCloseAlts ??= [
          { ALT: () => this.CONSUME(T.RParen) },
          { ALT: () => this.CONSUME(T.RBracket) },
        ]),
      );
      return this.ACTION(() => listOf(items, span(startOf(open), endOf(close))));
    },
    { recoveryValueFunc: (): ValueExpr => ({ type: 'vor', items: [], range: span(0, 0) }) },
  );

  private valueSpec = this.RULE(
    'valueSpec',
    (): ValueExpr =>
      this.OR([
        {
          ALT: () => {
            const open = this.CONSUME(T.LParen);
            const e = this.SUBRULE(this.valueOr);
            const close = this.CONSUME(T.RParen);
            return this.ACTION(() => withRange(e, span(startOf(open), endOf(close))));
          },
        },
        {
          ALT: () => {
            const open = this.CONSUME(T.LBracket);
            const first = this.SUBRULE(this.innerValue);
            const rest: ValueNode[] = [];
            let high: ValueNode | undefined;
            this.OPTION(() => {
              this.OR2([
                {
                  ALT: () => {
                    this.CONSUME(T.To);
                    high = this.SUBRULE2(this.innerValue);
                  },
                },
                {
                  ALT: () => {
                    this.AT_LEAST_ONE(() => {
                      this.CONSUME(T.Comma);
                      rest.push(this.SUBRULE3(this.innerValue));
                    });
                  },
                },
              ]);
            });
            const close = this.CONSUME(T.RBracket);
            return this.ACTION((): ValueExpr => {
              const r = span(startOf(open), endOf(close));
              if (high) return { type: 'range', low: first, high, range: r };
              return listOf([first, ...rest], r);
            });
          },
        },
        { ALT: () => this.SUBRULE4(this.value) },
      ]),
    {
      recoveryValueFunc: (): ValueNode => ({
        type: 'value',
        kind: 'word',
        text: '',
        range: span(0, 0),
      }),
    },
  );

  private valueOr = this.RULE('valueOr', (): ValueExpr => {
    const items = [this.SUBRULE(this.valueAnd)];
    this.MANY(() => {
      this.CONSUME(T.Or);
      items.push(this.SUBRULE2(this.valueAnd));
    });
    return this.ACTION(() => vjoin('vor', items));
  });

  private valueAnd = this.RULE('valueAnd', (): ValueExpr => {
    const items = [this.SUBRULE(this.valueUnary)];
    this.MANY(() => {
      this.OPTION(() => this.CONSUME(T.And));
      items.push(this.SUBRULE2(this.valueUnary));
    });
    return this.ACTION(() => vjoin('vand', items));
  });

  private valueUnary = this.RULE('valueUnary', (): ValueExpr =>
    this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(T.Not);
          const item = this.SUBRULE(this.valueUnary);
          return this.ACTION((): ValueExpr => ({
            type: 'vnot',
            item,
            range: span(startOf(t), item.range.end),
          }));
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME(T.LParen);
          const e = this.SUBRULE(this.valueOr);
          const close = this.CONSUME(T.RParen);
          return this.ACTION(() => withRange(e, span(startOf(open), endOf(close))));
        },
      },
      { ALT: () => this.SUBRULE(this.valueOrRange) },
    ]),
  );

  /** A value inside `( … )`; `a..b` ranges are recognised when the value is read. */
  private valueOrRange = this.RULE('valueOrRange', (): ValueExpr => this.SUBRULE(this.innerValue));

  private value = this.RULE(
    'value',
    (): ValueNode => {
      const t = this.OR(
        (this.valueAlts ??= [
          { ALT: () => this.CONSUME(T.Word) },
          { ALT: () => this.CONSUME(T.StringLit) },
          { ALT: () => this.CONSUME(T.Param) },
          { ALT: () => this.CONSUME(T.Keyword) },
          { ALT: () => this.CONSUME(T.StageWord) },
        ]),
      );
      return this.ACTION(() => valueOf(t, this.notes));
    },
    {
      recoveryValueFunc: (): ValueNode => ({
        type: 'value',
        kind: 'word',
        text: '',
        range: span(0, 0),
      }),
    },
  );

  /** A value inside `( … )` or a list: `AND`, `OR`, `NOT` and `TO` are operators there. */
  private innerValue = this.RULE(
    'innerValue',
    (): ValueNode => {
      const t = this.OR(
        (this.innerValueAlts ??= [
          { ALT: () => this.CONSUME(T.Word) },
          { ALT: () => this.CONSUME(T.StringLit) },
          { ALT: () => this.CONSUME(T.Param) },
          { ALT: () => this.CONSUME(T.StageWord) },
          { ALT: () => this.CONSUME(T.In) },
          { ALT: () => this.CONSUME(T.Since) },
          { ALT: () => this.CONSUME(T.Last) },
          { ALT: () => this.CONSUME(T.Between) },
          { ALT: () => this.CONSUME(T.From) },
          { ALT: () => this.CONSUME(T.Until) },
          { ALT: () => this.CONSUME(T.Today) },
          { ALT: () => this.CONSUME(T.Yesterday) },
        ]),
      );
      return this.ACTION(() => valueOf(t, this.notes));
    },
    {
      recoveryValueFunc: (): ValueNode => ({
        type: 'value',
        kind: 'word',
        text: '',
        range: span(0, 0),
      }),
    },
  );

  private timeValue = this.RULE(
    'timeValue',
    (): ValueNode => {
      const t = this.OR(
        (this.timeValueAlts ??= [
          { ALT: () => this.CONSUME(T.Word) },
          { ALT: () => this.CONSUME(T.StringLit) },
          { ALT: () => this.CONSUME(T.Param) },
          { ALT: () => this.CONSUME(T.Today) },
          { ALT: () => this.CONSUME(T.Yesterday) },
        ]),
      );
      return this.ACTION(() => valueOf(t, this.notes));
    },
    {
      recoveryValueFunc: (): ValueNode => ({
        type: 'value',
        kind: 'word',
        text: '',
        range: span(0, 0),
      }),
    },
  );

  private timeClause = this.RULE(
    'timeClause',
    (): TimeNode =>
      this.OR([
        {
          ALT: () => {
            const k = this.OR2(
              (this.timeWordAlts ??= [
                { ALT: () => this.CONSUME(T.Since) },
                { ALT: () => this.CONSUME(T.Last) },
                { ALT: () => this.CONSUME(T.Until) },
              ]),
            );
            const v = this.SUBRULE(this.timeValue);
            return this.ACTION(() => {
              const form =
                k.tokenType === T.Since ? 'since' : k.tokenType === T.Last ? 'last' : 'until';
              return form === 'until'
                ? { type: 'time' as const, form, to: v, range: span(startOf(k), v.range.end) }
                : { type: 'time' as const, form, from: v, range: span(startOf(k), v.range.end) };
            });
          },
        },
        {
          ALT: () => {
            const k = this.CONSUME(T.Between);
            const a = this.SUBRULE2(this.timeValue);
            this.CONSUME(T.And);
            const b = this.SUBRULE3(this.timeValue);
            return this.ACTION(() => ({
              type: 'time' as const,
              form: 'between' as const,
              from: a,
              to: b,
              range: span(startOf(k), b.range.end),
            }));
          },
        },
        {
          ALT: () => {
            const k = this.CONSUME(T.From);
            const a = this.SUBRULE4(this.timeValue);
            let b: ValueNode | undefined;
            this.OPTION(() => {
              this.CONSUME(T.To);
              b = this.SUBRULE5(this.timeValue);
            });
            return this.ACTION(() => ({
              type: 'time' as const,
              form: 'from' as const,
              from: a,
              ...(b ? { to: b } : {}),
              range: span(startOf(k), (b ?? a).range.end),
            }));
          },
        },
        {
          ALT: () => {
            const k = this.OR3(
              (this.dayAlts ??= [
                { ALT: () => this.CONSUME(T.Today) },
                { ALT: () => this.CONSUME(T.Yesterday) },
              ]),
            );
            return this.ACTION(() => ({
              type: 'time' as const,
              form: k.tokenType === T.Today ? ('today' as const) : ('yesterday' as const),
              range: span(startOf(k), endOf(k)),
            }));
          },
        },
      ]),
    { recoveryValueFunc: (): TimeNode => ({ type: 'time', form: 'since', range: span(0, 0) }) },
  );

  private fieldList = this.RULE('fieldList', (): FieldNode[] => {
    const fields: FieldNode[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => fields.push(this.SUBRULE(this.fieldRef)) });
    return fields;
  });

  private sortKey = this.RULE('sortKey', (): SortKeyNode => {
    const field = this.SUBRULE(this.fieldRef);
    let dir: 'asc' | 'desc' | undefined;
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Asc);
            dir = 'asc';
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Desc);
            dir = 'desc';
          },
        },
      ]);
    });
    return this.ACTION(() => (dir ? { field, direction: dir } : { field }));
  });

  private stage = this.RULE(
    'stage',
    (): StageNode =>
      this.OR([
        {
          ALT: () => {
            const k = this.CONSUME(T.Fields);
            const fields = this.SUBRULE(this.fieldList);
            return this.ACTION(() => ({
              type: 'fields' as const,
              fields,
              range: span(startOf(k), lastEnd(fields, k)),
            }));
          },
        },
        {
          ALT: () => {
            const k = this.CONSUME(T.Sort);
            const keys: SortKeyNode[] = [];
            this.AT_LEAST_ONE_SEP({
              SEP: T.Comma,
              DEF: () => keys.push(this.SUBRULE(this.sortKey)),
            });
            return this.ACTION(() => ({
              type: 'sort' as const,
              keys,
              range: span(
                startOf(k),
                lastEnd(
                  keys.map((x) => x.field),
                  k,
                ),
              ),
            }));
          },
        },
        {
          ALT: () => {
            const k = this.CONSUME(T.Limit);
            const n = this.SUBRULE(this.numberValue);
            return this.ACTION(() => ({
              type: 'limit' as const,
              count: n,
              range: span(startOf(k), n.range.end),
            }));
          },
        },
        {
          ALT: () => {
            const k = this.CONSUME(T.Count);
            let by: FieldNode[] = [];
            this.OPTION(() => {
              this.CONSUME(T.By);
              by = this.SUBRULE2(this.fieldList);
            });
            return this.ACTION(() => ({
              type: 'count' as const,
              by,
              range: span(startOf(k), lastEnd(by, k)),
            }));
          },
        },
        {
          ALT: () => {
            const k = this.CONSUME(T.Top);
            let n: ValueNode | undefined;
            this.OPTION2({
              GATE: () => {
                const la = this.LA(1);
                return (
                  tokenMatcher(la, T.Param) || (tokenMatcher(la, T.Word) && /^\d+$/.test(la.image))
                );
              },
              DEF: () => {
                n = this.SUBRULE2(this.numberValue);
              },
            });
            const field = this.SUBRULE2(this.fieldRef);
            return this.ACTION(() => ({
              type: 'top' as const,
              ...(n ? { count: n } : {}),
              field,
              range: span(startOf(k), field.range.end),
            }));
          },
        },
        {
          ALT: () => {
            const k = this.CONSUME(T.Dedup);
            const fields = this.SUBRULE3(this.fieldList);
            return this.ACTION(() => ({
              type: 'dedup' as const,
              fields,
              range: span(startOf(k), lastEnd(fields, k)),
            }));
          },
        },
        {
          ALT: () => {
            const k = this.CONSUME(T.Timechart);
            const interval = this.SUBRULE3(this.numberValue);
            let by: FieldNode[] = [];
            let countTok: IToken | undefined;
            this.OPTION3(() => {
              countTok = this.CONSUME2(T.Count);
            });
            this.OPTION4(() => {
              this.CONSUME2(T.By);
              by = this.SUBRULE4(this.fieldList);
            });
            return this.ACTION(() => ({
              type: 'timechart' as const,
              interval,
              by,
              range: span(
                startOf(k),
                by.length > 0 ? lastEnd(by, k) : countTok ? endOf(countTok) : interval.range.end,
              ),
            }));
          },
        },
        {
          ALT: () => {
            const w = this.CONSUME2(T.Word);
            let last: IToken | undefined;
            this.MANY(() => {
              last = this.CONSUME(T.AnyArg);
            });
            return this.ACTION(() => ({
              type: 'unknown' as const,
              name: w.image,
              range: span(startOf(w), endOf(last ?? w)),
            }));
          },
        },
      ]),
    { recoveryValueFunc: (): StageNode => ({ type: 'unknown', name: '', range: span(0, 0) }) },
  );

  private numberValue = this.RULE(
    'numberValue',
    (): ValueNode => {
      const t = this.OR(
        (this.numberValueAlts ??= [
          { ALT: () => this.CONSUME(T.Word) },
          { ALT: () => this.CONSUME(T.Param) },
        ]),
      );
      return this.ACTION(() => valueOf(t, this.notes));
    },
    {
      recoveryValueFunc: (): ValueNode => ({
        type: 'value',
        kind: 'word',
        text: '',
        range: span(0, 0),
      }),
    },
  );
}

function lastEnd(items: readonly { range: TextRange }[], k: IToken): number {
  return items.length > 0 ? (items[items.length - 1]?.range.end ?? endOf(k)) : endOf(k);
}

function valueOf(t: IToken, notes: ParseNote[]): ValueNode {
  const range = span(startOf(t), endOf(t));
  if (tokenMatcher(t, T.StringLit)) {
    if (t.tokenType === T.BadString)
      notes.push({
        code: 'BAQL_SYNTAX',
        message: 'this string has no closing quote',
        start: range.start,
        end: range.end,
        hints: [`close it: ${t.image}${t.image[0] ?? '"'}`],
      });
    return { type: 'value', kind: 'string', text: unquote(t.image), range };
  }
  if (t.tokenType === T.Param)
    return { type: 'value', kind: 'param', text: t.image.slice(1), range };
  return { type: 'value', kind: 'word', text: t.image, range };
}

function join(kind: 'and' | 'or', all: (ExprNode | undefined)[]): ExprNode {
  const items = all.filter((i): i is ExprNode => i !== undefined);
  if (items.length === 0) return ERROR;
  if (items.length === 1) return items[0] ?? ERROR;
  const first = items[0]?.range.start ?? 0;
  const last = items[items.length - 1]?.range.end ?? first;
  return { type: kind, items, range: span(first, last) };
}

function vjoin(kind: 'vor' | 'vand', all: (ValueExpr | undefined)[]): ValueExpr {
  const items = all.filter((i): i is ValueExpr => i !== undefined);
  if (items.length === 0) return { type: 'value', kind: 'word', text: '', range: span(0, 0) };
  if (items.length === 1) return items[0] as ValueExpr;
  const first = items[0]?.range.start ?? 0;
  const last = items[items.length - 1]?.range.end ?? first;
  return { type: kind, items, range: span(first, last) };
}

function listOf(items: ValueNode[], range: TextRange): ValueExpr {
  if (items.length === 1) return items[0] as ValueNode;
  return { type: 'vor', items, range };
}

function withRange(e: ValueExpr | undefined, range: TextRange): ValueExpr {
  if (!e) return { type: 'value', kind: 'word', text: '', range };
  return e.type === 'vor' || e.type === 'vand' ? { ...e, range } : e;
}

/** The parser, built once per process (chevrotain grammars are costly to analyse). @since 0.1.0 */
export const baqlParser = new BaqlParser();

/** The start rule of the grammar (for content assist). @since 0.1.0 */
export const START_RULE = 'query';

export { EOF };
