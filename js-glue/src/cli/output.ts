// NDJSON on stdout, diagnostics on stderr. A closed stdout (`pushsync watch | head`) ends the
// run quietly instead of with an EPIPE stack trace.

let closed = false;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  closed = true;
  process.exit(0);
});

export function line(value: unknown): void {
  if (!closed) process.stdout.write(JSON.stringify(value) + '\n');
}

/** Many lines in one write (replay prints up to 100,000s of them). */
export function text(lines: string): void {
  if (!closed && lines.length > 0) process.stdout.write(lines);
}

export function warn(message: string): void {
  process.stderr.write(`pushsync: ${message}\n`);
}
