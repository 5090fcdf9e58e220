// Checks on the config file's text that JSON.parse does not make: a key written twice (JSON.parse
// silently keeps the last one) and a YAML file given where JSON is expected.
import { visit } from "jsonc-parser";
import { ConfigError, formatPath } from "./config";

/**
 * Why `text` (which JSON.parse refused) is probably YAML, as the one-line message; undefined when it
 * does not look like YAML, so the JSON syntax error is the better message.
 */
export function yamlProblem(text: string): string | undefined {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const first = lines.find((l) => l !== "" && !l.startsWith("#"));
  if (first === undefined) return undefined;
  // A YAML document marker or directive, a bare "key: value" mapping or a "- item" list. A quoted key is left
  // out: a JSON snippet pasted without its braces starts that way, and its syntax error says more.
  const yaml = /^(?:---|\.\.\.|%YAML|%TAG)(?:\s|$)/.test(first) || /^[A-Za-z_$][\w$.-]*\s*:(?:\s|$)/.test(first) || /^-(?:\s|$)/.test(first);
  if (!yaml || first.startsWith("{") || first.startsWith("[")) return undefined;
  return "this looks like YAML, but ses-guard.json must be JSON; allowed: a JSON object, as in examples/default.json";
}

/** One line per key that appears more than once in the same object, at any depth, in file order. */
export function duplicateKeyProblems(text: string, source: string): string[] {
  const found: Array<{ line: number; message: string }> = [];
  const objects: Array<Map<string, { path: PropertyKey[]; lines: number[] }>> = [];
  visit(
    text,
    {
      onObjectBegin: () => {
        objects.push(new Map());
      },
      onObjectProperty: (key, _offset, _length, startLine, _startCharacter, pathSupplier) => {
        const seen = objects[objects.length - 1];
        const entry = seen.get(key);
        if (entry) entry.lines.push(startLine + 1);
        else seen.set(key, { path: [...pathSupplier(), key], lines: [startLine + 1] });
      },
      onObjectEnd: () => {
        for (const [key, { path, lines }] of objects.pop() ?? []) {
          if (lines.length < 2) continue;
          const times = lines.length === 2 ? "twice" : `${lines.length} times`;
          const distinct = [...new Set(lines)];
          const where = distinct.length === 1 ? `line ${distinct[0]}` : `lines ${distinct.slice(0, -1).join(", ")} and ${distinct[distinct.length - 1]}`;
          found.push({
            line: lines[1],
            message: `${source}: ${formatPath(path)}: key ${JSON.stringify(key)} appears ${times} (${where}); allowed: each key once`,
          });
        }
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  return found.sort((a, b) => a.line - b.line).map((f) => f.message);
}

/** Throws a ConfigError naming every duplicated key: JSON.parse would keep only the last value, silently. */
export function rejectDuplicateKeys(text: string, source: string): void {
  const problems = duplicateKeyProblems(text, source);
  if (problems.length) throw ConfigError.of(problems, source);
}
