// How text for people is coloured, as an interface: reporters in core take a Style; the CLI makes a
// chalk-backed one when colour is on, and everything else uses `plainStyle`.

export interface Style {
  ok(text: string): string;
  bad(text: string): string;
  warn(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const same = (text: string) => text;

export const plainStyle: Style = { ok: same, bad: same, warn: same, dim: same, bold: same };
