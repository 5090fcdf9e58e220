/**
 * Trino SQL syntax checking offline, for the saved Athena queries (Athena engine version 3 is Trino).
 *
 * dt-sql-parser's Trino parser is generated from Trino's own ANTLR grammar (SqlBase.g4). It ships as
 * ES modules with extensionless relative imports, which neither Node nor jest's CommonJS runtime load
 * as they are, so the Trino entry point is bundled once per test file with esbuild (already the
 * project's bundler) in memory, the way scripts/write-schema.js loads config.ts.
 */
import * as path from "path";
import Module from "module";
import { buildSync } from "esbuild";

export interface TrinoSyntaxError {
  readonly message: string;
  readonly startLine: number;
  readonly startColumn: number;
}

interface TrinoParser {
  validate(sql: string): TrinoSyntaxError[];
}

let parser: TrinoParser | undefined;

function load(): TrinoParser {
  const entry = require.resolve("dt-sql-parser/dist/parser/trino/index.js");
  const { outputFiles } = buildSync({ entryPoints: [entry], bundle: true, platform: "node", format: "cjs", write: false, logLevel: "silent" });
  const filename = path.join(path.dirname(entry), "trino.bundle.cjs");
  const mod = new Module(filename) as Module & { _compile(code: string, filename: string): void };
  mod.filename = filename;
  mod._compile(outputFiles[0].text, filename);
  const { TrinoSQL } = mod.exports as { TrinoSQL: new () => TrinoParser };
  return new TrinoSQL();
}

/** Syntax errors of one statement in Trino's grammar; empty when it parses. */
export function trinoSyntaxErrors(sql: string): TrinoSyntaxError[] {
  parser ??= load();
  return parser.validate(sql).map((e) => ({ message: e.message, startLine: e.startLine, startColumn: e.startColumn }));
}
