// Contract suite results as json, JUnit XML, TAP 13 and text for people. Pure string builders.
import type { ContractCheckResult, ContractSuiteResult } from "./types.js";
import type { Style } from "../text-style.js";

export const REPORTERS = ["pretty", "json", "junit", "tap", "github"] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** One check as --json shows it: the verdict, then the evidence flattened. */
export function checkToJson({ id, ok, outcome, status, expected, durationMs, message, note, evidence }: ContractCheckResult) {
  return {
    id,
    ok,
    outcome,
    status,
    expected,
    durationMs,
    message,
    note,
    request: evidence?.request ?? null,
    response: evidence?.response ?? null,
    error: evidence?.error ?? null,
  };
}

export function toJsonReport(result: ContractSuiteResult): string {
  const checks = result.checks.map(checkToJson);
  const { ok, passed, failed, notRun, url, strict, stateProbe, durationMs } = result;
  return `${JSON.stringify({ ok, passed, failed, notRun, url, strict, stateProbe, durationMs, checks }, null, 2)}\n`;
}

/** The evidence as lines of plain text: which request, and what came back. */
export function evidenceLines(check: ContractCheckResult, bodyChars = Infinity): string[] {
  const evidence = check.evidence;
  if (!evidence) return [];
  const { notificationType, transactionId, orderId } = evidence.request;
  const lines = [
    `request: ${notificationType ?? "(no notification_type)"}${transactionId ? `, transaction ${transactionId}` : ""}${orderId ? `, order ${orderId}` : ""}`,
  ];
  if (!evidence.response) lines.push(`response: none (${evidence.error ?? "no answer"})`);
  else {
    const { status, contentType, body, bodyTruncated } = evidence.response;
    const cut = bodyTruncated || body.length > bodyChars;
    const shown =
      body.length === 0
        ? "(empty body)"
        : `${JSON.stringify(body.slice(0, bodyChars))}${cut ? ` (cut at ${bodyTruncated ? "2 KiB" : `${bodyChars} characters`})` : ""}`;
    lines.push(`response: ${status}${contentType ? ` ${contentType}` : ""} ${shown}`);
  }
  return lines;
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

/** `suite`: what the run was, in the suite and class names (contract for `test`, flow.<name> for `flow`). */
export function toJunitReport(result: ContractSuiteResult, timestamp: Date, suite = "contract"): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const cases = result.checks.map((check) => {
    const open = `    <testcase name="${xmlEscape(check.id)}" classname="xsolla-hooks.${xmlEscape(suite)}" time="${seconds(check.durationMs)}"`;
    if (check.outcome === "passed") return `${open}/>`;
    if (check.outcome === "not-run") return `${open}>\n      <skipped message="${xmlEscape(check.message)}"/>\n    </testcase>`;
    const evidence = evidenceLines(check).join("\n");
    const body = `${check.title}\nexpected: ${check.expected}\n${check.message}${evidence ? `\n${evidence}` : ""}`;
    const out = evidence ? `\n      <system-out>${xmlEscape(evidence)}</system-out>` : "";
    return `${open}>\n      <failure message="${xmlEscape(check.message)}" type="ContractViolation">${xmlEscape(body)}</failure>${out}\n    </testcase>`;
  });
  const counts = `tests="${result.checks.length}" failures="${result.failed}" errors="0" skipped="${result.notRun}" time="${seconds(result.durationMs)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="xsolla-hooks" ${counts}>`,
    `  <testsuite name="xsolla-hooks ${xmlEscape(suite)} ${xmlEscape(result.url)}" ${counts} timestamp="${timestamp.toISOString().replace(/\.\d{3}Z$/, "")}">`,
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
    if (check.outcome === "not-run") {
      lines.push(`ok ${i + 1} - ${check.id} # SKIP ${check.message.replace(/[\r\n#]/g, " ")}`);
      return;
    }
    lines.push(`${check.ok ? "ok" : "not ok"} ${i + 1} - ${check.id}`);
    if (!check.ok || check.note) {
      lines.push(
        "  ---",
        `  message: ${yamlString(check.message)}`,
        `  expected: ${yamlString(check.expected)}`,
        `  status: ${check.status ?? "null"}`,
      );
      if (check.note) lines.push(`  note: ${yamlString(check.note)}`);
      const evidence = check.ok ? undefined : check.evidence;
      if (evidence) {
        lines.push(
          "  request:",
          `    notification_type: ${yamlString(evidence.request.notificationType ?? "")}`,
          `    transaction_id: ${yamlString(evidence.request.transactionId ?? "")}`,
        );
        if (evidence.response) {
          const { status, contentType, body, bodyTruncated } = evidence.response;
          lines.push(
            "  response:",
            `    status: ${status}`,
            `    content_type: ${yamlString(contentType ?? "")}`,
            `    body: ${yamlString(body)}`,
            `    body_truncated: ${bodyTruncated}`,
          );
        } else lines.push(`  error: ${yamlString(evidence.error ?? "no answer")}`);
      }
      lines.push("  ...");
    }
  });
  lines.push(`# pass ${result.passed}`, `# fail ${result.failed}`, `# skip ${result.notRun}`, "");
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions: workflow-command annotations on stdout, and a Markdown job summary ($GITHUB_STEP_SUMMARY).
// https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands

/** A workflow command's message: %, CR and LF are escaped (GitHub's own toolkit does the same). */
export function escapeGithubData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A workflow command's property value (title=...): also : and , which would end the value. */
export function escapeGithubProperty(text: string): string {
  return escapeGithubData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export interface GithubReport {
  /** `::error`/`::notice` lines and a closing summary line, for stdout (the runner reads commands there). */
  annotations: string;
  /** Markdown for the job summary: append it to the file `$GITHUB_STEP_SUMMARY` names. */
  summary: string;
}

export interface GithubReportOptions {
  /** What ran, as the heading and the annotation titles say it (default "xsolla-hooks contract"). */
  title?: string;
}

function annotation(level: "error" | "warning" | "notice", title: string, message: string): string {
  return `::${level} title=${escapeGithubProperty(title)}::${escapeGithubData(message)}\n`;
}

/** A Markdown table cell: one line, pipes escaped, no HTML. */
function cell(text: string): string {
  return text
    .replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c] as string)
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, "<br>");
}

/** A fenced block whose fence is longer than any run of backticks inside it. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

function summaryLine(result: ContractSuiteResult): string {
  const notRun = result.notRun ? `, ${result.notRun} not run` : "";
  return `${result.passed} passed, ${result.failed} failed${notRun} (${(result.durationMs / 1000).toFixed(1)} s)`;
}

/**
 * Annotations and a job summary for GitHub Actions. Pure, over the suite's result shape, so any run that produces
 * that shape (the contract suite, a flow) can be reported the same way.
 */
export function toGithubReport(result: ContractSuiteResult, options: GithubReportOptions = {}): GithubReport {
  const title = options.title ?? "xsolla-hooks contract";
  const annotations: string[] = [];
  for (const check of result.checks) {
    const name = `${title}: ${check.id}`;
    if (check.outcome === "failed") {
      const evidence = evidenceLines(check, 1000);
      annotations.push(annotation("error", name, [check.message, `expected: ${check.expected}`, ...evidence].join("\n")));
    } else if (check.outcome === "not-run") annotations.push(annotation("notice", name, `not run: ${check.message}`));
    else if (check.note) annotations.push(annotation("notice", name, `note: ${check.note}`));
  }
  annotations.push(`${title}: ${summaryLine(result)}\n`);

  const mark = (check: ContractCheckResult) => (check.outcome === "passed" ? "✅" : check.outcome === "not-run" ? "⏭️" : "❌");
  const mode = result.strict ? "strict (Xsolla's documented codes only)" : "lenient (any 4xx with the right error.code)";
  const probe = result.stateProbe ? "state probe: on" : "state probe: off (side effects not observed)";
  const rows = result.checks.map((check) => {
    const detail =
      check.outcome === "passed"
        ? check.note
          ? `note: ${check.note}`
          : ""
        : check.outcome === "not-run"
          ? `not run: ${check.message}`
          : check.message;
    const time = check.durationMs ? `${Math.round(check.durationMs)} ms` : "";
    return `| ${mark(check)} | \`${cell(check.id)}\` | ${check.status ?? ""} | ${time} | ${cell(detail)} |`;
  });
  const failures = result.checks
    .filter((check) => check.outcome === "failed")
    .map((check) => {
      const body = [`expected: ${check.expected}`, check.message, ...evidenceLines(check)].join("\n");
      return `<details><summary>❌ <code>${cell(check.id)}</code></summary>\n\n${fenced(body)}\n\n</details>`;
    });
  const summary = [
    `### ${result.ok ? "✅" : "❌"} ${cell(title)}: ${summaryLine(result)}`,
    "",
    `${cell(result.url)} · ${mode} · ${probe}`,
    "",
    "| | check | status | time | result |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    ...(failures.length > 0 ? ["", "#### Failures", "", ...failures] : []),
    "",
  ].join("\n");
  return { annotations: annotations.join(""), summary };
}

export function formatCheckLine(check: ContractCheckResult, style: Style, width: number): string {
  const mark = check.outcome === "passed" ? style.ok("✓") : check.outcome === "not-run" ? style.dim("-") : style.bad("✗");
  const status = check.status === null ? "   " : String(check.status);
  const time = check.durationMs ? `${Math.round(check.durationMs)} ms` : "";
  // Passing checks stay quiet, except for a note (a deviation from the docs, or what was not observed) or an aggregate's finding.
  const detail =
    check.outcome === "passed"
      ? check.note
        ? style.warn(`note: ${check.note}`)
        : check.status === null
          ? style.dim(check.message)
          : ""
      : check.outcome === "not-run"
        ? style.dim(check.message)
        : style.bad(check.message);
  const line = `  ${mark} ${check.id.padEnd(width)} ${status} ${style.dim(time.padStart(7))}  ${detail}`.trimEnd() + "\n";
  // A failure shows what was seen: the request and the reply.
  const evidence = check.outcome === "failed" ? evidenceLines(check, 300).map((l) => style.dim(`      ${l}`) + "\n") : [];
  return line + evidence.join("");
}

export function formatSummary(result: ContractSuiteResult, style: Style): string {
  const text = summaryLine(result);
  return `${result.ok ? style.ok(text) : style.bad(text)}\n`;
}

export function toPrettyReport(result: ContractSuiteResult, style: Style): string {
  const width = Math.max(...result.checks.map((c) => c.id.length));
  return result.checks.map((c) => formatCheckLine(c, style, width)).join("") + formatSummary(result, style);
}
