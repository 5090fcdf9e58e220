// What Amazon Q Developer in chat applications takes as a custom notification, for tests
// ("Custom notifications using Amazon Q Developer in chat applications", admin guide, "Event schema"
// and "Parameter details"): version "1.0" and source "custom" required, a description to show, every
// other field a string, a list of strings, or (additionalContext) a map of strings.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => v !== null && typeof v === "object" && !Array.isArray(v);
const isStrings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === "string");

const CONTENT: Record<string, (v: unknown) => boolean> = {
  textType: (v) => v === "client-markdown",
  title: (v) => typeof v === "string",
  description: (v) => typeof v === "string" && v.length > 0,
  nextSteps: isStrings,
  keywords: isStrings,
};
const METADATA: Record<string, (v: unknown) => boolean> = {
  threadId: (v) => typeof v === "string",
  summary: (v) => typeof v === "string",
  eventType: (v) => typeof v === "string",
  relatedResources: isStrings,
  additionalContext: (v) => isObject(v) && Object.values(v).every((s) => typeof s === "string"),
};

/** Why `n` is not a custom notification Amazon Q Developer takes: [] when it is one. */
export function customNotificationProblems(n: unknown): string[] {
  if (!isObject(n)) return ["not a JSON object"];
  const problems: string[] = [];
  if (n.version !== "1.0") problems.push(`version ${JSON.stringify(n.version)} (must be "1.0")`);
  if (n.source !== "custom") problems.push(`source ${JSON.stringify(n.source)} (must be "custom")`);
  if ("id" in n && typeof n.id !== "string") problems.push("id is not a string");
  for (const key of Object.keys(n)) if (!["version", "source", "id", "content", "metadata"].includes(key)) problems.push(`unknown field ${key}`);
  const section = (name: string, fields: Record<string, (v: unknown) => boolean>, required: string[]) => {
    const value = n[name];
    if (value === undefined && required.length === 0) return;
    if (!isObject(value)) return void problems.push(`${name} is not an object`);
    for (const key of required) if (!(key in value)) problems.push(`${name}.${key} is missing`);
    for (const [key, v] of Object.entries(value)) {
      if (!(key in fields)) problems.push(`unknown field ${name}.${key}`);
      else if (!fields[key](v)) problems.push(`${name}.${key} has the wrong type: ${JSON.stringify(v)}`);
    }
  };
  section("content", CONTENT, ["description"]);
  section("metadata", METADATA, []);
  return problems;
}

/** Placeholder names that stand inside a JSON string of `template` (escapes skipped). */
export function placeholdersInStrings(template: string): string[] {
  const names: string[] = [];
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === "\\" && inString) i++;
    else if (c === '"') inString = !inString;
    else if (inString && c === "<") {
      const m = /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i));
      if (m) names.push(m[1]);
    }
  }
  return names;
}
