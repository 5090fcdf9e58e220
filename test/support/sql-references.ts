/**
 * What a saved query reads from the event table, found from its text: the column paths (in
 * ses-event-schema.ts's notation, `bounce.bouncedrecipients[].emailaddress`), the partition keys,
 * the `eventtype` values it compares with and the map keys it looks up. Anything else that looks
 * like a column and is none of: a column path, an UNNEST alias column, an output alias, a function,
 * a keyword or the table's own name, is reported as unknown.
 *
 * It relies on the conventions named-queries.ts documents (dotted paths; UNNEST with one alias per
 * struct field; element_at for map lookups), not on a full SQL parser; the Trino parser in
 * trino-sql.ts checks the syntax.
 */
import { EventColumn, HiveType, PARTITION_KEYS, SES_EVENT_COLUMNS, typeAtPath } from "../../modules/shared/ses-event-schema";

export interface SqlReferences {
  /** Column paths read, e.g. `mail.tags`, `bounce.bouncedrecipients[].diagnosticcode`. */
  readonly columnPaths: readonly string[];
  readonly partitionKeys: readonly string[];
  /** Values compared with `eventtype`. */
  readonly eventTypes: readonly string[];
  /** `element_at(<map path>, '<key>')` lookups. */
  readonly mapKeys: ReadonlyArray<{ readonly path: string; readonly key: string }>;
  /** Problems: unknown identifiers, unknown paths, UNNEST aliases that do not match the schema. */
  readonly problems: readonly string[];
}

const KEYWORDS = new Set([
  "select",
  "from",
  "where",
  "and",
  "or",
  "not",
  "as",
  "cross",
  "join",
  "unnest",
  "group",
  "by",
  "order",
  "desc",
  "asc",
  "limit",
  "interval",
  "day",
  "case",
  "when",
  "then",
  "else",
  "end",
  "distinct",
  "is",
  "null",
  "in",
  "union",
  "all",
  "on",
  "having",
  "current_date",
  "true",
  "false",
  "with",
  "like",
]);

interface Unnest {
  readonly alias: string;
  readonly columns: readonly string[];
  readonly path: string;
  readonly element: HiveType;
}

/**
 * The SQL in one pass, with comments blanked and, unless `keepStrings`, string literals emptied
 * to `''` (a quote in a comment, as in "SES's", must not start a string, nor `--` in a string a comment).
 */
function code(sql: string, keepStrings = false): string {
  let out = "";
  for (let i = 0; i < sql.length;) {
    if (sql.startsWith("--", i)) {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end;
      out += " ";
    } else if (sql.startsWith("/*", i)) {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
      out += " ";
    } else if (sql[i] === "'") {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === "'" && sql[j + 1] !== "'")) j += sql[j] === "'" ? 2 : 1;
      out += keepStrings ? sql.slice(i, j + 1) : "''";
      i = j + 1;
    } else {
      out += sql[i++];
    }
  }
  return out;
}

export function sqlReferences(
  sql: string,
  table: { readonly database: string; readonly table: string },
  columns: readonly EventColumn[] = SES_EVENT_COLUMNS,
): SqlReferences {
  const problems: string[] = [];
  const paths = new Set<string>();
  const partitions = new Set<string>();
  const text = code(sql);
  const withoutComments = code(sql, true);

  const unnests = new Map<string, Unnest>();
  for (const m of text.matchAll(/\bUNNEST\s*\(\s*([a-z_][a-z0-9_.]*)\s*\)\s+AS\s+([a-z_]\w*)\s*\(([^)]*)\)/gi)) {
    const [, path, alias, list] = m;
    const cols = list.split(",").map((c) => c.trim());
    const type = typeAtPath(path, columns);
    if (type?.kind !== "array") {
      problems.push(`UNNEST(${path}): not an array column in the schema`);
      continue;
    }
    paths.add(path);
    // Trino expands an array of rows into one column per field; an array of scalars into one column.
    const expected = type.of.kind === "struct" ? type.of.fields.map((f) => f.name) : undefined;
    if (expected ? cols.join(",") !== expected.join(",") : cols.length !== 1) {
      problems.push(`UNNEST(${path}) AS ${alias}(${cols.join(", ")}): the schema's element has ${expected ? `fields (${expected.join(", ")})` : "one value"}`);
    }
    unnests.set(alias, { alias, columns: cols, path, element: type.of });
  }
  const unnestColumns = new Set([...unnests.values()].flatMap((u) => u.columns));
  const aliases = new Set([...text.matchAll(/\bAS\s+([a-z_]\w*)/gi)].map((m) => m[1].toLowerCase()));
  // Lambda parameters, `(k, v) -> ...`, name values, not columns.
  for (const m of text.matchAll(/\(([a-z_]\w*(?:\s*,\s*[a-z_]\w*)*)\)\s*->/gi)) {
    for (const param of m[1].split(",")) aliases.add(param.trim().toLowerCase());
  }
  const topLevel = new Set(columns.map((c) => c.name));
  const partitionNames = new Set<string>(PARTITION_KEYS.map((k) => k.name));
  const tableName = `${table.database}.${table.table}`;

  // Identifier chains (a.b.c), each with what follows it, to tell function calls from columns.
  for (const m of text.matchAll(/(?<![\w.'])([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(\s*\()?/g)) {
    const chain = m[1];
    const call = Boolean(m[2]);
    const lower = chain.toLowerCase();
    const [head, ...rest] = lower.split(".");
    if (call && rest.length === 0) continue; // a function, or UNNEST(...) / an alias's column list
    if (lower === tableName || lower === table.database) continue;
    if (rest.length === 0 && KEYWORDS.has(head)) continue;
    const unnest = unnests.get(head);
    if (unnest) {
      if (rest.length === 0) continue; // AS r (...)
      if (!unnest.columns.includes(rest[0])) {
        problems.push(`${chain}: ${head} has no column ${rest[0]}`);
        continue;
      }
      const path = unnest.element.kind === "struct" ? `${unnest.path}[].${rest.join(".")}` : `${unnest.path}[]`;
      if (!typeAtPath(path, columns)) problems.push(`${chain}: no ${path} in the schema`);
      else paths.add(path);
      continue;
    }
    if (topLevel.has(head)) {
      if (!typeAtPath(lower, columns)) problems.push(`${chain}: not a column path of the schema`);
      else paths.add(lower);
      continue;
    }
    if (rest.length === 0 && partitionNames.has(head)) {
      partitions.add(head);
      continue;
    }
    if (rest.length === 0 && (aliases.has(head) || unnestColumns.has(head))) continue;
    problems.push(`${chain}: not a column, partition key, alias or keyword`);
  }

  const eventTypes = [...withoutComments.matchAll(/\beventtype\s*(?:=|<>|!=)\s*'((?:[^']|'')*)'/gi)].map((m) => m[1]);
  const mapKeys = [...withoutComments.matchAll(/\belement_at\(\s*([a-z_][a-z0-9_.]*)\s*,\s*'((?:[^']|'')*)'\s*\)/gi)]
    .filter((m) => typeAtPath(m[1], columns)?.kind === "map")
    .map((m) => ({ path: m[1], key: m[2] }));

  return {
    columnPaths: [...paths].sort(),
    partitionKeys: [...partitions].sort(),
    eventTypes: [...new Set(eventTypes)].sort(),
    mapKeys,
    problems,
  };
}

/**
 * The values at a column path in a JSON document, read the way the table's SerDe reads it (keys
 * matched case-insensitively); `[]` steps into every element of an array.
 */
export function valuesAtPath(doc: unknown, path: string): unknown[] {
  let values: unknown[] = [doc];
  for (const segment of path.split(".")) {
    const m = /^([a-z0-9_]+)((?:\[\])*)$/.exec(segment)!;
    values = values.flatMap((v) => {
      if (v === null || typeof v !== "object" || Array.isArray(v)) return [];
      const key = Object.keys(v).find((k) => k.toLowerCase() === m[1]);
      return key === undefined ? [] : [(v as Record<string, unknown>)[key]];
    });
    for (let i = 0; i < m[2].length / 2; i++) values = values.flatMap((v) => (Array.isArray(v) ? v : []));
  }
  return values.filter((v) => v !== undefined && v !== null);
}
