// Contract suite results as json, JUnit XML, TAP 13 and text for people. Pure string builders.
import type { ContractSuiteResult } from "./types.js";
import type { Style } from "../text-style.js";

export const REPORTERS = ["pretty", "json", "junit", "tap"] as const;
export type ReporterName = (typeof REPORTERS)[number];

export function toJsonReport(result: ContractSuiteResult): string {
  const checks = result.checks.map(({ id, ok, status, expected, durationMs, message, note }) => ({
    id,
    ok,
    status,
    expected,
    durationMs,
    message,
    note,
  }));
  return `${JSON.stringify({ ok: result.ok, passed: result.passed, failed: result.failed, url: result.url, strict: result.strict, durationMs: result.durationMs, checks }, null, 2)}\n`;
}

function xmlEscape(text: string): string {
  // Characters XML 1.0 forbids are dropped; the rest are escaped.
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
      .replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] as string)
  );
}

export function toJunitReport(result: ContractSuiteResult, timestamp: Date): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const cases = result.checks.map((check) => {
    const open = `    <testcase name="${xmlEscape(check.id)}" classname="xsolla-hooks.contract" time="${seconds(check.durationMs)}"`;
    if (check.ok) return `${open}/>`;
    const body = `${check.title}\nexpected: ${check.expected}\nstatus: ${check.status ?? "no answer"}\n${check.message}`;
    return `${open}>\n      <failure message="${xmlEscape(check.message)}" type="ContractViolation">${xmlEscape(body)}</failure>\n    </testcase>`;
  });
  const counts = `tests="${result.checks.length}" failures="${result.failed}" errors="0" skipped="0" time="${seconds(result.durationMs)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="xsolla-hooks" ${counts}>`,
    `  <testsuite name="xsolla-hooks contract ${xmlEscape(result.url)}" ${counts} timestamp="${timestamp.toISOString().replace(/\.\d{3}Z$/, "")}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

function yamlString(text: string): string {
  return JSON.stringify(text);
}

export function toTapReport(result: ContractSuiteResult): string {
  const lines = ["TAP version 13", `1..${result.checks.length}`];
  result.checks.forEach((check, i) => {
    lines.push(`${check.ok ? "ok" : "not ok"} ${i + 1} - ${check.id}`);
    if (!check.ok || check.note) {
      lines.push(
        "  ---",
        `  message: ${yamlString(check.message)}`,
        `  expected: ${yamlString(check.expected)}`,
        `  status: ${check.status ?? "null"}`,
      );
      if (check.note) lines.push(`  note: ${yamlString(check.note)}`);
      lines.push("  ...");
    }
  });
  lines.push(`# pass ${result.passed}`, `# fail ${result.failed}`, "");
  return lines.join("\n");
}

export function formatCheckLine(check: ContractSuiteResult["checks"][number], style: Style, width: number): string {
  const mark = check.ok ? style.ok("✓") : style.bad("✗");
  const status = check.status === null ? "   " : String(check.status);
  const time = check.durationMs ? `${Math.round(check.durationMs)} ms` : "";
  // Passing checks stay quiet, except for a note (a deviation from the docs) or an aggregate's finding.
  const detail = check.ok
    ? check.note
      ? style.warn(`note: ${check.note}`)
      : check.status === null
        ? style.dim(check.message)
        : ""
    : style.bad(check.message);
  return `  ${mark} ${check.id.padEnd(width)} ${status} ${style.dim(time.padStart(7))}  ${detail}`.trimEnd() + "\n";
}

export function formatSummary(result: ContractSuiteResult, style: Style): string {
  const text = `${result.passed} passed, ${result.failed} failed (${(result.durationMs / 1000).toFixed(1)} s)`;
  return `${result.ok ? style.ok(text) : style.bad(text)}\n`;
}

export function toPrettyReport(result: ContractSuiteResult, style: Style): string {
  const width = Math.max(...result.checks.map((c) => c.id.length));
  return result.checks.map((c) => formatCheckLine(c, style, width)).join("") + formatSummary(result, style);
}
