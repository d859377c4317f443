// Parses an AsyncAPI document with the official parser (@asyncapi/parser, which validates it
// with its Spectral rulesets) and exits non-zero, with the diagnostics, when it has errors or
// warnings: a warning there (an unused component, a channel address that does not fit its
// parameters, a message with no name) is a promise of the document that nobody keeps.
// Usage: node check.mjs path/to/mqtt-api.yaml
import { readFile } from 'node:fs/promises';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';

const path = process.argv[2];
if (!path) {
  console.error('usage: node check.mjs DOCUMENT');
  process.exit(2);
}
const text = await readFile(path, 'utf8');
const { document, diagnostics } = await new Parser().parse(text, { source: path });
const names = { [DiagnosticSeverity.Error]: 'error', [DiagnosticSeverity.Warning]: 'warning',
                [DiagnosticSeverity.Information]: 'info', [DiagnosticSeverity.Hint]: 'hint' };
const failing = diagnostics.filter((d) => d.severity <= DiagnosticSeverity.Warning);
for (const d of failing) {
  const where = d.range ? `${path}:${d.range.start.line + 1}:${d.range.start.character + 1}` : path;
  const at = d.path && d.path.length ? ` (${d.path.join('.')})` : '';
  console.error(`${where}: ${names[d.severity] ?? d.severity}: ${d.code}: ${d.message}${at}`);
}
if (document === undefined || failing.length) {
  console.error(`${path}: not a valid AsyncAPI document (${failing.length} errors or warnings)`);
  process.exit(1);
}
// Hints (e.g. that AsyncAPI 3.1 exists) are only counted.
const hints = diagnostics.length - failing.length;
console.log(`${path}: AsyncAPI ${document.version()} valid: ` +
            `${document.allChannels().length} channels, ${document.allOperations().length} operations` +
            (hints ? `; ${hints} hint(s) not shown` : ''));
